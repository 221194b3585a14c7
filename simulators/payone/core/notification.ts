// TransactionStatus notifications (digest §6): which fields, in which order, with which values.
import { notificationKey } from './keys.ts';
import { balance, type PaymentProcess, receivable } from './ledger.ts';
import { formatMajor } from './money.ts';
import type { ResponseFields } from './wire.ts';

export type Txaction =
  | 'appointed'
  | 'capture'
  | 'paid'
  | 'underpaid'
  | 'cancelation'
  | 'refund'
  | 'debit'
  | 'reminder'
  | 'failed';

/** 7.3: no notify_version/transaction_status · 7.4: transaction_status · 7.5: txaction failed · 7.6: pending + reasoncode. */
export type NotifyVersion = '7.3' | '7.4' | '7.5' | '7.6';

export interface NotificationEvent {
  readonly txaction: Txaction;
  readonly sequencenumber: number;
  readonly transactionStatus: 'completed' | 'pending';
  readonly failedcause?: string;
  readonly reasoncode?: string;
}

/**
 * The form fields of one notification, in the order of the logged real body (digest §6.2: key, txaction,
 * portalid, aid, clearingtype, notify_version, txtime, currency, userid, accessname, accesscode, param, mode,
 * price, txid, reference, sequencenumber, person, card, transaction_status, balance, receivable).
 * Amounts reflect the process at the moment the event happened.
 */
export function notificationFields(
  process: PaymentProcess,
  event: NotificationEvent,
  portalKey: string,
  notifyVersion: NotifyVersion,
): ResponseFields {
  const withStatus = notifyVersion !== '7.3';
  const fields: Array<readonly [string, string]> = [
    ['key', notificationKey(portalKey)],
    ['txaction', event.txaction],
    ['portalid', process.portalid],
    ['aid', process.aid],
    ['clearingtype', process.clearingtype],
  ];
  if (withStatus) fields.push(['notify_version', notifyVersion]);
  fields.push(
    ['txtime', String(process.txtime)],
    ['currency', process.currency],
    ['userid', process.userid],
    ['accessname', ''],
    ['accesscode', ''],
    ['param', process.param],
    ['mode', process.mode],
    ['price', formatMajor(process.amount, process.currency)],
    ['txid', process.txid],
    ['reference', process.reference],
    ['sequencenumber', String(event.sequencenumber)],
    ['company', process.person.company],
    ['firstname', process.person.firstname],
    ['lastname', process.person.lastname],
    ['street', process.person.street],
    ['zip', process.person.zip],
    ['city', process.person.city],
    ['email', process.person.email],
    ['country', process.person.country],
    ['cardexpiredate', process.card.cardexpiredate],
    ['cardtype', process.card.cardtype],
    ['cardpan', process.card.truncatedcardpan],
  );
  if (process.person.customerid !== '') fields.push(['customerid', process.person.customerid]);
  if (event.failedcause !== undefined) fields.push(['failedcause', event.failedcause]);
  if (withStatus) fields.push(['transaction_status', event.transactionStatus]);
  fields.push(
    ['balance', formatMajor(balance(process), process.currency)],
    ['receivable', formatMajor(receivable(process), process.currency)],
  );
  if (notifyVersion === '7.6' && event.reasoncode !== undefined) fields.push(['reasoncode', event.reasoncode]);
  return fields;
}

/** Whether the receiver acknowledged: the body is exactly `TSOK` (optionally with surrounding whitespace). */
export function isAcknowledged(body: string, lenient: boolean): boolean {
  return lenient ? body.trim() === 'TSOK' : body === 'TSOK';
}
