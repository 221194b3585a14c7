// `last_updated` rules: an update older than what we hold never overwrites it (pushes may arrive out of order,
// and a pull may return older copies than a push we already got). Equal timestamps are applied (idempotent).

/** Milliseconds of an OCPI DateTime; a missing `Z` still means UTC. NaN when unparseable. */
export function dateTimeMs(s: string): number {
  const t = s.trim();
  const withZone = /[zZ]$|[+-]\d{2}:?\d{2}$/.test(t) ? t : `${t}Z`;
  return Date.parse(withZone);
}

/** True when `incoming` is strictly older than `stored` (so it must be ignored). */
export function isOlder(incoming: string, stored: string | Date | null | undefined): boolean {
  if (stored === null || stored === undefined) return false;
  const s = stored instanceof Date ? stored.getTime() : dateTimeMs(stored);
  const i = dateTimeMs(incoming);
  if (Number.isNaN(s) || Number.isNaN(i)) return false;
  return i < s;
}

/** The later of two DateTimes (as given). */
export function later(a: string, b: string): string {
  return dateTimeMs(b) > dateTimeMs(a) ? b : a;
}
