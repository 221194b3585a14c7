// The three hashes of digest §2.1: the Server API `key` (plain md5 or sha384 of the portal key), the Client API
// `hash` (md5 of values+key, or HMAC-SHA384 of values keyed by the portal key), and the TransactionStatus `key`
// (always md5 of the portal key).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The PMI "hash calculation" setting of a portal. */
export type KeyHashSetting = 'md5' | 'sha2-384' | 'md5_or_sha2-384';

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export function sha384Hex(text: string): string {
  return createHash('sha384').update(text, 'utf8').digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `key` must be lower-case hex: 32 chars (md5) or 96 chars (sha384). Anything else is 1206 "faulty". */
export function isWellFormedServerKey(key: string): boolean {
  return /^[0-9a-f]{32}$/.test(key) || /^[0-9a-f]{96}$/.test(key);
}

/** Whether the request `key` equals the hash of the portal key under the portal's hash setting (else 2006). */
export function verifyServerKey(key: string, portalKey: string, setting: KeyHashSetting): boolean {
  if (setting !== 'sha2-384' && sameText(key, md5Hex(portalKey))) return true;
  if (setting !== 'md5' && sameText(key, sha384Hex(portalKey))) return true;
  return false;
}

/** The TransactionStatus `key` PAYONE sends: md5 of the portal key (digest §6.4). */
export function notificationKey(portalKey: string): string {
  return md5Hex(portalKey);
}

const HASH_RELEVANT_PLAIN = new Set([
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

/** Hash-relevant Client API parameter names (digest §2.1 list); `key` and `hash` never are. */
export function isHashRelevant(name: string): boolean {
  if (HASH_RELEVANT_PLAIN.has(name)) return true;
  if (/^access_/.test(name) || /^invoice_delivery/.test(name) || /^period_/.test(name)) return true;
  // item arrays and their _recurring/_trail variants: de[x], id[x], it[x], no[x], pr[x], ti[x], va[x]
  return /^(de|id|it|no|pr|ti|va)(_recurring|_trail)?\[[^\]]*\]$/.test(name);
}

/** The string a Client API hash is computed over: values of the hash-relevant params, sorted by name. */
export function clientApiHashInput(params: ReadonlyMap<string, string> | Record<string, string>): string {
  const entries = params instanceof Map ? [...params.entries()] : Object.entries(params);
  return entries
    .filter(([name]) => isHashRelevant(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, value]) => value)
    .join('');
}

export function clientApiHash(
  params: ReadonlyMap<string, string> | Record<string, string>,
  portalKey: string,
  algorithm: 'md5' | 'sha2-384',
): string {
  const input = clientApiHashInput(params);
  return algorithm === 'md5'
    ? md5Hex(input + portalKey)
    : createHmac('sha384', portalKey).update(input, 'utf8').digest('hex');
}

export function verifyClientApiHash(
  params: ReadonlyMap<string, string>,
  hash: string,
  portalKey: string,
  setting: KeyHashSetting,
): boolean {
  const lower = hash.toLowerCase();
  if (setting !== 'sha2-384' && sameText(lower, clientApiHash(params, portalKey, 'md5'))) return true;
  if (setting !== 'md5' && sameText(lower, clientApiHash(params, portalKey, 'sha2-384'))) return true;
  return false;
}
