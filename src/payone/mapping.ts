// PAYONE Server API mapping (pure): our commands → request parameters, response parameters → our outcome,
// TransactionStatus fields → our notification event, and masking for the payment event log.
// Sources and rules: /shared/payone/PAYONE-SERVER-API.md (§ numbers below).
import { majorToMinor } from '../modules/payments/core/money.ts';
import { type NotificationEvent, TXACTIONS, type Txaction } from '../modules/payments/core/payment.ts';
import type {
  CaptureCommand,
  PreauthorizeCommand,
  ProviderOutcome,
  RefundCommand,
} from '../modules/payments/core/provider.ts';
import { classifyErrorCode, isRetryableErrorCode } from './error-codes.ts';
import type { PayoneEncoding } from './form.ts';
import { type KeyHash, requestKey } from './key.ts';
import type { Secret } from './secret.ts';

export interface PayoneAccount {
  mid: string;
  aid: string;
  portalId: string;
  portalKey: Secret;
  mode: 'test' | 'live';
  hash: KeyHash;
  encoding: PayoneEncoding;
  /** Refunds with `debit` (what the plugins use, the default) or with `refund`. */
  refundRequest: 'debit' | 'refund';
}

export const API_VERSION = '3.11'; // §2: 3.11 lets capture answer PENDING; we handle PENDING everywhere
export type RequestName = 'preauthorization' | 'authorization' | 'capture' | 'debit' | 'refund';

/** §2 standard parameters of every request. */
export function standardParams(account: PayoneAccount, request: RequestName): Record<string, string> {
  return {
    request,
    mid: account.mid,
    aid: account.aid,
    portalid: account.portalId,
    key: requestKey(account.portalKey, account.hash),
    mode: account.mode,
    api_version: API_VERSION,
    encoding: account.encoding,
    solution_name: 'lataus',
  };
}

const REFERENCE = /^[0-9a-zA-Z._\-/]{1,20}$/;
export function isValidReference(r: string): boolean {
  return REFERENCE.test(r);
}

/** §4 (pre)authorization with a pseudo card PAN, stored-credential fields (§4.1) and 3-D Secure URLs. */
export function buildPreauthorization(
  account: PayoneAccount,
  cmd: PreauthorizeCommand,
  request: 'preauthorization' | 'authorization' = 'preauthorization',
): Record<string, string> {
  if (!isValidReference(cmd.reference)) throw new Error(`invalid PAYONE reference ${cmd.reference}`);
  if (!Number.isSafeInteger(cmd.amount) || cmd.amount <= 0 || cmd.amount > 1_999_999_999)
    throw new Error(`invalid amount ${cmd.amount}`);
  const p: Record<string, string> = {
    ...standardParams(account, request),
    clearingtype: 'cc',
    reference: cmd.reference,
    amount: String(cmd.amount),
    currency: cmd.currency,
    pseudocardpan: cmd.card.pseudocardpan,
    lastname: cmd.lastname ?? 'Lataus customer',
    country: cmd.country ?? 'DE',
  };
  if (cmd.customerId) p.customerid = cmd.customerId;
  if (cmd.param) p.param = cmd.param;
  switch (cmd.credential.kind) {
    case 'single':
      break;
    case 'store_initial':
      Object.assign(p, { recurrence: 'oneclick', initial_payment: 'true', customer_is_present: 'yes' });
      break;
    case 'stored_customer_initiated':
      Object.assign(p, { recurrence: 'oneclick', initial_payment: 'false', customer_is_present: 'yes' });
      break;
    case 'stored_merchant_initiated':
      Object.assign(p, { recurrence: 'recurring', initial_payment: 'false', customer_is_present: 'no' });
      break;
  }
  // A customer-present payment may need a 3-D Secure challenge: PAYONE then answers REDIRECT.
  if (cmd.returnUrls && cmd.credential.kind !== 'stored_merchant_initiated') {
    p.successurl = cmd.returnUrls.successUrl;
    p.errorurl = cmd.returnUrls.errorUrl;
    p.backurl = cmd.returnUrls.backUrl;
  }
  return p;
}

/** §5.2 capture; `final` sends capturemode=completed so the rest of the reservation is released (amount 0 = cancel). */
export function buildCapture(account: PayoneAccount, cmd: CaptureCommand): Record<string, string> {
  if (!Number.isSafeInteger(cmd.amount) || cmd.amount < 0) throw new Error(`invalid capture amount ${cmd.amount}`);
  if (cmd.sequence < 1 || cmd.sequence > 127) throw new Error(`invalid sequencenumber ${cmd.sequence}`);
  return {
    ...standardParams(account, 'capture'),
    txid: cmd.txid,
    sequencenumber: String(cmd.sequence),
    amount: String(cmd.amount),
    currency: cmd.currency,
    settleaccount: 'auto',
    ...(cmd.final ? { capturemode: 'completed' } : { capturemode: 'notcompleted' }),
  };
}

/** §5.3 refund as `debit` with a negative amount and transactiontype GT (default), or as `refund`. */
export function buildRefund(account: PayoneAccount, cmd: RefundCommand): Record<string, string> {
  if (!Number.isSafeInteger(cmd.amount) || cmd.amount <= 0) throw new Error(`invalid refund amount ${cmd.amount}`);
  if (cmd.sequence < 1 || cmd.sequence > 127) throw new Error(`invalid sequencenumber ${cmd.sequence}`);
  const common = {
    txid: cmd.txid,
    sequencenumber: String(cmd.sequence),
    amount: String(-cmd.amount),
    currency: cmd.currency,
  };
  return account.refundRequest === 'debit'
    ? { ...standardParams(account, 'debit'), ...common, transactiontype: 'GT', settleaccount: 'auto' }
    : { ...standardParams(account, 'refund'), ...common };
}

// ------------------------------------------------------------------------------------------------------------
// Responses

export const RESPONSE_STATUSES = [
  'APPROVED',
  'PENDING',
  'REDIRECT',
  'ERROR',
  'VALID',
  'INVALID',
  'BLOCKED',
  'ENROLLED',
  'OK',
] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

const unexpected = (p: Record<string, string>): ProviderOutcome => ({
  status: 'unknown',
  detail: `unexpected status ${p.status} for this request`,
});

/** Exhaustive map from PAYONE's response `status` to our outcome (§3, §4.2). */
const BY_STATUS: Readonly<Record<ResponseStatus, (p: Record<string, string>) => ProviderOutcome>> = {
  APPROVED: (p) =>
    p.txid
      ? { status: 'approved', txid: p.txid, userid: p.userid || null }
      : { status: 'unknown', detail: 'APPROVED without txid' },
  REDIRECT: (p) =>
    p.txid && p.redirecturl
      ? { status: 'redirect', txid: p.txid, userid: p.userid || null, redirectUrl: p.redirecturl }
      : { status: 'unknown', detail: 'REDIRECT without txid or redirecturl' },
  PENDING: (p) => ({ status: 'pending', txid: p.txid || null, userid: p.userid || null }),
  ERROR: (p) => {
    const code = Number.parseInt(p.errorcode ?? '', 10);
    return {
      status: 'error',
      code: p.errorcode ?? '0',
      message: p.errormessage ?? '',
      customerMessage: p.customermessage || null,
      class: classifyErrorCode(code),
      retryable: isRetryableErrorCode(code),
    };
  },
  VALID: unexpected,
  INVALID: unexpected,
  BLOCKED: unexpected,
  ENROLLED: unexpected,
  OK: unexpected,
};

/** Interprets a parsed response body. A body without a known `status` is a failed exchange (outcome unknown). */
export function interpretResponse(p: Record<string, string>): ProviderOutcome {
  const status = p.status?.toUpperCase();
  if (!status) return { status: 'unknown', detail: 'response without status' };
  if (!(RESPONSE_STATUSES as readonly string[]).includes(status))
    return { status: 'unknown', detail: `unknown status ${status}` };
  return BY_STATUS[status as ResponseStatus](p);
}

// ------------------------------------------------------------------------------------------------------------
// TransactionStatus (§6)

export function isTxaction(s: string): s is Txaction {
  return (TXACTIONS as readonly string[]).includes(s);
}

/** Notification fields → our event; null when the txaction is not one we know (stored, never applied). */
export function notificationEvent(f: Record<string, string>): NotificationEvent | null {
  const txaction = f.txaction ?? '';
  if (!isTxaction(txaction) || !f.txid) return null;
  const currency = f.currency ? f.currency.toUpperCase() : null;
  const amount = (v: string | undefined) => (v && currency ? majorToMinor(v, currency) : null);
  const seq = Number.parseInt(f.sequencenumber ?? '0', 10);
  const ts = f.transaction_status;
  return {
    type: 'notification',
    txaction,
    txid: f.txid,
    sequence: Number.isFinite(seq) && seq >= 0 ? seq : 0,
    transactionStatus: ts === 'pending' ? 'pending' : ts === 'completed' ? 'completed' : null,
    currency,
    price: amount(f.price),
    receivable: amount(f.receivable),
    balance: amount(f.balance),
    failedcause: f.failedcause || null,
  };
}

/** §6.5: the identity of a notification for de-duplication. */
export function notificationDedupeKey(f: Record<string, string>): string {
  return [f.txid ?? '', f.txaction ?? '', f.sequencenumber ?? '', f.transaction_status ?? ''].join('|');
}

// ------------------------------------------------------------------------------------------------------------
// Masking for logs and the payment event log: no secret, PAN, CVC or bank account is ever written out.

const MASK_FULLY = new Set(['key', 'hash', 'cardcvc2', 'cardexpiredate', 'bankaccount', 'iban', 'bic', 'accesscode']);

export function maskValue(name: string, value: string): string {
  if (value === '') return value;
  if (MASK_FULLY.has(name)) return '***';
  if (name === 'cardpan') return /x/i.test(value) ? value : `${value.slice(0, 6)}xxxxxx${value.slice(-4)}`;
  if (name === 'pseudocardpan') return `${'*'.repeat(Math.max(0, value.length - 4))}${value.slice(-4)}`;
  return value;
}

export function maskParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, maskValue(k, v)]));
}
