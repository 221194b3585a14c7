// The three PAYONE digests (PAYONE-SERVER-API.md §2.1) – not to be mixed up:
// 1. Server API request `key` = plain hash of the portal key: md5 (32 hex) or sha2-384 (96 hex), lower-case.
// 2. Client API `hash` = md5(sorted values + key) or HMAC-SHA384(sorted values, key).
// 3. TransactionStatus `key` = md5(portal key) (PAYONE says it may become sha2-384 later).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from './secret.ts';

export type KeyHash = 'md5' | 'sha2-384';

export function requestKey(portalKey: Secret, hash: KeyHash): string {
  return createHash(hash === 'md5' ? 'md5' : 'sha384')
    .update(portalKey.reveal(), 'utf8')
    .digest('hex');
}

/** Parameter names that take part in the Client API hash (PAYONE doc list). */
const CLIENT_HASH_NAMES = new Set([
  'accesscode',
  'accessname',
  'addresschecktype',
  'aid',
  'amount',
  'amount_recurring',
  'amount_trail',
  'api_version',
  'backurl',
  'booking_date',
  'checktype',
  'clearingtype',
  'consumerscoretype',
  'currency',
  'customerid',
  'document_date',
  'due_time',
  'eci',
  'ecommercemode',
  'encoding',
  'errorurl',
  'exiturl',
  'getusertoken',
  'invoiceappendix',
  'invoiceid',
  'mandate_identification',
  'mid',
  'mode',
  'narrative_text',
  'param',
  'portalid',
  'productid',
  'reference',
  'request',
  'responsetype',
  'settleaccount',
  'settleperiod',
  'settletime',
  'storecarddata',
  'successurl',
  'userid',
  'vaccountname',
  'vreference',
]);

function isClientHashParam(name: string): boolean {
  if (CLIENT_HASH_NAMES.has(name)) return true;
  if (/^access_/.test(name) || /^invoice_delivery/.test(name) || /^period_/.test(name)) return true;
  return /^(de|id|it|no|pr|ti|va)(_recurring|_trail)?\[\d+\]$/.test(name);
}

/** Client API `hash` (browser-side requests such as creditcardcheck). */
export function clientApiHash(params: Record<string, string>, portalKey: Secret, hash: KeyHash): string {
  const values = Object.keys(params)
    .filter(isClientHashParam)
    .sort()
    .map((k) => params[k])
    .join('');
  return hash === 'md5'
    ? createHash('md5')
        .update(values + portalKey.reveal(), 'utf8')
        .digest('hex')
    : createHmac('sha384', portalKey.reveal()).update(values, 'utf8').digest('hex');
}

/** Checks a TransactionStatus `key` against md5 (current) or sha2-384 (announced) of the portal key. */
export function isNotificationKeyValid(presented: string, portalKey: Secret): boolean {
  const p = Buffer.from(presented.toLowerCase(), 'utf8');
  for (const h of ['md5', 'sha2-384'] as const) {
    const expected = Buffer.from(requestKey(portalKey, h), 'utf8');
    if (p.length === expected.length && timingSafeEqual(p, expected)) return true;
  }
  return false;
}
