// The payment state machine (pure). A payment accumulates *facts* keyed by PAYONE sequence number
// (what we asked for, what PAYONE confirmed); its state is a function of those facts. Because facts are keyed
// and only ever added, any interleaving of duplicate and reordered notifications yields the same facts and so
// the same state and amounts. Two exhaustive tables guard every change: RULES (which event is legal in which
// state) and EDGES (which state changes are forward). An illegal or backward change is returned as a value
// (`rejected`) and never applied.

export const PAYMENT_STATES = [
  'created',
  'preauth_requested',
  'redirect_pending',
  'pre_authorized',
  'capture_requested',
  'captured',
  'paid',
  'partially_refunded',
  'refunded',
  'released',
  'failed',
  'charged_back',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** TransactionStatus `txaction` values (PAYONE doc list plus `pending` from the old PHP SDK). */
export const TXACTIONS = [
  'appointed',
  'capture',
  'paid',
  'underpaid',
  'cancelation',
  'refund',
  'debit',
  'failed',
  'reminder',
  'vauthorization',
  'vsettlement',
  'transfer',
  'invoice',
  'pending',
] as const;
export type Txaction = (typeof TXACTIONS)[number];

export interface Decline {
  code: string;
  message: string;
}

/** Everything we know about a payment; every map is keyed by PAYONE sequence number. */
export interface PaymentFacts {
  preauthRequested: boolean;
  /** Amount we asked PAYONE to reserve. */
  requestedAmount: number;
  txid: string | null;
  userid: string | null;
  redirectUrl: string | null;
  /** Reserved amount once PAYONE approved (response) or reported `appointed/completed`. */
  authorized: number | null;
  /** `appointed` with transaction_status=pending or a PENDING response: outcome still open. */
  authorizationPending: boolean;
  preauthDecline: Decline | null;
  failedNotified: boolean;
  captureIntents: Record<string, number>;
  captures: Record<string, number>;
  captureDeclines: Record<string, Decline>;
  refundIntents: Record<string, number>;
  refunds: Record<string, number>;
  refundDeclines: Record<string, Decline>;
  paid: boolean;
  underpaid: boolean;
  chargeback: string | null; // failedcause, e.g. "cb"
  /** Highest sequence number used by us or reported by PAYONE. */
  lastSeq: number;
}

export interface Payment {
  readonly id: string;
  readonly reference: string;
  readonly currency: string;
  readonly state: PaymentState;
  readonly facts: PaymentFacts;
}

export interface NotificationEvent {
  type: 'notification';
  txaction: Txaction;
  txid: string;
  sequence: number;
  transactionStatus: 'completed' | 'pending' | null;
  currency: string | null;
  /** Amounts already converted to minor units (null when absent or unparsable). */
  price: number | null;
  receivable: number | null;
  balance: number | null;
  failedcause: string | null;
}

export type PaymentEvent =
  | { type: 'preauth_requested'; amount: number }
  | { type: 'preauth_approved'; txid: string; userid: string | null }
  | { type: 'preauth_redirect'; txid: string; redirectUrl: string; userid: string | null }
  | { type: 'preauth_pending'; txid: string; userid: string | null }
  | { type: 'preauth_declined'; code: string; message: string }
  | { type: 'capture_requested'; sequence: number; amount: number }
  | { type: 'capture_approved'; sequence: number }
  | { type: 'capture_declined'; sequence: number; code: string; message: string }
  | { type: 'refund_requested'; sequence: number; amount: number }
  | { type: 'refund_approved'; sequence: number }
  | { type: 'refund_declined'; sequence: number; code: string; message: string }
  | NotificationEvent;

export type EventKind = Exclude<PaymentEvent['type'], 'notification'> | `notify_${Txaction}`;

export function eventKind(e: PaymentEvent): EventKind {
  return e.type === 'notification' ? `notify_${e.txaction}` : e.type;
}

// ---------------------------------------------------------------------------------------------------------
// Tables

type Rule = 'accept' | 'ignore' | 'reject';
type RuleRow = Readonly<Record<PaymentState, Rule>>;

const S = PAYMENT_STATES;
/** A row: `accept` in the listed states, `ignore` in `ignored`, `reject` everywhere else. */
function row(accepted: readonly PaymentState[], ignored: readonly PaymentState[] = []): RuleRow {
  return Object.fromEntries(
    S.map((s) => [s, accepted.includes(s) ? 'accept' : ignored.includes(s) ? 'ignore' : 'reject']),
  ) as Record<PaymentState, Rule>;
}
const AFTER_PREAUTH: PaymentState[] = [
  'preauth_requested',
  'redirect_pending',
  'pre_authorized',
  'capture_requested',
  'captured',
  'paid',
  'partially_refunded',
  'refunded',
  'released',
  'charged_back',
];
const AFTER_CAPTURE_REQUEST: PaymentState[] = [
  'capture_requested',
  'captured',
  'paid',
  'partially_refunded',
  'refunded',
  'released',
  'failed',
  'charged_back',
];
const CAPTURED: PaymentState[] = ['captured', 'paid', 'partially_refunded', 'refunded', 'charged_back'];
const EVERYWHERE_IGNORED = row([], S);

/**
 * For every event kind and every state: accept (apply the facts, derive the state), ignore (record only) or
 * reject (illegal here). Exhaustive by type: adding a state or a txaction fails compilation until classified.
 */
export const RULES: Readonly<Record<EventKind, RuleRow>> = {
  preauth_requested: row(['created'], ['preauth_requested']),
  preauth_approved: row(AFTER_PREAUTH),
  preauth_redirect: row(AFTER_PREAUTH),
  preauth_pending: row(AFTER_PREAUTH),
  // A decline after PAYONE already reserved (e.g. a re-sent preauth answered 911) changes nothing.
  preauth_declined: row(['preauth_requested', 'redirect_pending', 'failed'], AFTER_PREAUTH.slice(2)),
  capture_requested: row(['pre_authorized'], ['capture_requested']),
  capture_approved: row(AFTER_CAPTURE_REQUEST),
  capture_declined: row(AFTER_CAPTURE_REQUEST),
  refund_requested: row(['captured', 'paid', 'partially_refunded']),
  refund_approved: row([...CAPTURED]),
  refund_declined: row([...CAPTURED]),
  notify_appointed: row(AFTER_PREAUTH),
  notify_capture: row(['pre_authorized', ...AFTER_CAPTURE_REQUEST.filter((s) => s !== 'failed')]),
  notify_paid: row(['pre_authorized', ...AFTER_CAPTURE_REQUEST.filter((s) => s !== 'failed')]),
  notify_underpaid: row(['pre_authorized', ...AFTER_CAPTURE_REQUEST.filter((s) => s !== 'failed')]),
  notify_cancelation: row(['capture_requested', ...CAPTURED]),
  notify_refund: row(['capture_requested', ...CAPTURED]),
  notify_debit: row(['capture_requested', ...CAPTURED]),
  // SW6 practice: a late `failed` is ignored once the payment got further than the authorization.
  notify_failed: row(['preauth_requested', 'redirect_pending', 'failed'], AFTER_PREAUTH.slice(2)),
  notify_reminder: EVERYWHERE_IGNORED,
  notify_vauthorization: EVERYWHERE_IGNORED,
  notify_vsettlement: EVERYWHERE_IGNORED,
  notify_transfer: EVERYWHERE_IGNORED,
  notify_invoice: EVERYWHERE_IGNORED,
  notify_pending: EVERYWHERE_IGNORED,
};

/** The forward state changes. Anything else (backwards, out of a terminal state) is rejected. */
export const EDGES: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  created: ['preauth_requested'],
  preauth_requested: ['redirect_pending', 'pre_authorized', 'failed'],
  redirect_pending: ['pre_authorized', 'failed'],
  pre_authorized: ['capture_requested', 'captured', 'paid', 'released'],
  capture_requested: ['captured', 'paid', 'partially_refunded', 'refunded', 'released', 'failed', 'charged_back'],
  captured: ['paid', 'partially_refunded', 'refunded', 'charged_back'],
  paid: ['partially_refunded', 'refunded', 'charged_back'],
  partially_refunded: ['refunded', 'charged_back'],
  refunded: ['charged_back'],
  released: [],
  failed: [],
  charged_back: [],
};

// ---------------------------------------------------------------------------------------------------------
// Derived values

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export function capturedAmount(f: PaymentFacts): number {
  return sum(f.captures);
}
export function refundedAmount(f: PaymentFacts): number {
  return sum(f.refunds);
}
/** Capture intents neither confirmed nor declined. */
export function openCaptureIntents(f: PaymentFacts): string[] {
  return Object.keys(f.captureIntents).filter((k) => !(k in f.captures) && !(k in f.captureDeclines));
}
export function openRefundIntents(f: PaymentFacts): string[] {
  return Object.keys(f.refundIntents).filter((k) => !(k in f.refunds) && !(k in f.refundDeclines));
}

/** The state is a pure function of the facts (this is what makes processing order-independent). */
export function deriveState(f: PaymentFacts): PaymentState {
  if (f.chargeback !== null) return 'charged_back';
  const captured = capturedAmount(f);
  const refunded = refundedAmount(f);
  if (captured > 0) {
    if (refunded >= captured) return 'refunded';
    if (refunded > 0) return 'partially_refunded';
    return f.paid ? 'paid' : 'captured';
  }
  if (Object.keys(f.captures).length > 0) return 'released'; // a confirmed capture of 0
  if (openCaptureIntents(f).length > 0) return 'capture_requested';
  if (Object.keys(f.captureDeclines).length > 0) return 'failed';
  if (f.authorized !== null) return 'pre_authorized';
  if (f.preauthDecline !== null || f.failedNotified) return 'failed';
  if (f.redirectUrl !== null || f.authorizationPending) return 'redirect_pending';
  if (f.preauthRequested) return 'preauth_requested';
  return 'created';
}

export function emptyFacts(): PaymentFacts {
  return {
    preauthRequested: false,
    requestedAmount: 0,
    txid: null,
    userid: null,
    redirectUrl: null,
    authorized: null,
    authorizationPending: false,
    preauthDecline: null,
    failedNotified: false,
    captureIntents: {},
    captures: {},
    captureDeclines: {},
    refundIntents: {},
    refunds: {},
    refundDeclines: {},
    paid: false,
    underpaid: false,
    chargeback: null,
    lastSeq: 0,
  };
}

export function newPayment(id: string, reference: string, currency: string): Payment {
  return { id, reference, currency, state: 'created', facts: emptyFacts() };
}

// ---------------------------------------------------------------------------------------------------------
// Applying an event

export type RejectionReason =
  | 'illegal_in_state'
  | 'backward_transition'
  | 'txid_mismatch'
  | 'currency_mismatch'
  | 'unknown_sequence'
  | 'invalid_amount'
  | 'amount_exceeds_authorization'
  | 'amount_exceeds_refundable'
  | 'sequence_in_use'
  | 'operation_in_progress';

export type ApplyOutcome =
  | { kind: 'applied'; payment: Payment; from: PaymentState; to: PaymentState }
  | { kind: 'unchanged'; payment: Payment; why: 'duplicate' | 'ignored' }
  | { kind: 'rejected'; payment: Payment; reason: RejectionReason; detail: string };

const clone = (f: PaymentFacts): PaymentFacts => structuredClone(f);
const reject = (p: Payment, reason: RejectionReason, detail: string): ApplyOutcome => ({
  kind: 'rejected',
  payment: p,
  reason,
  detail,
});

/** Applies one event; never throws for business reasons and never mutates its input. */
export function applyEvent(p: Payment, e: PaymentEvent): ApplyOutcome {
  const kind = eventKind(e);
  const rule = RULES[kind][p.state];
  if (rule === 'reject') return reject(p, 'illegal_in_state', `${kind} is not allowed in state ${p.state}`);
  if (rule === 'ignore') {
    // Still learn a higher sequence number from PAYONE so that our next request uses the right one.
    if (e.type === 'notification' && e.sequence > p.facts.lastSeq && (e.txid === p.facts.txid || !p.facts.txid)) {
      const facts = clone(p.facts);
      facts.lastSeq = e.sequence;
      return { kind: 'unchanged', payment: { ...p, facts }, why: 'ignored' };
    }
    return { kind: 'unchanged', payment: p, why: 'ignored' };
  }
  const f = clone(p.facts);
  const problem = learn(f, e, p.currency);
  if (problem) return reject(p, problem.reason, problem.detail);
  const next = deriveState(f);
  if (JSON.stringify(f) === JSON.stringify(p.facts)) return { kind: 'unchanged', payment: p, why: 'duplicate' };
  if (next !== p.state && !EDGES[p.state].includes(next)) {
    return reject(p, 'backward_transition', `${kind} would move ${p.state} → ${next}`);
  }
  return { kind: 'applied', payment: { ...p, state: next, facts: f }, from: p.state, to: next };
}

type Problem = { reason: RejectionReason; detail: string } | null;

const seqKey = (n: number) => String(n);

function checkTxid(f: PaymentFacts, txid: string): Problem {
  if (f.txid !== null && f.txid !== txid)
    return { reason: 'txid_mismatch', detail: `txid ${txid} does not match ${f.txid}` };
  f.txid = txid;
  return null;
}

/** Adds the event's facts to `f` (mutates the clone). Returns a problem instead when the event contradicts. */
function learn(f: PaymentFacts, e: PaymentEvent, currency: string): Problem {
  switch (e.type) {
    case 'preauth_requested':
      if (!Number.isSafeInteger(e.amount) || e.amount <= 0)
        return { reason: 'invalid_amount', detail: `amount ${e.amount} must be a positive integer` };
      f.preauthRequested = true;
      f.requestedAmount = e.amount;
      return null;
    case 'preauth_approved': {
      const t = checkTxid(f, e.txid);
      if (t) return t;
      f.userid ??= e.userid;
      f.authorized ??= f.requestedAmount;
      return null;
    }
    case 'preauth_redirect': {
      const t = checkTxid(f, e.txid);
      if (t) return t;
      f.userid ??= e.userid;
      f.redirectUrl ??= e.redirectUrl;
      return null;
    }
    case 'preauth_pending': {
      const t = checkTxid(f, e.txid);
      if (t) return t;
      f.userid ??= e.userid;
      f.authorizationPending = true;
      return null;
    }
    case 'preauth_declined':
      f.preauthDecline ??= { code: e.code, message: e.message };
      return null;
    case 'capture_requested': {
      const k = seqKey(e.sequence);
      if (f.captureIntents[k] !== undefined) {
        return f.captureIntents[k] === e.amount
          ? null
          : { reason: 'sequence_in_use', detail: `sequence ${e.sequence} already used` };
      }
      if (!Number.isSafeInteger(e.amount) || e.amount < 0)
        return { reason: 'invalid_amount', detail: `amount ${e.amount} must be a non-negative integer` };
      if (f.authorized !== null && e.amount > f.authorized)
        return {
          reason: 'amount_exceeds_authorization',
          detail: `capture ${e.amount} exceeds the authorized ${f.authorized}`,
        };
      if (e.sequence <= f.lastSeq)
        return { reason: 'sequence_in_use', detail: `sequence ${e.sequence} ≤ last ${f.lastSeq}` };
      f.captureIntents[k] = e.amount;
      f.lastSeq = e.sequence;
      return null;
    }
    case 'capture_approved': {
      const k = seqKey(e.sequence);
      const amount = f.captureIntents[k];
      if (amount === undefined) return { reason: 'unknown_sequence', detail: `no capture with sequence ${e.sequence}` };
      if (!(k in f.captureDeclines)) f.captures[k] ??= amount;
      return null;
    }
    case 'capture_declined': {
      const k = seqKey(e.sequence);
      if (f.captureIntents[k] === undefined)
        return { reason: 'unknown_sequence', detail: `no capture with sequence ${e.sequence}` };
      if (!(k in f.captures)) f.captureDeclines[k] ??= { code: e.code, message: e.message };
      return null;
    }
    case 'refund_requested': {
      const k = seqKey(e.sequence);
      if (f.refundIntents[k] !== undefined) {
        return f.refundIntents[k] === e.amount
          ? null
          : { reason: 'sequence_in_use', detail: `sequence ${e.sequence} already used` };
      }
      if (!Number.isSafeInteger(e.amount) || e.amount <= 0)
        return { reason: 'invalid_amount', detail: `amount ${e.amount} must be a positive integer` };
      if (openCaptureIntents(f).length > 0 || openRefundIntents(f).length > 0)
        return { reason: 'operation_in_progress', detail: 'another request on this payment is still open' };
      const refundable = capturedAmount(f) - refundedAmount(f);
      if (e.amount > refundable)
        return { reason: 'amount_exceeds_refundable', detail: `refund ${e.amount} exceeds refundable ${refundable}` };
      if (e.sequence <= f.lastSeq)
        return { reason: 'sequence_in_use', detail: `sequence ${e.sequence} ≤ last ${f.lastSeq}` };
      f.refundIntents[k] = e.amount;
      f.lastSeq = e.sequence;
      return null;
    }
    case 'refund_approved': {
      const k = seqKey(e.sequence);
      const amount = f.refundIntents[k];
      if (amount === undefined) return { reason: 'unknown_sequence', detail: `no refund with sequence ${e.sequence}` };
      if (!(k in f.refundDeclines)) f.refunds[k] ??= amount;
      return null;
    }
    case 'refund_declined': {
      const k = seqKey(e.sequence);
      if (f.refundIntents[k] === undefined)
        return { reason: 'unknown_sequence', detail: `no refund with sequence ${e.sequence}` };
      if (!(k in f.refunds)) f.refundDeclines[k] ??= { code: e.code, message: e.message };
      return null;
    }
    case 'notification':
      return learnNotification(f, e, currency);
  }
}

function learnNotification(f: PaymentFacts, e: NotificationEvent, currency: string): Problem {
  if (e.currency !== null && e.currency !== currency)
    return { reason: 'currency_mismatch', detail: `notification currency ${e.currency} ≠ ${currency}` };
  const t = checkTxid(f, e.txid);
  if (t) return t;
  f.lastSeq = Math.max(f.lastSeq, e.sequence);
  const k = seqKey(e.sequence);
  switch (e.txaction) {
    case 'appointed':
      if (e.transactionStatus === 'pending') f.authorizationPending = true;
      else f.authorized ??= e.price ?? f.requestedAmount;
      return null;
    case 'capture': {
      if (k in f.captures || k in f.captureDeclines) return null;
      const intent = f.captureIntents[k];
      if (intent !== undefined) f.captures[k] = intent;
      else {
        // A capture we did not ask for (e.g. made in the PAYONE back office): take it from `receivable`.
        const others = capturedAmount(f);
        f.captures[k] = Math.max(0, (e.receivable ?? 0) + refundedAmount(f) - others);
      }
      return null;
    }
    case 'paid':
      f.paid = true;
      return null;
    case 'underpaid':
      f.underpaid = true;
      return null;
    case 'cancelation':
      f.chargeback ??= e.failedcause ?? 'unknown';
      return null;
    case 'refund':
    case 'debit': {
      if (k in f.refunds || k in f.refundDeclines) return null;
      const intent = f.refundIntents[k];
      if (intent !== undefined) f.refunds[k] = intent;
      else if (e.receivable !== null) f.refunds[k] = Math.max(0, capturedAmount(f) - refundedAmount(f) - e.receivable);
      return null;
    }
    case 'failed':
      f.failedNotified = true;
      return null;
    default:
      return null; // ignored txactions never reach here (RULES), kept total for the compiler
  }
}

/** Summary amounts for listing and reporting. */
export function amounts(p: Payment) {
  return {
    requested: p.facts.requestedAmount,
    authorized: p.facts.authorized ?? 0,
    captured: capturedAmount(p.facts),
    refunded: refundedAmount(p.facts),
  };
}

export function nextSequence(p: Payment): number {
  return p.facts.lastSeq + 1;
}
