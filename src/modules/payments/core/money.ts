// Settled money: integer minor units (a safe integer) with an ISO 4217 currency. Converted to PAYONE's
// decimal major-unit strings (notification `price`, `balance`, `receivable`) only at the provider's edge.
import { Decimal } from 'decimal.js';

export interface Money {
  readonly amount: number; // minor units, safe integer
  readonly currency: string;
}

/** ISO 4217 minor-unit exponents that differ from 2. */
const EXPONENT: Readonly<Record<string, number>> = {
  BHD: 3,
  CLP: 0,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  OMR: 3,
  TND: 3,
  HUF: 2,
};

export function currencyExponent(currency: string): number {
  return EXPONENT[currency.toUpperCase()] ?? 2;
}

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

/** 200000 minor → "2000.00". */
export function minorToMajor(amount: number, currency: string): string {
  const e = currencyExponent(currency);
  return new Decimal(amount).div(new Decimal(10).pow(e)).toFixed(e);
}
