// SQL of the payments module: payments, their outbox jobs, event log, PAYONE notifications, stored cards.
import { type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import { PREPARE } from '../../platform/db/database.ts';
import type {
  Database,
  PaymentEventsTable,
  PaymentJobsTable,
  PaymentsTable,
  PayoneNotificationsTable,
  StoredCardsTable,
} from '../../platform/db/schema.ts';
import { failureOf } from './core/failure.ts';
import { amounts, type Payment, type PaymentFacts, type PaymentState } from './core/payment.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type PaymentRow = Selectable<PaymentsTable>;
export type JobRow = Selectable<PaymentJobsTable>;
export type EventRow = Selectable<PaymentEventsTable>;
export type NotificationRow = Selectable<PayoneNotificationsTable>;
export type CardRow = Selectable<StoredCardsTable>;

/** What the payment keeps about the card it was paid with (a pseudo card PAN, never a PAN). */
export interface PaymentCard {
  pseudocardpan: string;
  storedCardId: string | null;
  /** Save the card for OneClick once PAYONE authorized it. */
  storeAs: { maskedPan: string; brand: string; expiry: string } | null;
}

export function toPayment(r: Pick<PaymentRow, 'id' | 'reference' | 'currency' | 'state' | 'facts'>): Payment {
  return {
    id: r.id,
    reference: r.reference,
    currency: r.currency,
    state: r.state as PaymentState,
    facts: r.facts as PaymentFacts,
  };
}

export async function insertPayment(
  db: Db,
  p: Payment,
  extra: { sessionRef: string; ownerRef: string | null; card: PaymentCard },
): Promise<void> {
  await db
    .insertInto('payments')
    .values({
      id: p.id,
      session_ref: extra.sessionRef,
      owner_ref: extra.ownerRef,
      reference: p.reference,
      currency: p.currency,
      state: p.state,
      amount_requested: p.facts.requestedAmount,
      facts: JSON.stringify(p.facts),
      card: JSON.stringify(extra.card),
    })
    .execute();
}

export async function lockPayment(db: Db, id: string): Promise<PaymentRow | undefined> {
  return db.selectFrom('payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** A payment by id; a prepared statement (read before every change: planning it cost more than running it). */
export async function getPaymentRow(db: Db, id: string): Promise<PaymentRow | undefined> {
  const r = await sql<PaymentRow>`${sql.raw(PREPARE)} select * from payments where id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

/** The stored columns of a payment (state, facts and what is derived from them). */
function paymentColumns(p: Payment, failedJob: string | null) {
  const a = amounts(p);
  const failure = failureOf(p.state, p.facts, failedJob);
  return {
    state: p.state,
    txid: p.facts.txid,
    amount_authorized: a.authorized,
    amount_captured: a.captured,
    amount_refunded: a.refunded,
    failed_step: failure?.step ?? null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
  };
}

export async function savePayment(db: Db, p: Payment, failedJob: string | null = null): Promise<PaymentRow> {
  return db
    .updateTable('payments')
    .set({ ...paymentColumns(p, failedJob), facts: JSON.stringify(p.facts), updated_at: new Date() })
    .where('id', '=', p.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Saves several payments (as savePayment does, without returning them) in one statement. */
export async function savePayments(db: Db, ps: Payment[]): Promise<void> {
  if (ps.length === 0) return;
  if (ps.length === 1) {
    await savePayment(db, ps[0]!);
    return;
  }
  await paymentsUpdate(paymentRecords(ps.map((next) => ({ next }))), new Date()).execute(db);
}

/**
 * Payments' new columns as rows `v` (id, seen_state, seen_facts, then the stored columns of paymentColumns); seen_*
 * are null when not given.
 */
function paymentRecords(ps: { next: Payment; seen?: { state: string; facts: unknown } }[]) {
  const rows = JSON.stringify(
    ps.map(({ next, seen }) => ({
      id: next.id,
      seen_state: seen?.state ?? null,
      seen_facts: seen?.facts ?? null,
      facts: next.facts,
      ...paymentColumns(next, null),
    })),
  );
  return sql`jsonb_to_recordset(${rows}::jsonb) as v(id uuid, seen_state text, seen_facts jsonb, state text,
    facts jsonb, txid text, amount_authorized bigint, amount_captured bigint, amount_refunded bigint, failed_step text,
    failure_code text, failure_message text)`;
}

/** Sets the payments of the rows `v` of `from` (see paymentRecords) to their new columns, where `when` holds. */
function paymentsUpdate(from: RawBuilder<unknown>, at: Date, when: RawBuilder<unknown> = sql`true`) {
  return sql`update payments as p set state = v.state, facts = v.facts, txid = v.txid,
      amount_authorized = v.amount_authorized, amount_captured = v.amount_captured,
      amount_refunded = v.amount_refunded, failed_step = v.failed_step, failure_code = v.failure_code,
      failure_message = v.failure_message, updated_at = ${at}
    from ${from} where p.id = v.id and ${when}`;
}

/** What a payment change does to its outbox job, written with the change. */
export type JobWrite =
  | {
      op: 'insert';
      paymentId: string;
      kind: JobKind;
      idempotencyKey: string;
      payload: unknown;
      /** Claimed by the caller (attempt 1, leased for leaseMs) to run at once; absent: pending for the worker. */
      leaseMs?: number;
    }
  | { op: 'finish'; id: string; status: 'done' | 'failed'; lastError: string | null }
  | { op: 'reschedule'; id: string; delayMs: number; lastError: string };

const JOB_COLUMNS = [
  'id',
  'payment_id',
  'kind',
  'idempotency_key',
  'payload',
  'status',
  'attempts',
  'next_run_at',
  'locked_until',
  'last_error',
  'created_at',
  'updated_at',
] as const;

function jobStatement(j: JobWrite) {
  switch (j.op) {
    case 'insert':
      return sql`insert into payment_jobs (payment_id, kind, idempotency_key, payload, attempts, locked_until)
        select ${j.paymentId}, ${j.kind}, ${j.idempotencyKey}, ${JSON.stringify(j.payload)}::jsonb,
          ${j.leaseMs === undefined ? 0 : 1},
          ${j.leaseMs === undefined ? null : sql`now() + ${`${j.leaseMs} milliseconds`}::interval`}
        from saved returning *`;
    case 'finish':
      return sql`update payment_jobs set status = ${j.status}, last_error = ${j.lastError}, locked_until = null,
          updated_at = now()
        from saved where payment_jobs.id = ${j.id} returning payment_jobs.*`;
    case 'reschedule':
      return sql`update payment_jobs set last_error = ${j.lastError}, locked_until = null,
          next_run_at = now() + ${`${j.delayMs} milliseconds`}::interval, updated_at = now()
        from saved where payment_jobs.id = ${j.id} returning payment_jobs.*`;
  }
}

/**
 * Writes a payment change computed from `seen` (the row as the caller read it) in ONE statement: the payment, its
 * log entries and its job write, and only if the payment's state and facts are still those of `seen`
 * (compare-and-set; one statement is atomic). Null when someone changed the payment meanwhile: nothing was
 * written. Under the row lock the comparison always holds. `changed`: the state or facts differ from `seen`
 * (otherwise updated_at is kept).
 */
export async function writeChange(
  db: Db,
  seen: PaymentRow,
  next: Payment,
  c: { changed: boolean; failedJob: string | null; events: NewEvent[]; job: JobWrite | null },
): Promise<{ row: PaymentRow; job: JobRow | null } | null> {
  const cols = paymentColumns(next, c.failedJob);
  const jobCte = c.job ? sql`, job as (${jobStatement(c.job)})` : sql``;
  const jobSelect = c.job
    ? sql.join(JOB_COLUMNS.map((k) => sql`job.${sql.ref(k)} as ${sql.ref(`job_${k}`)}`))
    : sql`null as job_id`;
  const r = await sql<PaymentRow & Record<string, unknown>>`${sql.raw(PREPARE)}
    with saved as (
      update payments set state = ${cols.state}, facts = ${JSON.stringify(next.facts)}::jsonb, txid = ${cols.txid},
        amount_authorized = ${cols.amount_authorized}, amount_captured = ${cols.amount_captured},
        amount_refunded = ${cols.amount_refunded}, failed_step = ${cols.failed_step},
        failure_code = ${cols.failure_code}, failure_message = ${cols.failure_message},
        updated_at = ${c.changed ? sql`${new Date()}::timestamptz` : sql`updated_at`}
      where id = ${seen.id} and state = ${seen.state} and facts = ${JSON.stringify(seen.facts)}::jsonb
      returning *
    ), events as (${eventsInsert(c.events, sql`exists (select 1 from saved)`)})${jobCte}
    select saved.*, ${jobSelect} from saved${c.job ? sql` left join job on true` : sql``}`.execute(db);
  const out = r.rows[0];
  if (!out) return null;
  const row: Record<string, unknown> = {};
  const job: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(out)) {
    if (k.startsWith('job_')) job[k.slice(4)] = v;
    else row[k] = v;
  }
  return { row: row as PaymentRow, job: job.id == null ? null : (job as JobRow) };
}

export interface NewEvent {
  paymentId: string | null;
  type: 'request' | 'response' | 'notification' | 'transition' | 'rejected' | 'note';
  name: string;
  stateBefore?: string | null;
  stateAfter?: string | null;
  latencyMs?: number | null;
  data?: unknown;
  at?: Date;
}

/** The payment_events columns of a log entry (`created_at` null: the time of the insert). */
function eventRow(e: NewEvent) {
  return {
    payment_id: e.paymentId,
    type: e.type,
    name: e.name,
    state_before: e.stateBefore ?? null,
    state_after: e.stateAfter ?? null,
    latency_ms: e.latencyMs ?? null,
    data: e.data ?? {},
    created_at: e.at ?? null,
  };
}

/** Inserts log entries in their order, where `when` holds (a condition on the statement's other CTEs). */
function eventsInsert(events: NewEvent[], when: RawBuilder<unknown> = sql`true`) {
  const rows = JSON.stringify(events.map((e, pos) => ({ pos, ...eventRow(e) })));
  return sql`insert into payment_events (payment_id, type, name, state_before, state_after, latency_ms, data, created_at)
    select v.payment_id, v.type, v.name, v.state_before, v.state_after, v.latency_ms, v.data,
      coalesce(v.created_at, now())
    from jsonb_to_recordset(${rows}::jsonb) as v(pos int, payment_id uuid, type text, name text,
      state_before text, state_after text, latency_ms double precision, data jsonb, created_at timestamptz)
    where ${when}
    order by v.pos`;
}

export async function insertEvents(db: Db, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await eventsInsert(events).execute(db);
}

export async function listEvents(db: Db, paymentId: string): Promise<EventRow[]> {
  return db.selectFrom('payment_events').selectAll().where('payment_id', '=', paymentId).orderBy('id').execute();
}

// ---------------------------------------------------------------------------------------------------------
// Outbox

export type JobKind = 'preauthorize' | 'capture' | 'refund';

/** Inserts a job already claimed by the caller (attempt 1, leased) so it can run it at once. */
export async function insertClaimedJob(
  db: Db,
  j: { paymentId: string; kind: JobKind; idempotencyKey: string; payload: unknown; leaseMs: number },
): Promise<JobRow> {
  return db
    .insertInto('payment_jobs')
    .values({
      payment_id: j.paymentId,
      kind: j.kind,
      idempotency_key: j.idempotencyKey,
      payload: JSON.stringify(j.payload),
      attempts: 1,
      locked_until: sql<Date>`now() + ${`${j.leaseMs} milliseconds`}::interval`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Claims due jobs: one statement, FOR UPDATE SKIP LOCKED, attempt counted and lease taken before any PSP call. */
export async function claimJobs(db: Db, limit: number, leaseMs: number): Promise<JobRow[]> {
  const r = await sql<JobRow>`
    update payment_jobs set attempts = attempts + 1,
      locked_until = now() + ${`${leaseMs} milliseconds`}::interval, updated_at = now()
    where id in (
      select id from payment_jobs
      where status = 'pending' and next_run_at <= now() and (locked_until is null or locked_until < now())
      order by next_run_at, id limit ${limit}
      for update skip locked)
    returning *`.execute(db);
  return r.rows;
}

export async function finishJob(db: Db, id: string, status: 'done' | 'failed', lastError: string | null) {
  await db
    .updateTable('payment_jobs')
    .set({ status, last_error: lastError, locked_until: null, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function rescheduleJob(db: Db, id: string, delayMs: number, lastError: string) {
  await db
    .updateTable('payment_jobs')
    .set({
      last_error: lastError,
      locked_until: null,
      next_run_at: sql<Date>`now() + ${`${delayMs} milliseconds`}::interval`,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * The payment's latest job if it gave up (no usable answer after every attempt), claimed again for one more
 * attempt: same idempotency key and payload (reference, sequence number). The attempt is counted on top of the
 * earlier ones, so it is treated as a repeat (907/911 mean "already booked") and gives up again if unanswered.
 */
export async function reclaimFailedJob(db: Db, paymentId: string, leaseMs: number): Promise<JobRow | undefined> {
  const r = await sql<JobRow>`
    update payment_jobs set status = 'pending', attempts = attempts + 1, last_error = null, next_run_at = now(),
      locked_until = now() + ${`${leaseMs} milliseconds`}::interval, updated_at = now()
    where id = (select id from payment_jobs where payment_id = ${paymentId} order by id desc limit 1)
      and status = 'failed'
    returning *`.execute(db);
  return r.rows[0];
}

// ---------------------------------------------------------------------------------------------------------
// Notifications

export async function insertNotification(
  db: Db,
  n: Omit<NotificationRow, 'id' | 'status' | 'payment_id' | 'detail' | 'received_at' | 'processed_at'>,
): Promise<string> {
  const r = await db
    .insertInto('payone_notifications')
    .values({ ...n, fields: JSON.stringify(n.fields) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Stores several notifications in one statement; their ids in the same order. */
export async function insertNotifications(
  db: Db,
  ns: Omit<NotificationRow, 'id' | 'status' | 'payment_id' | 'detail' | 'received_at' | 'processed_at'>[],
): Promise<string[]> {
  const rows = await db
    .insertInto('payone_notifications')
    .values(ns.map((n) => ({ ...n, fields: JSON.stringify(n.fields) })))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Up to `limit` of the oldest unprocessed notifications, locked; those another worker holds are skipped. */
export async function claimNotifications(db: Db, limit: number): Promise<NotificationRow[]> {
  return db
    .selectFrom('payone_notifications')
    .selectAll()
    .where('status', '=', 'received')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Locks, in id order (two workers lock in the same order), the payments with any of these txids or references. */
export async function lockPaymentsForNotifications(
  db: Db,
  txids: string[],
  references: string[],
): Promise<PaymentRow[]> {
  if (txids.length === 0 && references.length === 0) return [];
  return db
    .selectFrom('payments')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(txids.length ? [eb('txid', 'in', txids)] : []),
        ...(references.length ? [eb('reference', 'in', references)] : []),
      ]),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** A notification as the worker needs it (read without a lock). */
export interface PendingNotification {
  id: string;
  fields: Record<string, string>;
  txid: string | null;
  reference: string | null;
  txaction: string | null;
  received_at: string;
}

/** A payment as a notification batch needs it. */
export type NotifiedPayment = Pick<PaymentRow, 'id' | 'reference' | 'currency' | 'state' | 'facts' | 'txid'>;

/**
 * Up to `limit` of the oldest unprocessed notifications and the payments they name (by txid or reference), in ONE
 * statement and without locks: writeNotificationBatch then writes the outcome only if nothing changed meanwhile.
 */
export async function readNotificationBatch(
  db: Db,
  limit: number,
): Promise<{ notes: PendingNotification[]; payments: NotifiedPayment[] }> {
  const r = await sql<{ notes: PendingNotification[]; payments: NotifiedPayment[] }>`${sql.raw(PREPARE)}
    with n as (
      select id, fields, txid, reference, txaction, received_at from payone_notifications
      where status = 'received' order by id limit ${limit}::int
    )
    select
      (select coalesce(json_agg(json_build_object('id', n.id::text, 'fields', n.fields, 'txid', n.txid,
        'reference', n.reference, 'txaction', n.txaction, 'received_at', n.received_at) order by n.id), '[]')
        from n) as notes,
      (select coalesce(json_agg(json_build_object('id', p.id, 'reference', p.reference, 'currency', p.currency,
        'state', p.state, 'facts', p.facts, 'txid', p.txid) order by p.id), '[]')
        from payments p
        where p.txid in (select txid from n where txid is not null)
          or p.reference in (select reference from n where reference is not null)) as payments`.execute(db);
  const row = r.rows[0];
  return { notes: row?.notes ?? [], payments: row?.payments ?? [] };
}

/**
 * Writes a notification batch's outcome in ONE statement — the payments' new state and facts, the log entries, the
 * notifications' marks — only if every payment still has the state and facts it was read with and every
 * notification is still unprocessed (both checked under row locks, taken in this statement). False when either did
 * not hold: nothing was written.
 */
export async function writeNotificationBatch(
  db: Db,
  b: { payments: { seen: NotifiedPayment; next: Payment }[]; events: NewEvent[]; marks: NotificationMark[]; at: Date },
): Promise<boolean> {
  const ok = sql`(select ok from ok)`;
  const r = await sql<{ ok: boolean }>`${sql.raw(PREPARE)}
    with pays as (select * from ${paymentRecords(b.payments)}),
    marks as (select * from ${markRecords(b.marks)}),
    locked_payments as (
      select p.id from payments p join pays v on p.id = v.id and p.state = v.seen_state and p.facts = v.seen_facts
      for update of p
    ), locked_notes as (
      select n.id from payone_notifications n join marks v on n.id = v.id where n.status = 'received'
      for update of n
    ), ok as (
      select (select count(*) from locked_payments) = ${b.payments.length}::int
        and (select count(*) from locked_notes) = ${b.marks.length}::int as ok
    ),
    saved as (${paymentsUpdate(sql`pays v`, b.at, ok)}),
    marked as (${marksUpdate(sql`marks v`, b.at, ok)}),
    logged as (${eventsInsert(b.events, ok)})
    select ${ok} as ok`.execute(db);
  return r.rows[0]?.ok === true;
}

export interface NotificationMark {
  id: string;
  status: 'processed' | 'duplicate' | 'unknown_reference' | 'rejected' | 'ignored';
  paymentId: string | null;
  detail: string | null;
}

/** Notification outcomes as rows `v` (id, status, payment_id, detail). */
function markRecords(marks: NotificationMark[]) {
  const rows = JSON.stringify(
    marks.map((m) => ({ id: m.id, status: m.status, payment_id: m.paymentId, detail: m.detail })),
  );
  return sql`jsonb_to_recordset(${rows}::jsonb) as v(id bigint, status text, payment_id uuid, detail text)`;
}

/** Sets the outcome of the notifications of the rows `v` of `from` (see markRecords), where `when` holds. */
function marksUpdate(from: RawBuilder<unknown>, at: Date, when: RawBuilder<unknown> = sql`true`) {
  return sql`update payone_notifications as n
    set status = v.status, payment_id = v.payment_id, detail = v.detail, processed_at = ${at}
    from ${from} where n.id = v.id and ${when}`;
}

/** Sets the outcome of several notifications in one statement. */
export async function markNotifications(db: Db, marks: NotificationMark[], at: Date): Promise<void> {
  if (marks.length === 0) return;
  await marksUpdate(markRecords(marks), at).execute(db);
}

// ---------------------------------------------------------------------------------------------------------
// Listing

export async function listPayments(
  db: Db,
  q: { state?: string | undefined; limit: number; before?: Date | undefined },
): Promise<PaymentRow[]> {
  let query = db.selectFrom('payments').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(q.limit);
  if (q.state) query = query.where('state', '=', q.state);
  if (q.before) query = query.where('created_at', '<', q.before);
  return query.execute();
}
