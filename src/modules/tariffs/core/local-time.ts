// UTC instant → wall-clock fields in an IANA time zone, via Intl (no I/O, no clock). Hot path: one
// formatter per zone, and the zone's UTC offset is memoised per 15-minute UTC bucket (every modern
// tz transition falls on a quarter hour, so all instants in a bucket share one offset).

export interface LocalTime {
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Local calendar date as the number YYYYMMDD. */
  date: number;
  /** Offset of local time from UTC in milliseconds at that instant. */
  offsetMs: number;
}

export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

const BUCKET_MS = 15 * 60 * 1000;
const MAX_CACHE = 50_000;

interface ZoneCache {
  format: Intl.DateTimeFormat | null;
  offsets: Map<number, number>;
}
const zones = new Map<string, ZoneCache>();

export class InvalidTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`unknown IANA time zone "${timeZone}"`);
  }
}

function zoneCache(timeZone: string): ZoneCache {
  let z = zones.get(timeZone);
  if (z) return z;
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    z = { format: null, offsets: new Map() };
  } else {
    try {
      z = {
        format: new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        }),
        offsets: new Map(),
      };
    } catch {
      throw new InvalidTimeZoneError(timeZone);
    }
  }
  zones.set(timeZone, z);
  return z;
}

/** Throws InvalidTimeZoneError for an unknown zone. */
export function assertTimeZone(timeZone: string): void {
  zoneCache(timeZone);
}

function computeOffset(format: Intl.DateTimeFormat, utcMs: number): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const p of format.formatToParts(utcMs)) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
    }
  }
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  return asUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const z = zoneCache(timeZone);
  if (z.format === null) return 0;
  const bucket = Math.floor(utcMs / BUCKET_MS);
  let off = z.offsets.get(bucket);
  if (off === undefined) {
    off = computeOffset(z.format, bucket * BUCKET_MS);
    if (z.offsets.size >= MAX_CACHE) z.offsets.clear();
    z.offsets.set(bucket, off);
  }
  return off;
}

/** Days since 1970-01-01 → YYYYMMDD (proleptic Gregorian; H. Hinnant's civil_from_days). */
function civilFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

const DAY_MS = 86_400_000;

export function toLocal(utcMs: number, timeZone: string): LocalTime {
  const offsetMs = zoneOffsetMs(utcMs, timeZone);
  const local = utcMs + offsetMs;
  const days = Math.floor(local / DAY_MS);
  const msOfDay = local - days * DAY_MS;
  return {
    minuteOfDay: Math.floor(msOfDay / 60_000),
    // 1970-01-01 was a Thursday (index 3).
    weekday: (((days + 3) % 7) + 7) % 7,
    date: civilFromDays(days),
    offsetMs,
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatLocalDate(date: number): string {
  return `${pad(Math.floor(date / 10000), 4)}-${pad(Math.floor(date / 100) % 100)}-${pad(date % 100)}`;
}
export function formatMinute(minuteOfDay: number): string {
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}
/** e.g. "2024-03-31T02:30 SUNDAY (+02:00)" — local wall clock for explanations. */
export function describeLocal(utcMs: number, timeZone: string): string {
  const l = toLocal(utcMs, timeZone);
  const localMs = utcMs + l.offsetMs;
  const sec = Math.floor((((localMs % 60_000) + 60_000) % 60_000) / 1000);
  const offMin = Math.round(l.offsetMs / 60_000);
  const sign = offMin < 0 ? '-' : '+';
  const a = Math.abs(offMin);
  return `${formatLocalDate(l.date)}T${formatMinute(l.minuteOfDay)}:${pad(sec)} ${WEEKDAYS[l.weekday]} (${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)})`;
}

const d2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/** Parses an OCPI DateTime (UTC; a missing zone designator means UTC; ±hh:mm offsets tolerated). NaN if invalid. */
export function parseInstant(s: string): number {
  // Fast path for the usual "YYYY-MM-DDTHH:MM:SS[.fff][Z]" (hot: every charging period).
  if (
    s.length >= 19 &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 84 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  ) {
    const rest = s.length === 19 ? '' : s.slice(19);
    let frac = 0;
    let ok = rest === '' || rest === 'Z';
    if (!ok && /^\.\d{1,9}Z?$/.test(rest)) {
      const digits = rest.endsWith('Z') ? rest.slice(1, -1) : rest.slice(1);
      frac = Math.floor(Number(`0.${digits}`) * 1000);
      ok = true;
    }
    if (ok) {
      const y = d2(s, 0) * 100 + d2(s, 2);
      const mo = d2(s, 5);
      const d = d2(s, 8);
      const h = d2(s, 11);
      const mi = d2(s, 14);
      const se = d2(s, 17);
      if (
        y >= 0 &&
        mo >= 1 &&
        mo <= 12 &&
        d >= 1 &&
        d <= 31 &&
        h >= 0 &&
        h <= 23 &&
        mi >= 0 &&
        mi <= 59 &&
        se >= 0 &&
        se <= 59
      ) {
        const ms = Date.UTC(y, mo - 1, d, h, mi, se) + frac;
        // Reject impossible dates (e.g. 02-30) that Date.UTC would roll over.
        if (new Date(ms).getUTCDate() === d) return ms;
        return Number.NaN;
      }
      return Number.NaN;
    }
  }
  const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(s);
  return Date.parse(hasZone ? s : `${s}Z`);
}
