// Decimal arithmetic for the tariff engine: money and quantities are never binary floats.
// One configured constructor; constants are created once (hot path).
import { Decimal } from 'decimal.js';

/** High precision so that products and sums of 4-decimal OCPI numbers stay exact. */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Dec = Decimal;

export const ZERO = new Dec(0);
export const ONE = new Dec(1);
export const HUNDRED = new Dec(100);
export const THOUSAND = new Dec(1000);
export const SECONDS_PER_HOUR = new Dec(3600);
export const MS_PER_HOUR = new Dec(3_600_000);

/** Decimal from a JSON number (its shortest round-trip text, i.e. exactly what the JSON said). */
export function dec(n: number | string | Decimal): Decimal {
  return new Dec(n);
}

export type RoundingMode = 'HALF_UP' | 'HALF_EVEN' | 'HALF_DOWN' | 'UP' | 'DOWN';
const MODES: Record<RoundingMode, Decimal.Rounding> = {
  HALF_UP: Decimal.ROUND_HALF_UP,
  HALF_EVEN: Decimal.ROUND_HALF_EVEN,
  HALF_DOWN: Decimal.ROUND_HALF_DOWN,
  // Away from zero / towards zero.
  UP: Decimal.ROUND_UP,
  DOWN: Decimal.ROUND_DOWN,
};

export function roundTo(x: Decimal, decimals: number, mode: RoundingMode): Decimal {
  return x.toDecimalPlaces(decimals, MODES[mode]);
}

/** Fixed-decimal string, e.g. "0.5500". */
export function fixed(x: Decimal, decimals: number, mode: RoundingMode): string {
  return x.toFixed(decimals, MODES[mode]);
}

/** Full-precision canonical string (no exponent). */
export function str(x: Decimal): string {
  return x.toFixed();
}
