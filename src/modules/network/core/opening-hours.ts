// Is a location open at an instant? Evaluated on the location's own wall clock (its IANA time zone), so DST
// changes are handled by the time-zone database, not by offsets we compute.
//
// Rules (OCPI 2.2.1 §4 Hours), in order:
//  1. no opening_times: open (OCPI: the times are optional; absent means no restriction is known);
//  2. inside an exceptional closing: closed — closings override regular hours, 24/7 and exceptional openings;
//  3. inside an exceptional opening: open (openings add to regular hours);
//  4. twentyfourseven: open;
//  5. inside a regular period of the local weekday: open. A period whose end is not after its begin runs past
//     midnight into the next day ("22:00"–"02:00"; "08:00"–"08:00" is 24 h); "24:00" means end of day.
// Periods are half-open: open at period_begin, closed at period_end.
import { type Hours, utc } from './location.schema.ts';

interface LocalClock {
  /** 1 = Monday … 7 = Sunday (OCPI weekday). */
  weekday: number;
  /** Minutes since local midnight. */
  minute: number;
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();
/** The last reading per zone: time-zone offsets are whole seconds, so one UTC second has one local reading. */
const lastReading = new Map<string, { second: number; clock: LocalClock }>();

/** Local weekday and minute of day of `at` in `timeZone`. Throws RangeError for an unknown zone. */
export function localClock(at: Date, timeZone: string): LocalClock {
  const second = Math.floor(at.getTime() / 1000);
  const last = lastReading.get(timeZone);
  if (last && last.second === second) return { ...last.clock };
  const clock = readClock(at, timeZone);
  lastReading.set(timeZone, { second, clock: { ...clock } });
  return clock;
}

function readClock(at: Date, timeZone: string): LocalClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'weekday') weekday = WEEKDAY[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { weekday, minute: hour * 60 + minute };
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function inPeriod(ms: number, p: { period_begin: string; period_end: string }): boolean {
  return ms >= Date.parse(utc(p.period_begin)) && ms < Date.parse(utc(p.period_end));
}

/** True when the regular hours include the local clock reading. */
export function inRegularHours(
  regular: readonly { weekday: number; period_begin: string; period_end: string }[],
  clock: LocalClock,
): boolean {
  const yesterday = clock.weekday === 1 ? 7 : clock.weekday - 1;
  for (const r of regular) {
    const begin = minutes(r.period_begin);
    const end = minutes(r.period_end);
    const wraps = end <= begin;
    if (r.weekday === clock.weekday && clock.minute >= begin && (wraps || clock.minute < end)) return true;
    if (wraps && r.weekday === yesterday && clock.minute < end) return true;
  }
  return false;
}

/** Whether the location is accessible at `at` (see the rules above). */
export function isOpenAt(hours: Hours | null | undefined, at: Date, timeZone: string): boolean {
  if (!hours) return true;
  const ms = at.getTime();
  if ((hours.exceptional_closings ?? []).some((p) => inPeriod(ms, p))) return false;
  if ((hours.exceptional_openings ?? []).some((p) => inPeriod(ms, p))) return true;
  if (hours.twentyfourseven) return true;
  return inRegularHours(hours.regular_hours ?? [], localClock(at, timeZone));
}

/** True when no instant can be closed: no hours, or 24/7 without exceptional closings. */
export function isAlwaysOpen(hours: Hours | null | undefined): boolean {
  if (!hours) return true;
  return hours.twentyfourseven && (hours.exceptional_closings ?? []).length === 0;
}
