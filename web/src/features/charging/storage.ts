// Form state of the start page kept in sessionStorage, so it survives the trip to the hosted card page and back,
// and the idempotency key of the current start attempt (a double tap or a reload makes one charge).
import type { CardToken } from '../../driver-api.ts';
import { newIdempotencyKey } from './status.ts';

export interface StartForm {
  email: string;
  connectorId: string | null;
  card: CardToken | null;
  attempt: { key: string; fingerprint: string } | null;
}

const empty: StartForm = { email: '', connectorId: null, card: null, attempt: null };
const keyOf = (evseId: string) => `lataus.charge:${evseId}`;

export function loadForm(evseId: string): StartForm {
  try {
    const raw = sessionStorage.getItem(keyOf(evseId));
    if (!raw) return { ...empty, email: sessionStorage.getItem('lataus.email') ?? '' };
    return { ...empty, ...(JSON.parse(raw) as Partial<StartForm>) };
  } catch {
    return { ...empty };
  }
}

export function saveForm(evseId: string, f: StartForm): void {
  try {
    sessionStorage.setItem(keyOf(evseId), JSON.stringify(f));
    if (f.email) sessionStorage.setItem('lataus.email', f.email);
  } catch {
    // private mode without storage: the flow still works, only a reload loses the form
  }
}

/** The same attempt (same connector, card and email) keeps its key; a changed attempt gets a new one. */
export function attemptKey(evseId: string, f: StartForm, fingerprint: string): { key: string; form: StartForm } {
  if (f.attempt && f.attempt.fingerprint === fingerprint) return { key: f.attempt.key, form: f };
  const form = { ...f, attempt: { key: newIdempotencyKey(), fingerprint } };
  saveForm(evseId, form);
  return { key: form.attempt.key, form };
}

/** Reads the hosted card page's answer from a query string (pseudocardpan, truncatedcardpan, …). */
export function cardFromQuery(sp: URLSearchParams): CardToken | null {
  const pseudocardpan = sp.get('pseudocardpan');
  if (!pseudocardpan) return null;
  return {
    pseudocardpan,
    truncatedcardpan: sp.get('truncatedcardpan') ?? '',
    cardtype: sp.get('cardtype') ?? '',
    cardexpiredate: sp.get('cardexpiredate') ?? '',
  };
}

export const cardQueryParams = ['status', 'pseudocardpan', 'truncatedcardpan', 'cardtype', 'cardexpiredate'];

const brands: Record<string, string> = {
  V: 'Visa',
  M: 'Mastercard',
  A: 'American Express',
  D: 'Diners',
  J: 'JCB',
  VISA: 'Visa',
  MASTERCARD: 'Mastercard',
};

export function cardBrand(type: string): string {
  return brands[type.toUpperCase()] ?? type;
}

/** "Visa ···· 1111" from a truncated PAN such as 411111XXXXXX1111. */
export function cardLabel(type: string, truncated: string): string {
  const last4 = truncated.replace(/\D/g, '').slice(-4);
  return `${cardBrand(type)}${last4 ? `\u00a0····\u00a0${last4}` : ''}`;
}

/** "12/30" from PAYONE's YYMM. */
export function cardExpiry(yymm: string): string {
  return /^\d{4}$/.test(yymm) ? `${yymm.slice(2)}/${yymm.slice(0, 2)}` : yymm;
}

/** Recently started charges, so a driver without an account finds the live page again. */
export function rememberCharge(url: string): void {
  try {
    const list = JSON.parse(localStorage.getItem('lataus.recentCharges') ?? '[]') as string[];
    localStorage.setItem('lataus.recentCharges', JSON.stringify([url, ...list.filter((u) => u !== url)].slice(0, 5)));
  } catch {
    // storage unavailable
  }
}
