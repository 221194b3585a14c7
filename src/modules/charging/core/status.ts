// The charge state machine (pure). A charge moves by events; an exhaustive table says, for every event and every
// status, where it goes (or that the event is not allowed there). Failure reasons are plain words for the driver.
//
//  AUTHORIZING ─▶ REDIRECT ─▶ STARTING ─▶ CHARGING ─▶ STOPPING ─▶ FINISHED ─▶ PRICED ─▶ PAID ─▶ REFUNDED
//       │            │           │           │  ▲         │           │  ▲        │  ▲
//       └────────────┴───────────┴──▶ FAILED │  └─────────┘           ▼  │        ▼  │
//                                                           CDR_PENDING ─┘   PAYMENT_FAILED

export const CHARGE_STATUSES = [
  'AUTHORIZING',
  'REDIRECT',
  'STARTING',
  'CHARGING',
  'STOPPING',
  'FINISHED',
  'CDR_PENDING',
  'PRICED',
  'PAID',
  'PAYMENT_FAILED',
  'REFUNDED',
  'FAILED',
] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const TERMINAL: ReadonlySet<ChargeStatus> = new Set(['PAID', 'REFUNDED', 'FAILED']);
/** Statuses a worker still has to look after. */
export const OPEN_STATUSES: readonly ChargeStatus[] = [
  'AUTHORIZING',
  'REDIRECT',
  'STARTING',
  'CHARGING',
  'STOPPING',
  'FINISHED',
  'CDR_PENDING',
  'PRICED',
];

/** Flags that only note something for the back office (no one has to act): a charge without energy, a charge
 * stopped at the hold limit. Every other flag means a person should look. */
export const NOTE_FLAGS: readonly string[] = ['ZERO_KWH', 'HOLD_LIMIT_STOP'];
/** Statuses that wait for a person or a late partner (a CDR that does not come, a payment that failed). */
export const ATTENTION_STATUSES: readonly ChargeStatus[] = ['CDR_PENDING', 'PAYMENT_FAILED'];

/** Whether the back office should look at this charge. */
export function needsAttention(c: { status: string; flags: readonly string[] }): boolean {
  return ATTENTION_STATUSES.includes(c.status as ChargeStatus) || c.flags.some((f) => !NOTE_FLAGS.includes(f));
}

export const CHARGE_EVENTS = [
  'preauth_redirect',
  'preauth_approved',
  'preauth_declined',
  'authentication_failed',
  'authentication_abandoned',
  'start_rejected',
  'start_timeout',
  'session_active',
  'stop_requested',
  'stop_rejected',
  'session_completed',
  'cdr_overdue',
  'cdr_priced',
  'cdr_no_energy',
  'capture_approved',
  'capture_failed',
  'refunded',
] as const;
export type ChargeEvent = (typeof CHARGE_EVENTS)[number];

type Row = Readonly<Partial<Record<ChargeStatus, ChargeStatus>>>;
const from = (statuses: readonly ChargeStatus[], to: ChargeStatus): Row =>
  Object.fromEntries(statuses.map((s) => [s, to])) as Row;

const PRE_START: ChargeStatus[] = ['AUTHORIZING', 'REDIRECT'];
const SESSION: ChargeStatus[] = ['STARTING', 'CHARGING', 'STOPPING'];
const AWAITING_CDR: ChargeStatus[] = [...SESSION, 'FINISHED', 'CDR_PENDING'];

/**
 * For every event: the statuses it is allowed in and the status it leads to. Anything not listed is illegal.
 * `Record<ChargeEvent, …>` makes the table exhaustive: a new event does not compile until it is classified.
 */
export const TRANSITIONS: Readonly<Record<ChargeEvent, Row>> = {
  preauth_redirect: from(['AUTHORIZING'], 'REDIRECT'),
  preauth_approved: from(PRE_START, 'STARTING'),
  preauth_declined: from(PRE_START, 'FAILED'),
  authentication_failed: from(['REDIRECT'], 'FAILED'),
  authentication_abandoned: from(PRE_START, 'FAILED'),
  start_rejected: from(['STARTING'], 'FAILED'),
  start_timeout: from(['STARTING'], 'FAILED'),
  session_active: { STARTING: 'CHARGING', CHARGING: 'CHARGING', STOPPING: 'STOPPING' },
  stop_requested: from(['CHARGING'], 'STOPPING'),
  stop_rejected: from(['STOPPING'], 'CHARGING'),
  session_completed: { ...from(SESSION, 'FINISHED'), FINISHED: 'FINISHED' },
  cdr_overdue: from(['FINISHED'], 'CDR_PENDING'),
  cdr_priced: from(AWAITING_CDR, 'PRICED'),
  cdr_no_energy: from(AWAITING_CDR, 'FAILED'),
  capture_approved: from(['PRICED', 'PAYMENT_FAILED'], 'PAID'),
  capture_failed: from(['PRICED'], 'PAYMENT_FAILED'),
  refunded: from(['PAID'], 'REFUNDED'),
};

export type TransitionOutcome = { ok: true; to: ChargeStatus; changed: boolean } | { ok: false; detail: string };

/** Where `event` takes a charge in `status`; an event that is not allowed there is a value, never an exception. */
export function transition(status: ChargeStatus, event: ChargeEvent): TransitionOutcome {
  const to = TRANSITIONS[event][status];
  if (to === undefined) return { ok: false, detail: `${event} is not allowed in ${status}` };
  return { ok: true, to, changed: to !== status };
}

/** The statuses `event` is allowed in (for compare-and-set updates). */
export function allowedIn(event: ChargeEvent): ChargeStatus[] {
  return Object.keys(TRANSITIONS[event]) as ChargeStatus[];
}

/** What the driver reads for each status. */
export const STATUS_TEXT: Readonly<Record<ChargeStatus, string>> = {
  AUTHORIZING: 'Checking your card…',
  REDIRECT: 'Please confirm the payment with your bank (3-D Secure).',
  STARTING: 'Starting the charge point…',
  CHARGING: 'Charging',
  STOPPING: 'Stopping…',
  FINISHED: 'Charging finished. Waiting for the final bill from the operator.',
  CDR_PENDING:
    'Charging finished. The final bill from the operator is late (pending); we charge your card as soon as it arrives.',
  PRICED: 'Priced. Taking the payment…',
  PAID: 'Paid. Your receipt is ready.',
  PAYMENT_FAILED: 'Payment failed. Please pay with another card.',
  REFUNDED: 'Refunded.',
  FAILED: 'Not charged.',
};

/** Why a charge failed or needs attention, as stable codes with plain words for the driver. */
export const FAILURE_REASONS = {
  CARD_DECLINED: 'Your card was declined, so charging did not start. Nothing was reserved on your card.',
  AUTHENTICATION_FAILED:
    'The payment was not confirmed with your bank (3-D Secure), so charging did not start. Nothing was reserved on your card.',
  AUTHENTICATION_ABANDONED:
    'The payment confirmation (3-D Secure) was not finished in time, so charging did not start. Nothing was reserved on your card.',
  START_REJECTED:
    'The charge point did not start charging. The amount reserved on your card has been released; nothing was charged.',
  START_TIMEOUT:
    'The charge point did not answer in time, so charging did not start. The amount reserved on your card has been released.',
  NO_ENERGY:
    'No energy was delivered, so nothing was charged. The amount reserved on your card has been released and no receipt is issued.',
  CAPTURE_FAILED:
    'We could not take the payment from your card. Please pay the amount with another card using the “pay again” link.',
  CAPTURE_UNCONFIRMED:
    'The card company has not confirmed the payment yet. Please do not pay again: we check with them, and you get the receipt by e-mail once it is confirmed.',
  AMOUNT_EXCEEDS_HOLD:
    'The charge cost more than the amount reserved on your card, so the payment could not be taken. The reservation has been released; please pay the amount using the “pay again” link.',
  INTERRUPTED: 'Starting the charge was interrupted. Nothing was charged.',
} as const;
export type FailureCode = keyof typeof FAILURE_REASONS;

/** A reason with the PSP's or CPO's own words appended when they add something. */
export function failureText(code: FailureCode, detail?: string | null): string {
  const base = FAILURE_REASONS[code];
  const d = detail?.trim();
  return d ? `${base} (${d.replace(/[.\s]+$/, '')}.)` : base;
}

export interface StatusChange {
  status: ChargeStatus;
  at: string;
  event: ChargeEvent | 'created';
  note?: string;
}
