// Settled money: integer minor units (a safe integer) with an ISO 4217 currency. Converted to PAYONE's
// decimal major-unit strings (notification `price`, `balance`, `receivable`) only at the provider's edge.
import { Decimal } from 'decimal.js';
import { currencyExponent } from '../../../money/currency.ts';

export interface Money {
  readonly amount: number; // minor units, safe integer
  readonly currency: string;
}

export { currencyExponent, minorToMajor } from '../../../money/currency.ts';

export function isCurrency(s: string): boolean {
  return /^[A-Z]{3}$/.test(s);
}

export function isMinorAmount(n: number): boolean {
  return Number.isSafeInteger(n);
}

/** "2000.00" (major units, dot) → 200000 minor units; null when the text is not an exact amount. */
export function majorToMinor(text: string, currency: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return null;
  const d = new Decimal(text.trim()).mul(new Decimal(10).pow(currencyExponent(currency)));
  if (!d.isInteger()) return null;
  const n = d.toNumber();
  return Number.isSafeInteger(n) ? n : null;
}
