// The Client API `creditcardcheck` (browser → PAYONE, JSON or JSONP), authenticated by the `hash` of §2.1.2
// instead of the Server API key. The PAN and CVC stay here; the answer carries the pseudo PAN.
import { type PayoneErrorCode, payoneError } from './errors.ts';
import { registerCard } from './gateway.ts';
import { type KeyHashSetting, verifyClientApiHash } from './keys.ts';
import type { Ledger } from './ledger.ts';

export interface ClientApiSettings {
  readonly mid: string;
  readonly portalid: string;
  readonly aid: string;
  readonly portalKey: string;
  readonly keyHash: KeyHashSetting;
}

function errorJson(code: PayoneErrorCode, status: 'ERROR' | 'INVALID' = 'ERROR'): Record<string, string> {
  const e = payoneError(code);
  return {
    status,
    errorcode: String(e.errorcode),
    errormessage: e.errormessage,
    customermessage: e.customermessage,
  };
}

export function clientApiCreditCardCheck(
  ledger: Ledger,
  settings: ClientApiSettings,
  params: ReadonlyMap<string, string>,
  now: Date,
): Record<string, string> {
  const get = (name: string) => {
    const v = params.get(name);
    return v === undefined || v === '' ? undefined : v;
  };
  const request = get('request');
  if (request !== 'creditcardcheck') return errorJson(1202);
  if (get('mid') === undefined) return errorJson(1203);
  if (get('portalid') === undefined) return errorJson(1205);
  if (get('aid') === undefined) return errorJson(1204);
  const mode = get('mode');
  if (mode !== 'test' && mode !== 'live') return errorJson(1010);
  if (get('mid') !== settings.mid) return errorJson(2003);
  if (get('portalid') !== settings.portalid) return errorJson(2005);
  if (get('aid') !== settings.aid) return errorJson(2004);
  const hash = get('hash');
  if (hash === undefined || !verifyClientApiHash(params, hash, settings.portalKey, settings.keyHash)) {
    return errorJson(2007);
  }
  const cardpan = get('cardpan');
  if (cardpan === undefined) return errorJson(1078);
  const cardexpiredate = get('cardexpiredate');
  if (cardexpiredate === undefined || !/^\d{4}$/.test(cardexpiredate)) return errorJson(1077);
  const result = registerCard(
    ledger,
    { pan: cardpan, cardexpiredate, cvc: get('cardcvc2'), cardtype: get('cardtype') },
    now,
  );
  if (!result.ok) return errorJson(result.errorcode, 'INVALID');
  const answer: Record<string, string> = { status: 'VALID' };
  if ((get('storecarddata') ?? 'yes') === 'yes') answer.pseudocardpan = result.card.pseudocardpan;
  answer.truncatedcardpan = result.card.truncatedcardpan;
  answer.cardtype = result.card.cardtype;
  answer.cardexpiredate = result.card.cardexpiredate;
  return answer;
}
