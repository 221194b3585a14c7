// PAYONE error codes → our error class and whether retrying can help. Built from PAYONE's code catalogue
// (fixtures/PAYONE-GmbH+oxid-6/payoneerrors.xml, 388 codes); a unit test checks that every catalogued code
// gets a class other than `unknown`. Only genuinely transient conditions are retryable.
import type { ErrorClass } from '../modules/payments/core/provider.ts';

/** Transient: issuer/provider/PAYONE temporarily unavailable, timeouts, maintenance. */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([1, 91, 900, 902, 903, 904, 909, 990, 991, 6502]);

const CONFIGURATION: ReadonlySet<number> = new Set([901, 905, 924, 925, 927, 940, 941]);
const inRange = (n: number, lo: number, hi: number) => n >= lo && n <= hi;

export function classifyErrorCode(code: number): ErrorClass {
  if (!Number.isInteger(code) || code <= 0) return 'unknown';
  if (code === 907) return 'sequence';
  if (code === 911) return 'duplicate_reference';
  if (RETRYABLE_CODES.has(code)) return 'temporary';
  if (CONFIGURATION.has(code) || inRange(code, 1201, 1208) || inRange(code, 2001, 2013)) return 'configuration';
  // issuer/card/wallet results, SEPA mandate, financing, risk (BIN/IP/velocity), card/bank data checks
  if (
    inRange(code, 2, 110) ||
    inRange(code, 201, 202) ||
    inRange(code, 250, 255) ||
    inRange(code, 301, 308) ||
    inRange(code, 701, 724) ||
    inRange(code, 872, 899)
  )
    return 'declined';
  if (inRange(code, 970, 973)) return 'customer_abort';
  if (inRange(code, 4200, 4219)) return 'authentication';
  if (inRange(code, 906, 969)) return 'process_state';
  if (inRange(code, 1000, 1999) || inRange(code, 3000, 8999)) return 'invalid_request';
  return 'unknown';
}

export function isRetryableErrorCode(code: number): boolean {
  return RETRYABLE_CODES.has(code);
}
