// Decimal arithmetic and minor units for invoices. Amounts are decimals at full precision until they become
// payable; then they are rounded once, half-up (away from zero for negative amounts), to integer minor units.
import { Decimal } from 'decimal.js';
import { currencyExponent } from '../../../money/currency.ts';

/** High precision so that sums and products of 4-decimal OCPI numbers stay exact. */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Dec = Decimal;

export const ZERO = new Dec(0);
export const HUNDRED = new Dec(100);

export { currencyExponent, minorToMajor } from '../../../money/currency.ts';

/** A decimal text such as "0.25", "-3", "1.2e-3" → Decimal; throws on anything else. */
export function decimal(text: string, what: string): Decimal {
  if (!/^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()))
    throw new RangeError(`${what}: "${text}" is not a decimal`);
  return new Dec(text.trim());
}

/** Canonical full-precision text (no exponent, no trailing zeros): "0.5", "-12.375". */
export function str(x: Decimal): string {
  return x.toFixed();
}

function safe(x: Decimal): number {
  const n = x.toNumber();
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${str(x)} is outside the safe integer range`);
  return n;
}

/** Major-unit decimal → minor units, rounded half-up (away from zero). The one rounding of a payable amount. */
export function toMinorHalfUp(major: Decimal, currency: string): number {
  return safe(major.mul(new Dec(10).pow(currencyExponent(currency))).toDecimalPlaces(0, Decimal.ROUND_HALF_UP));
}

/** Minor units (an integer) × a decimal factor, rounded half-up to minor units. */
export function mulMinorHalfUp(minor: number, factor: Decimal): number {
  return safe(new Dec(minor).mul(factor).toDecimalPlaces(0, Decimal.ROUND_HALF_UP));
}

/** Major-unit decimal → exact minor-unit decimal (not rounded). */
export function toMinorExact(major: Decimal, currency: string): Decimal {
  return major.mul(new Dec(10).pow(currencyExponent(currency)));
}

/** A VAT rate normalised for grouping: "19.0" → "19"; null stays null (no VAT applicable / exempt). */
export function normaliseVatRate(rate: string | null): string | null {
  if (rate === null) return null;
  const d = decimal(rate, 'vat_rate');
  if (d.isNegative()) throw new RangeError(`vat_rate: "${rate}" is negative`);
  return str(d);
}
