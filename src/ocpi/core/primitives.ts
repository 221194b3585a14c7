// OCPI 2.2.1 basic types (§3.6 of the digest) as zod building blocks, shared by every module that validates OCPI
// objects (network: Location/EVSE/Connector; roaming: Session, CDR, Token, Credentials).
import { z } from 'zod';

export interface ValidationIssue {
  /** JSON path like `evses[0].connectors[1].standard`; empty string for the root. */
  path: string;
  message: string;
}

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
/** CiString(n): case-insensitive printable ASCII, 1..n characters. */
export const ciString = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .regex(PRINTABLE_ASCII, 'only printable ASCII characters are allowed');
/** string(n): UTF-8 text of at most n characters. */
export const text = (max: number) => z.string().max(max, `at most ${max} characters`);
/** Optional in OCPI: may be omitted or null. */
export const opt = <T extends z.ZodType>(s: T) => s.nullish();

const DATE_TIME_UTC = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?Z?$/;
function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] ?? 0);
}
/** OCPI DateTime: RFC 3339 in UTC (`Z` or no designator), optional fractional seconds; at most 25 characters. */
export const DateTimeSchema = z
  .string()
  .max(25, 'at most 25 characters')
  .refine(
    (s) => {
      const m = DATE_TIME_UTC.exec(s);
      return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
    },
    { message: 'must be an OCPI DateTime in UTC (YYYY-MM-DDTHH:MM:SS[.fff][Z])' },
  );
