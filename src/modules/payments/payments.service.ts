// Payment use cases, one business verb per function: load → core → save → enqueue, then the PSP call OUTSIDE
// any transaction, then record the answer. Every PSP call is an outbox job (payment_jobs) claimed with a lease
// before the call, so a crash at any point is recovered by the worker without calling PAYONE twice for
// the same thing: a preauthorization is re-sent with the same `reference` (PAYONE answers 911), a capture or
// refund with the same `sequencenumber` (PAYONE answers 907), and a job whose result already arrived by
// notification is finished without a call.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { maskValue, notificationDedupeKey, notificationEvent } from '../../payone/mapping.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isCurrency } from './core/money.ts';
import {
  type ApplyOutcome,
  applyEvent,
  newPayment,
  nextSequence,
  type Payment,
  type PaymentEvent,
  type PaymentState,
  type RejectionReason,
} from './core/payment.ts';
import type {
  CredentialUse,
  PaymentProvider,
  ProviderExchange,
  ProviderOutcome,
  ProviderResult,
  ReturnUrls,
} from './core/provider.ts';
import * as repo from './payments.repository.ts';

export type PaymentErrorCode =
  | 'PAYMENT_NOT_FOUND'
  | 'CARD_NOT_FOUND'
  | 'INVALID_INPUT'
  | 'SESSION_HAS_PAYMENT'
  | 'PAYMENT_DECLINED'
  | 'ILLEGAL_STATE'
  | 'AMOUNT_EXCEEDS_AUTHORIZATION'
  | 'AMOUNT_EXCEEDS_REFUNDABLE'
  | 'OPERATION_IN_PROGRESS'
  | 'PSP_OUTCOME_PENDING';

export interface PaymentError {
  code: PaymentErrorCode;
  message: string;
  paymentId?: string;
  pspCode?: string;
  customerMessage?: string | null;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: PaymentError };
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(error: PaymentError): Result<T> => ({ ok: false, error });

export interface PreauthorizeInput {
  sessionRef: string;
  ownerRef?: string | null;
  amount: number;
  currency: string;
  card:
    | { pseudocardpan: string; store?: { maskedPan: string; brand: string; expiry: string } }
    | { storedCardId: string };
  /** Null when the customer is absent (merchant-initiated; a stored card is required). */
  returnUrls: ReturnUrls | null;
}

export interface PaymentView {
  id: string;
  session_ref: string;
  owner_ref: string | null;
  reference: string;
  state: PaymentState;
  currency: string;
  amounts: { requested: number; authorized: number; captured: number; refunded: number };
  txid: string | null;
  redirect_url: string | null;
  failed_step: string | null;
  failure: { code: string | null; message: string | null } | null;
  created_at: string;
  updated_at: string;
}

export function toView(r: repo.PaymentRow): PaymentView {
  const facts = r.facts as Payment['facts'];
  return {
    id: r.id,
    session_ref: r.session_ref,
    owner_ref: r.owner_ref,
    reference: r.reference,
    state: r.state as PaymentState,
    currency: r.currency,
    amounts: {
      requested: Number(r.amount_requested),
      authorized: Number(r.amount_authorized),
      captured: Number(r.amount_captured),
      refunded: Number(r.amount_refunded),
    },
    txid: r.txid,
    redirect_url: r.state === 'redirect_pending' ? facts.redirectUrl : null,
    failed_step: r.failed_step,
    failure: r.failed_step ? { code: r.failure_code, message: r.failure_message } : null,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

interface PreauthPayload {
  amount: number;
  currency: string;
  returnUrls: ReturnUrls | null;
  credential: CredentialUse;
  customerId: string | null;
}
interface SeqPayload {
  sequence: number;
  amount: number;
  final?: boolean;
}

export interface PaymentsServiceOptions {
  db: Kysely<Database>;
  provider: PaymentProvider;
  /** Lease on a claimed job; must exceed the PSP timeout. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Test hook: called after the PSP answered and before we write the answer. */
  afterProviderCall?: (job: repo.JobRow) => Promise<void>;
  onJobDone?: () => void;
}

const REJECTION_CODES: Record<RejectionReason, PaymentErrorCode> = {
  illegal_in_state: 'ILLEGAL_STATE',
  backward_transition: 'ILLEGAL_STATE',
  txid_mismatch: 'ILLEGAL_STATE',
  currency_mismatch: 'INVALID_INPUT',
  unknown_sequence: 'ILLEGAL_STATE',
  invalid_amount: 'INVALID_INPUT',
  amount_exceeds_authorization: 'AMOUNT_EXCEEDS_AUTHORIZATION',
  amount_exceeds_refundable: 'AMOUNT_EXCEEDS_REFUNDABLE',
  sequence_in_use: 'OPERATION_IN_PROGRESS',
  operation_in_progress: 'OPERATION_IN_PROGRESS',
};

/** PAYONE reference: 20 chars of [0-9a-zA-Z], unique per portal (random, so a retry never collides). */
export function newReference(): string {
  return `LT${Date.now().toString(36).toUpperCase()}${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 20);
}

function backoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
}

function eventsForOutcome(o: ApplyOutcome, paymentId: string, name: string, data: unknown = {}): repo.NewEvent[] {
  if (o.kind === 'applied' && o.from !== o.to)
    return [{ paymentId, type: 'transition', name, stateBefore: o.from, stateAfter: o.to, data }];
  if (o.kind === 'rejected')
    return [
      {
        paymentId,
        type: 'rejected',
        name,
        stateBefore: o.payment.state,
        stateAfter: o.payment.state,
        data: { reason: o.reason, detail: o.detail },
      },
    ];
  return [];
}

function exchangeEvents(
  paymentId: string,
  name: string,
  x: ProviderExchange,
  outcome: ProviderOutcome,
): repo.NewEvent[] {
  return [
    { paymentId, type: 'request', name, data: { params: x.request }, at: x.startedAt },
    {
      paymentId,
      type: 'response',
      name,
      latencyMs: x.latencyMs,
      data: { http_status: x.httpStatus, params: x.response, outcome },
    },
  ];
}

/** The events of a change applied to the payment as read (pure, from the core). */
interface Applied {
  payment: Payment;
  outcomes: ApplyOutcome[];
  /** State or facts differ from the payment as read. */
  changed: boolean;
}

/** A change to one payment, decided from the payment as read (see changePayment). */
interface Change<T> {
  events: Array<{ e: PaymentEvent; name: string; data?: unknown }>;
  /** Log entries before and after the transitions (PSP request/response, notes). */
  before?: repo.NewEvent[];
  after?: repo.NewEvent[];
  /** The job step whose giving up failed the payment (for its failure fields). */
  failedJob?: string | null;
  /** What happens to the outbox, given the applied events; null: nothing. */
  job?: (a: Applied) => repo.JobWrite | null;
  /** The caller's answer from what was written. */
  result: (w: Applied & { row: repo.PaymentRow; job: repo.JobRow | null }) => T;
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;

export function createPaymentsService(opts: PaymentsServiceOptions) {
  const { db, provider } = opts;
  const leaseMs = opts.leaseMs ?? 90_000;
  const maxAttempts = opts.maxAttempts ?? 8;

  /**
   * Reads the payment, lets `decide` say what to change (events to apply, log entries, the job write) and writes it:
   * in one compare-and-set statement when no-one changed the payment since it was read (the usual case), else
   * again under the row lock with a fresh read. `seen`: the row as the caller just read or wrote it (saves the
   * read). `decide` may run twice, so it must only compute. Undefined when the payment does not exist.
   */
  async function changePayment<T>(
    id: string,
    decide: (row: repo.PaymentRow) => Change<T>,
    seen?: repo.PaymentRow,
  ): Promise<T | undefined> {
    const first = seen ?? (await repo.getPaymentRow(db, id));
    if (!first) return undefined;
    const fast = await writeDecided(db, first, decide(first), false);
    if (fast !== null) return fast.value;
    return db.transaction().execute(async (tx) => {
      const row = await repo.lockPayment(tx, id);
      if (!row) return undefined;
      const locked = await writeDecided(tx, row, decide(row), true);
      if (locked === null) throw new Error(`payment ${id} changed under its row lock`);
      return locked.value;
    });
  }

  /** Applies a decided change to `row` and writes it if the payment is still as `row`; null when it is not. */
  async function writeDecided<T>(
    tx: repo.Db,
    row: repo.PaymentRow,
    c: Change<T>,
    locked: boolean,
  ): Promise<{ value: T } | null> {
    const p = repo.toPayment(row);
    let cur = p;
    const outcomes: ApplyOutcome[] = [];
    const log: repo.NewEvent[] = [...(c.before ?? [])];
    for (const { e, name, data } of c.events) {
      const o = applyEvent(cur, e);
      outcomes.push(o);
      log.push(...eventsForOutcome(o, p.id, name, data));
      cur = o.payment;
    }
    log.push(...(c.after ?? []));
    const changed = cur !== p;
    // Saving the card for OneClick (first authorization of a card the driver asked to keep) runs under the lock.
    const card = row.card as repo.PaymentCard | null;
    const storesCard = cur.state === 'pre_authorized' && p.state !== 'pre_authorized' && !!card?.storeAs;
    if (storesCard && !locked) return null;
    const applied = { payment: cur, outcomes, changed };
    const saved = await repo.writeChange(tx, row, cur, {
      changed,
      failedJob: c.failedJob ?? null,
      events: log,
      job: c.job?.(applied) ?? null,
    });
    if (!saved) return null;
    if (storesCard) await storeCardIfAsked(tx, cur.id);
    return { value: c.result({ ...applied, row: saved.row, job: saved.job }) };
  }

  async function storeCardIfAsked(tx: repo.Db, paymentId: string) {
    const row = await repo.getPaymentRow(tx, paymentId);
    const card = row?.card as repo.PaymentCard | null;
    if (!row?.owner_ref || !card?.storeAs) return;
    const hasCards = await tx
      .selectFrom('stored_cards')
      .select('id')
      .where('owner_ref', '=', row.owner_ref)
      .limit(1)
      .executeTakeFirst();
    await tx
      .insertInto('stored_cards')
      .values({
        id: randomUUID(),
        owner_ref: row.owner_ref,
        pseudocardpan: card.pseudocardpan,
        masked_pan: card.storeAs.maskedPan,
        brand: card.storeAs.brand,
        expiry: card.storeAs.expiry,
        is_default: !hasCards, // the first card becomes the default
      })
      .onConflict((oc) => oc.columns(['owner_ref', 'pseudocardpan']).doNothing())
      .execute();
  }

  async function view(id: string): Promise<PaymentView> {
    return toView((await repo.getPaymentRow(db, id))!);
  }

  // -------------------------------------------------------------------------------------------------------
  // Running one job: the PSP call happens here, outside any transaction.

  /** Runs a claimed job; `known` is the payment row when the caller just wrote it (saves a read). */
  async function runJob(job: repo.JobRow, known?: repo.PaymentRow): Promise<repo.PaymentRow | undefined> {
    const row = known ?? (await repo.getPaymentRow(db, job.payment_id));
    if (!row) {
      await repo.finishJob(db, job.id, 'failed', 'payment missing');
      return undefined;
    }
    const p = repo.toPayment(row);
    const card = row.card as repo.PaymentCard;
    const retry = job.attempts > 1; // an earlier attempt may have reached PAYONE
    let result: ProviderResult;
    let seq: SeqPayload | null = null;
    if (job.kind === 'preauthorize') {
      if (p.state !== 'preauth_requested') {
        await finishWithNote(job, p, 'already answered (notification)');
        return undefined;
      }
      const pl = job.payload as PreauthPayload;
      result = await provider.preauthorize({
        reference: p.reference,
        amount: pl.amount,
        currency: pl.currency,
        card: { pseudocardpan: card.pseudocardpan },
        returnUrls: pl.returnUrls,
        credential: pl.credential,
        customerId: pl.customerId ?? undefined,
        param: p.id.replaceAll('-', ''),
      });
    } else {
      seq = job.payload as SeqPayload;
      const k = String(seq.sequence);
      const map =
        job.kind === 'capture'
          ? [p.facts.captures, p.facts.captureDeclines]
          : [p.facts.refunds, p.facts.refundDeclines];
      if (map.some((m) => k in m)) {
        await finishWithNote(job, p, 'already confirmed (notification)');
        return undefined;
      }
      if (!p.facts.txid) {
        await repo.rescheduleJob(db, job.id, backoffMs(job.attempts), 'txid not known yet');
        return undefined;
      }
      const cmd = { txid: p.facts.txid, sequence: seq.sequence, amount: seq.amount, currency: p.currency };
      result =
        job.kind === 'capture'
          ? await provider.capture({ ...cmd, final: seq.final ?? true })
          : await provider.refund(cmd);
    }
    await opts.afterProviderCall?.(job);
    const after = await recordResult(job, result, retry, seq, row);
    opts.onJobDone?.();
    return after;
  }

  async function finishWithNote(job: repo.JobRow, p: Payment, note: string) {
    await db.transaction().execute(async (tx) => {
      await repo.insertEvents(tx, [{ paymentId: p.id, type: 'note', name: `${job.kind}_skipped`, data: { note } }]);
      await repo.finishJob(tx, job.id, 'done', null);
    });
  }

  /** Records PAYONE's answer to a job; `seen`: the payment as read before the call (saves a read). */
  async function recordResult(
    job: repo.JobRow,
    r: ProviderResult,
    retry: boolean,
    seq: SeqPayload | null,
    seen?: repo.PaymentRow,
  ): Promise<repo.PaymentRow | undefined> {
    const o = r.outcome;
    const requestName = String(r.exchange.request.request ?? job.kind);
    const events: Array<{ e: PaymentEvent; name: string; data?: unknown }> = [];
    let jobStatus: 'done' | 'failed' | 'retry' = 'done';
    let note: string | null = null;
    const kindPrefix = job.kind === 'preauthorize' ? 'preauth' : job.kind;

    if (o.status === 'unknown' || (o.status === 'error' && o.retryable)) {
      jobStatus = job.attempts >= maxAttempts ? 'failed' : 'retry';
      note = o.status === 'unknown' ? o.detail : `${o.code} ${o.message}`;
    } else if (job.kind === 'preauthorize') {
      if (o.status === 'approved')
        events.push({ e: { type: 'preauth_approved', txid: o.txid, userid: o.userid }, name: 'preauth_approved' });
      else if (o.status === 'redirect')
        events.push({
          e: { type: 'preauth_redirect', txid: o.txid, redirectUrl: o.redirectUrl, userid: o.userid },
          name: 'preauth_redirect',
        });
      else if (o.status === 'pending') {
        if (o.txid)
          events.push({ e: { type: 'preauth_pending', txid: o.txid, userid: o.userid }, name: 'preauth_pending' });
      } else if (o.status === 'error' && o.class === 'duplicate_reference' && retry) {
        note = 'reference already known to PAYONE: an earlier attempt went through; waiting for its notification';
      } else if (o.status === 'error') {
        events.push({ e: { type: 'preauth_declined', code: o.code, message: o.message }, name: 'preauth_declined' });
      }
    } else if (seq) {
      const s = seq.sequence;
      const approved: PaymentEvent =
        job.kind === 'capture' ? { type: 'capture_approved', sequence: s } : { type: 'refund_approved', sequence: s };
      if (o.status === 'approved') events.push({ e: approved, name: `${kindPrefix}_approved` });
      else if (o.status === 'pending') note = 'PENDING: waiting for the TransactionStatus';
      else if (o.status === 'error' && o.class === 'sequence' && retry) {
        // The same sequencenumber was already booked: our earlier attempt reached PAYONE. Never send it again.
        events.push({ e: approved, name: `${kindPrefix}_approved`, data: { inferred_from: `errorcode ${o.code}` } });
        note = `inferred from ${o.code} on a repeated request: the earlier attempt was booked`;
      } else if (o.status === 'error') {
        const declined: PaymentEvent =
          job.kind === 'capture'
            ? { type: 'capture_declined', sequence: s, code: o.code, message: o.message }
            : { type: 'refund_declined', sequence: s, code: o.code, message: o.message };
        events.push({ e: declined, name: `${kindPrefix}_declined` });
      }
    }
    const paymentId = job.payment_id;
    return changePayment(
      paymentId,
      () => ({
        events,
        failedJob: jobStatus === 'failed' ? job.kind : null,
        before: exchangeEvents(paymentId, requestName, r.exchange, o),
        after: note
          ? [{ paymentId, type: 'note', name: `${job.kind}_${jobStatus}`, data: { note, attempt: job.attempts } }]
          : [],
        job: () =>
          jobStatus === 'retry'
            ? { op: 'reschedule', id: job.id, delayMs: backoffMs(job.attempts), lastError: note ?? '' }
            : { op: 'finish', id: job.id, status: jobStatus, lastError: jobStatus === 'failed' ? note : null },
        result: (w) => w.row,
      }),
      seen,
    );
  }

  async function runClaimedInline(job: repo.JobRow, known?: repo.PaymentRow): Promise<repo.PaymentRow | undefined> {
    try {
      return await runJob(job, known);
    } catch (e) {
      // Leave the job leased: the worker retries after the lease expires.
      await repo.rescheduleJob(db, job.id, backoffMs(job.attempts), (e as Error).message).catch(() => {});
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Use cases

  async function preauthorize(input: PreauthorizeInput): Promise<Result<PaymentView>> {
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0 || input.amount > 1_999_999_999)
      return fail({ code: 'INVALID_INPUT', message: 'amount must be a positive integer in minor units' });
    if (!isCurrency(input.currency)) return fail({ code: 'INVALID_INPUT', message: 'currency must be ISO 4217' });
    if (!input.sessionRef) return fail({ code: 'INVALID_INPUT', message: 'sessionRef is required' });
    let card: repo.PaymentCard;
    let credential: CredentialUse;
    if ('storedCardId' in input.card) {
      const stored = await db
        .selectFrom('stored_cards')
        .selectAll()
        .where('id', '=', input.card.storedCardId)
        .where('owner_ref', '=', input.ownerRef ?? '')
        .executeTakeFirst();
      if (!stored) return fail({ code: 'CARD_NOT_FOUND', message: 'no such stored card for this customer' });
      card = { pseudocardpan: stored.pseudocardpan, storedCardId: stored.id, storeAs: null };
      credential = input.returnUrls ? { kind: 'stored_customer_initiated' } : { kind: 'stored_merchant_initiated' };
    } else {
      if (!/^\d{10,25}$/.test(input.card.pseudocardpan))
        return fail({ code: 'INVALID_INPUT', message: 'pseudocardpan must be PAYONE digits' });
      if (!input.returnUrls)
        return fail({ code: 'INVALID_INPUT', message: 'returnUrls are required when the customer is present' });
      const storeAs = input.card.store && input.ownerRef ? input.card.store : null;
      card = { pseudocardpan: input.card.pseudocardpan, storedCardId: null, storeAs };
      credential = storeAs ? { kind: 'store_initial' } : { kind: 'single' };
    }
    const id = randomUUID();
    const created = applyEvent(newPayment(id, newReference(), input.currency), {
      type: 'preauth_requested',
      amount: input.amount,
    });
    if (created.kind !== 'applied') return fail({ code: 'INVALID_INPUT', message: 'cannot create payment' });
    let job: repo.JobRow;
    try {
      job = await db.transaction().execute(async (tx) => {
        await repo.insertPayment(tx, created.payment, {
          sessionRef: input.sessionRef,
          ownerRef: input.ownerRef ?? null,
          card,
        });
        await repo.insertEvents(tx, [
          {
            paymentId: id,
            type: 'transition',
            name: 'preauth_requested',
            stateBefore: 'created',
            stateAfter: created.payment.state,
            data: {
              amount: input.amount,
              currency: input.currency,
              card: maskValue('pseudocardpan', card.pseudocardpan),
            },
          },
        ]);
        const payload: PreauthPayload = {
          amount: input.amount,
          currency: input.currency,
          returnUrls: input.returnUrls,
          credential,
          customerId: input.ownerRef ? input.ownerRef.replace(/[^0-9a-zA-Z._\-/]/g, '').slice(0, 20) || null : null,
        };
        return repo.insertClaimedJob(tx, {
          paymentId: id,
          kind: 'preauthorize',
          idempotencyKey: `${created.payment.reference}:preauth`,
          payload,
          leaseMs,
        });
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') {
        const existing = await db
          .selectFrom('payments')
          .select('id')
          .where('live_session_ref', '=', input.sessionRef)
          .executeTakeFirst();
        return fail({
          code: 'SESSION_HAS_PAYMENT',
          message: 'this charging session already has a live payment',
          ...(existing ? { paymentId: existing.id } : {}),
        });
      }
      throw e;
    }
    await runClaimedInline(job);
    const v = await view(id);
    if (v.state === 'failed')
      return fail({
        code: 'PAYMENT_DECLINED',
        message: v.failure?.message ?? 'declined',
        paymentId: id,
        pspCode: v.failure?.code ?? undefined,
      });
    return ok(v);
  }

  /** Shared by capture and refund: validate in core, persist the intent and a claimed job, then call PAYONE. */
  async function requestOnPayment(
    paymentId: string,
    kind: 'capture' | 'refund',
    amount: number,
    runInline: boolean,
  ): Promise<Result<PaymentView>> {
    if (!Number.isSafeInteger(amount) || amount < 0 || (kind === 'refund' && amount === 0))
      return fail({ code: 'INVALID_INPUT', message: 'amount must be a non-negative integer in minor units' });
    const r = await changePayment(paymentId, (row): Change<Result<{ job: repo.JobRow; row: repo.PaymentRow }>> => {
      const p = repo.toPayment(row);
      const sequence = nextSequence(p);
      const e: PaymentEvent =
        kind === 'capture'
          ? { type: 'capture_requested', sequence, amount }
          : { type: 'refund_requested', sequence, amount };
      // A rejected or ignored request (e.g. a second capture while the first is open) is logged, never a job: a
      // second job would get the next sequence number.
      const opens = (a: Applied) => a.outcomes[0]!.kind === 'applied' && a.changed;
      return {
        events: [{ e, name: e.type, data: { amount, sequence } }],
        job: (a) =>
          opens(a)
            ? {
                op: 'insert',
                paymentId,
                kind,
                idempotencyKey: `${p.reference}:${kind}:${sequence}`,
                payload: { sequence, amount, final: true } satisfies SeqPayload,
                ...(runInline ? { leaseMs } : {}),
              }
            : null,
        result: (w) => {
          const o = w.outcomes[0]!;
          if (o.kind === 'rejected') return fail({ code: REJECTION_CODES[o.reason], message: o.detail, paymentId });
          if (!opens(w) || !w.job)
            return fail({
              code: 'OPERATION_IN_PROGRESS',
              message: `a ${kind} on this payment is already open`,
              paymentId,
            });
          return ok({ job: w.job, row: w.row });
        },
      };
    });
    if (!r) return fail({ code: 'PAYMENT_NOT_FOUND', message: `payment ${paymentId} does not exist` });
    if (!r.ok) return r;
    const after = runInline ? await runClaimedInline(r.value.job, r.value.row) : r.value.row;
    const v = after ? toView(after) : await view(paymentId);
    if (v.failed_step === kind)
      return fail({
        code: 'PAYMENT_DECLINED',
        message: v.failure?.message ?? 'declined',
        paymentId,
        pspCode: v.failure?.code ?? undefined,
      });
    return ok(v);
  }

  /** Books the final amount of the session (0 releases the whole reservation; the rest is always released). */
  function capture(paymentId: string, finalAmount: number, o: { inline?: boolean } = {}) {
    return requestOnPayment(paymentId, 'capture', finalAmount, o.inline ?? true);
  }

  /** Credits `amount` back (PAYONE debit with a negative amount, or refund). */
  function refund(paymentId: string, amount: number, o: { inline?: boolean } = {}) {
    return requestOnPayment(paymentId, 'refund', amount, o.inline ?? true);
  }

  /**
   * Back office: asks PAYONE once more for the request that got no usable answer after every attempt (capture,
   * refund or preauthorization). The job keeps its reference and sequence number, so PAYONE books it at most once:
   * a repeat of something it already booked is answered 907/911 and recorded as booked. One attempt per call.
   */
  async function retryUnanswered(paymentId: string): Promise<Result<PaymentView>> {
    const job = await db.transaction().execute(async (tx) => {
      const row = await repo.lockPayment(tx, paymentId);
      if (!row) return 'missing' as const;
      const j = await repo.reclaimFailedJob(tx, paymentId, leaseMs);
      if (!j) return 'nothing' as const;
      await repo.savePayment(tx, repo.toPayment(row)); // the failed step is cleared while the retry runs
      await repo.insertEvents(tx, [
        { paymentId, type: 'note', name: 'retry_requested', data: { kind: j.kind, by: 'back office' } },
      ]);
      return j;
    });
    if (job === 'missing') return fail({ code: 'PAYMENT_NOT_FOUND', message: `payment ${paymentId} does not exist` });
    if (job === 'nothing')
      return fail({
        code: 'ILLEGAL_STATE',
        message: 'nothing to retry: no request of this payment gave up',
        paymentId,
      });
    await runClaimedInline(job);
    return ok(await view(paymentId));
  }

  // -------------------------------------------------------------------------------------------------------
  // Notifications

  // Notifications that arrive while an insert is in flight are stored together by the next insert (one statement
  // for all of them); each caller still resolves only once the insert holding its row has committed.
  type NewNotification = Parameters<typeof repo.insertNotification>[1];
  const waiting: { row: NewNotification; resolve: (id: string) => void; reject: (e: unknown) => void }[] = [];
  let inserting = false;
  function storeNotification(row: NewNotification): Promise<string> {
    return new Promise((resolve, reject) => {
      waiting.push({ row, resolve, reject });
      flushNotifications();
    });
  }
  function flushNotifications(): void {
    if (inserting || waiting.length === 0) return;
    const batch = waiting.splice(0, 200);
    inserting = true;
    repo
      .insertNotifications(
        db,
        batch.map((b) => b.row),
      )
      .then(
        (ids) => {
          for (const [i, b] of batch.entries()) b.resolve(ids[i]!);
        },
        async (e: unknown) => {
          if (batch.length === 1) return batch[0]!.reject(e);
          // One row the database refuses must not fail the others: each on its own.
          for (const b of batch) await repo.insertNotification(db, b.row).then(b.resolve, b.reject);
        },
      )
      .finally(() => {
        inserting = false;
        flushNotifications();
      });
  }

  /** Stores a verified notification; the caller answers TSOK only after this resolved (the insert committed). */
  async function receiveNotification(n: {
    raw: Buffer;
    contentType: string | undefined;
    remoteIp: string;
    fields: Record<string, string>;
  }): Promise<string> {
    const f = n.fields;
    const seq = Number.parseInt(f.sequencenumber ?? '', 10);
    const stored: Record<string, string> = {};
    for (const [k, v] of Object.entries(f)) stored[k] = maskValue(k, v);
    return storeNotification({
      raw_body: n.raw.toString('latin1').replace(/(^|&)key=[^&]*/, '$1key=***'),
      content_type: n.contentType ?? null,
      remote_ip: n.remoteIp,
      fields: stored,
      txid: f.txid || null,
      reference: f.reference || null,
      txaction: f.txaction || null,
      sequencenumber: Number.isFinite(seq) ? seq : null,
      transaction_status: f.transaction_status || null,
      dedupe_key: notificationDedupeKey(f),
    });
  }

  /** Processes the oldest unprocessed notification (a batch of one); returns false when there is none. */
  async function handleNotification(): Promise<boolean> {
    return (await handleNotifications(1)) > 0;
  }

  /**
   * What a batch of notifications does, each applied in arrival order to its payment as the ones before left it:
   * the payments that changed, the log entries and every notification's outcome (pure apart from the clock).
   */
  function decideNotifications(
    ns: repo.PendingNotification[],
    rows: repo.NotifiedPayment[],
  ): {
    changed: { seen: repo.NotifiedPayment; next: Payment }[];
    log: repo.NewEvent[];
    marks: repo.NotificationMark[];
    becamePreauthorized: Set<string>;
  } {
    const current = new Map(rows.map((r) => [r.id, repo.toPayment(r)] as const));
    const original = new Map(current);
    const becamePreauthorized = new Set<string>();
    const find = (txid: string | null, reference: string | null) =>
      (txid ? rows.find((r) => r.txid === txid) : undefined) ??
      (reference ? rows.find((r) => r.reference === reference) : undefined);
    const log: repo.NewEvent[] = [];
    const marks: repo.NotificationMark[] = [];
    for (const n of ns) {
      const fields = n.fields;
      const row = find(n.txid, n.reference);
      if (!row) {
        marks.push({
          id: n.id,
          status: 'unknown_reference',
          paymentId: null,
          detail: 'no payment with this txid or reference',
        });
        continue;
      }
      const p = current.get(row.id)!;
      log.push({
        paymentId: p.id,
        type: 'notification',
        name: n.txaction ?? 'unknown',
        data: { notification_id: n.id, fields },
        at: new Date(n.received_at),
      });
      const e = notificationEvent(fields);
      if (!e) {
        marks.push({
          id: n.id,
          status: 'ignored',
          paymentId: p.id,
          detail: `txaction ${n.txaction} is not one we know`,
        });
        continue;
      }
      const o = applyEvent(p, e);
      log.push(...eventsForOutcome(o, p.id, `notify_${e.txaction}`, { notification_id: n.id }));
      if (o.payment.state === 'pre_authorized' && p.state !== 'pre_authorized') becamePreauthorized.add(p.id);
      current.set(p.id, o.payment);
      const status =
        o.kind === 'rejected'
          ? 'rejected'
          : o.kind === 'unchanged'
            ? o.why === 'duplicate'
              ? 'duplicate'
              : 'ignored'
            : 'processed';
      marks.push({
        id: n.id,
        status,
        paymentId: p.id,
        detail: o.kind === 'rejected' ? `${o.reason}: ${o.detail}` : null,
      });
    }
    const changed = rows.flatMap((r) => {
      const next = current.get(r.id)!;
      return next === original.get(r.id) ? [] : [{ seen: r, next }];
    });
    return { changed, log, marks, becamePreauthorized };
  }

  /**
   * Processes up to `limit` of the oldest unprocessed notifications; returns how many. The same as handling them one
   * after the other (batches of one), with fewer round trips: read (notifications and their payments, one
   * statement), decide, write (one compare-and-set statement). When a payment or a notification changed between
   * the read and the write — another worker, our own capture's answer — or a payment became pre-authorized (a card
   * may have to be stored), the batch is done again under row locks instead. An error rolls the whole batch back
   * (nothing half-processed); the worker then goes one at a time.
   */
  async function handleNotifications(limit: number): Promise<number> {
    const { notes, payments: rows } = await repo.readNotificationBatch(db, limit);
    if (notes.length === 0) return 0;
    const d = decideNotifications(notes, rows);
    if (
      d.becamePreauthorized.size === 0 &&
      (await repo.writeNotificationBatch(db, {
        payments: d.changed,
        events: d.log,
        marks: d.marks,
        at: new Date(),
      }))
    )
      return notes.length;
    return handleNotificationsLocked(limit);
  }

  /** handleNotifications under row locks, in one transaction (the payments locked in id order). */
  async function handleNotificationsLocked(limit: number): Promise<number> {
    return db.transaction().execute(async (tx) => {
      const ns = await repo.claimNotifications(tx, limit);
      if (ns.length === 0) return 0;
      const rows = await repo.lockPaymentsForNotifications(
        tx,
        [...new Set(ns.flatMap((n) => (n.txid ? [n.txid] : [])))],
        [...new Set(ns.flatMap((n) => (n.reference ? [n.reference] : [])))],
      );
      const d = decideNotifications(
        ns.map((n) => ({
          id: n.id,
          fields: n.fields as Record<string, string>,
          txid: n.txid,
          reference: n.reference,
          txaction: n.txaction,
          received_at: new Date(n.received_at).toISOString(),
        })),
        rows,
      );
      await repo.savePayments(
        tx,
        d.changed.map((c) => c.next),
      );
      await repo.insertEvents(tx, d.log);
      for (const id of d.becamePreauthorized) await storeCardIfAsked(tx, id);
      await repo.markNotifications(tx, d.marks, new Date());
      return ns.length;
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Queries

  async function getPayment(id: string): Promise<Result<{ payment: PaymentView; timeline: repo.EventRow[] }>> {
    const row = await repo.getPaymentRow(db, id);
    if (!row) return fail({ code: 'PAYMENT_NOT_FOUND', message: `payment ${id} does not exist` });
    return ok({ payment: toView(row), timeline: await repo.listEvents(db, id) });
  }

  /** The payment without its timeline (one read). */
  async function getPaymentView(id: string): Promise<Result<PaymentView>> {
    const row = await repo.getPaymentRow(db, id);
    if (!row) return fail({ code: 'PAYMENT_NOT_FOUND', message: `payment ${id} does not exist` });
    return ok(toView(row));
  }

  async function listPayments(q: { state?: string | undefined; limit?: number; before?: Date | undefined }) {
    return (await repo.listPayments(db, { ...q, limit: q.limit ?? 50 })).map(toView);
  }

  return {
    preauthorize,
    capture,
    refund,
    retryUnanswered,
    receiveNotification,
    handleNotification,
    handleNotifications,
    runJob,
    claimJobs: (limit: number) => repo.claimJobs(db, limit, leaseMs),
    getPayment,
    getPaymentView,
    listPayments,
  };
}
