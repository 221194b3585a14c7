// Currencies and settled amounts: integer minor units with an ISO 4217 currency. One table of minor-unit
// exponents for the whole code base (payments, invoicing and charging use it).
import { Decimal } from 'decimal.js';

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
};

/** Digits after the decimal point of the currency's minor unit: 2 for EUR. */
export function currencyExponent(currency: string): number {
  return EXPONENT[currency.toUpperCase()] ?? 2;
}

/** 610 minor units → "6.10" (major units, a dot, exactly the currency's decimals). */
export function minorToMajor(minor: number, currency: string): string {
  const e = currencyExponent(currency);
  return new Decimal(minor).div(new Decimal(10).pow(e)).toFixed(e);
}
