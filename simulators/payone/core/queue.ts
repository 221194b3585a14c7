// Delivery bookkeeping for TransactionStatus notifications: per-txid FIFO (a later notification for a txid waits
// until the earlier one got TSOK), retries on a schedule, and the fault modes duplicate / out-of-order.
// Pure: the HTTP shell asks what is due and reports outcomes.

export interface DeliveryAttempt {
  readonly at: string;
  readonly outcome: 'TSOK' | 'rejected' | 'http-error' | 'network-error' | 'timeout';
  readonly httpStatus?: number;
  /** The first 200 characters of the answer. */
  readonly body?: string;
  readonly error?: string;
}

/** skipped: notifications are switched off (--no-notify); kept for inspection, never sent. */
export type QueuedStatus = 'pending' | 'delivered' | 'gave-up' | 'skipped';

export interface QueuedNotification {
  readonly id: number;
  readonly txid: string;
  readonly txaction: string;
  readonly sequencenumber: number;
  readonly url: string;
  /** The ISO-8859-1 urlencoded body as sent. */
  readonly body: string;
  readonly fields: Record<string, string>;
  readonly createdAt: string;
  /** Epoch ms at which the next attempt may start. */
  dueAt: number;
  status: QueuedStatus;
  /** Failed attempts since the notification was (re)queued; indexes the retry schedule. */
  failures: number;
  readonly attempts: DeliveryAttempt[];
  /** Set on the copy the duplicate fault mode adds. */
  readonly duplicateOf?: number;
}

export interface DeliveryPolicy {
  /** Pause before retry n (1-based): schedule[n-1]. Exhausted → gave-up. */
  readonly retryScheduleMs: readonly number[];
  /** false: out-of-order fault mode – no per-txid FIFO, newest due first. */
  readonly fifo: boolean;
}

export interface NotificationQueue {
  /** Every notification ever queued, oldest first (inspection). */
  readonly items: QueuedNotification[];
  /**
   * The unfinished ones (not delivered, not skipped), oldest first: what delivery looks at. Finished items are
   * dropped lazily, so the cost of a pump grows with the open notifications, not with everything ever sent.
   */
  open: QueuedNotification[];
  nextId: number;
}

export function createQueue(): NotificationQueue {
  return { items: [], open: [], nextId: 1 };
}

const finished = (item: QueuedNotification) => item.status === 'delivered' || item.status === 'skipped';

/** The open notifications, after dropping the ones finished since the last look. */
function openItems(queue: NotificationQueue): QueuedNotification[] {
  if (queue.open.some(finished)) queue.open = queue.open.filter((i) => !finished(i));
  return queue.open;
}

export function enqueue(
  queue: NotificationQueue,
  input: Omit<QueuedNotification, 'id' | 'status' | 'attempts' | 'dueAt' | 'createdAt' | 'failures'>,
  now: number,
  holdMs = 0,
): QueuedNotification {
  const id = queue.nextId++;
  const createdAt = new Date(now).toISOString();
  // Spelled out: `{ ...input, id, ... }` costs V8 ~10 µs per object here. Same keys in the same order (the
  // inspection endpoints show them), duplicateOf only on the duplicate fault's copies.
  const item: QueuedNotification =
    input.duplicateOf === undefined
      ? {
          txid: input.txid,
          txaction: input.txaction,
          sequencenumber: input.sequencenumber,
          url: input.url,
          body: input.body,
          fields: input.fields,
          id,
          createdAt,
          dueAt: now + holdMs,
          status: 'pending',
          failures: 0,
          attempts: [],
        }
      : { ...input, id, createdAt, dueAt: now + holdMs, status: 'pending', failures: 0, attempts: [] };
  if (holdMs > 0) {
    // Out-of-order mode: a newer notification extends the hold of the unsent older ones of its txid, so the
    // batch is released together, newest first.
    for (const other of openItems(queue)) {
      if (other.txid === item.txid && other.status === 'pending' && other.attempts.length === 0) {
        other.dueAt = Math.max(other.dueAt, item.dueAt);
      }
    }
  }
  queue.items.push(item);
  queue.open.push(item);
  return item;
}

export interface DeliveryPlan {
  /** Notifications to send now (see dueNotifications). */
  readonly due: QueuedNotification[];
  /** The earliest moment a notification may become due (see nextDueAt). */
  readonly nextDueAt: number | undefined;
}

/**
 * dueNotifications and nextDueAt in one pass over the open notifications (the shell needs both after every event;
 * with thousands of open notifications two passes, a Set copy and a separate pruning pass per event added up).
 * Finished notifications are dropped from the open list in the same pass.
 */
export function planDelivery(
  queue: NotificationQueue,
  now: number,
  policy: DeliveryPolicy,
  inFlight: ReadonlySet<string>,
): DeliveryPlan {
  if (!policy.fifo) {
    return { due: dueNotifications(queue, now, policy, inFlight), nextDueAt: nextDueAt(queue, policy) };
  }
  const due: QueuedNotification[] = [];
  let next: number | undefined;
  const heads = new Set<string>();
  const open = queue.open;
  let kept = 0;
  for (let i = 0; i < open.length; i++) {
    const item = open[i]!;
    const status = item.status;
    if (status === 'delivered' || status === 'skipped') continue;
    open[kept++] = item;
    const txid = item.txid;
    if (heads.has(txid)) continue;
    heads.add(txid); // the head of this txid, eligible or not, blocks the rest
    if (status !== 'pending') continue;
    const dueAt = item.dueAt;
    if (next === undefined || dueAt < next) next = dueAt;
    if (dueAt <= now && !inFlight.has(txid)) due.push(item);
  }
  open.length = kept;
  return { due, nextDueAt: next };
}

/**
 * Notifications to send now, never two for one txid at once (`inFlight` holds txids being sent).
 * FIFO: only the oldest unfinished notification of a txid is eligible; one that PAYONE gave up on keeps blocking
 * the txid ("without TSOK you will not receive any further status reports for that payment process").
 */
export function dueNotifications(
  queue: NotificationQueue,
  now: number,
  policy: DeliveryPolicy,
  inFlight: ReadonlySet<string>,
): QueuedNotification[] {
  if (policy.fifo) return planDelivery(queue, now, policy, inFlight).due;
  const picked: QueuedNotification[] = [];
  const seenTxids = new Set<string>(inFlight);
  const open = openItems(queue);
  for (let i = open.length - 1; i >= 0; i--) {
    const item = open[i]!;
    if (item.status === 'pending' && item.dueAt <= now && !seenTxids.has(item.txid)) {
      seenTxids.add(item.txid);
      picked.push(item);
    }
  }
  return picked;
}

/**
 * The earliest moment a notification may become due (for the shell's timer), or undefined. Under FIFO only the
 * head of each txid counts: the ones behind it wait for its acknowledgement, not for a time.
 */
export function nextDueAt(queue: NotificationQueue, policy: DeliveryPolicy): number | undefined {
  if (policy.fifo) return planDelivery(queue, Number.NEGATIVE_INFINITY, policy, new Set()).nextDueAt;
  let next: number | undefined;
  for (const item of openItems(queue)) {
    if (item.status === 'pending' && (next === undefined || item.dueAt < next)) next = item.dueAt;
  }
  return next;
}

export function recordAttempt(
  item: QueuedNotification,
  attempt: DeliveryAttempt,
  now: number,
  policy: DeliveryPolicy,
): void {
  item.attempts.push(attempt);
  if (attempt.outcome === 'TSOK') {
    item.status = 'delivered';
    return;
  }
  item.failures++;
  const pause = policy.retryScheduleMs[item.failures - 1];
  if (pause === undefined) {
    item.status = 'gave-up';
  } else {
    item.dueAt = now + pause;
  }
}

/** Makes every pending notification due now (admin action, e.g. after fixing the receiver). */
export function expediteAll(queue: NotificationQueue, now: number): void {
  for (const item of openItems(queue)) if (item.status === 'pending') item.dueAt = Math.min(item.dueAt, now);
}

/** Puts given-up notifications back into delivery (PAYONE's support can trigger a resend; so can tests). */
export function resendGivenUp(queue: NotificationQueue, now: number, txid?: string): number {
  let count = 0;
  for (const item of openItems(queue)) {
    if (item.status === 'gave-up' && (txid === undefined || item.txid === txid)) {
      item.status = 'pending';
      item.failures = 0;
      item.dueAt = now;
      count++;
    }
  }
  return count;
}
