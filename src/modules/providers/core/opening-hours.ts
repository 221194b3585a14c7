// Reads the CSV `opening_hours` column into OCPI Hours: `24/7`, or day ranges with time ranges in the
// OpenStreetMap style operators already know, e.g. `Mo-Fr 08:00-20:00; Sa 09:00-14:00` or
// `Mo,We 08:00-12:00,13:00-18:00`. Times are local to the location's time zone (as OCPI RegularHours are).
// `24:00` ends a period at midnight; a period ending before it begins runs past midnight into the next day
// (`Fr 18:00-02:00`), as the network module reads RegularHours.

export interface RegularHours {
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  period_begin: string;
  period_end: string;
}

export type Hours = { twentyfourseven: true } | { twentyfourseven: false; regular_hours: RegularHours[] };

export type OpeningHoursResult = { ok: true; hours: Hours } | { ok: false; reason: string };

const DAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'] as const;
const EXAMPLE = 'e.g. "24/7" or "Mo-Fr 08:00-20:00; Sa 09:00-14:00"';

function weekday(token: string): number | undefined {
  const i = DAYS.indexOf(token.toLowerCase() as (typeof DAYS)[number]);
  return i < 0 ? undefined : i + 1;
}

/** `HH:MM`; `24:00` only as an end (midnight). */
function time(token: string, isEnd: boolean): string | undefined {
  const m = /^(\d{1,2}):([0-5]\d)$/.exec(token);
  if (!m) return undefined;
  const h = Number(m[1]);
  if (isEnd && h === 24 && m[2] === '00') return '24:00';
  if (h > 23) return undefined;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

export function parseOpeningHours(input: string): OpeningHoursResult {
  const text = input.trim();
  if (/^24\s*\/\s*7$/.test(text)) return { ok: true, hours: { twentyfourseven: true } };
  if (text === '') return { ok: false, reason: `opening hours are empty; ${EXAMPLE}` };

  const regular: RegularHours[] = [];
  for (const rawRule of text.split(';')) {
    const rule = rawRule.trim();
    if (rule === '') continue;
    const m = /^(\S+)\s+(\S.*)$/.exec(rule);
    if (!m) return { ok: false, reason: `"${rule}" needs days and times; ${EXAMPLE}` };
    const days: number[] = [];
    for (const part of m[1]!.split(',')) {
      const range = part.split('-');
      const from = weekday(range[0] ?? '');
      const to = range.length === 2 ? weekday(range[1] ?? '') : from;
      if (range.length > 2 || from === undefined || to === undefined) {
        return { ok: false, reason: `"${part}" is not a day or day range (use Mo Tu We Th Fr Sa Su); ${EXAMPLE}` };
      }
      // A wrapping range such as Sa-Mo covers Sa, Su, Mo.
      for (let d = from; ; d = (d % 7) + 1) {
        if (!days.includes(d)) days.push(d);
        if (d === to) break;
      }
    }
    const periods: Array<[string, string]> = [];
    for (const part of m[2]!.split(',')) {
      const span = part.trim().split('-');
      const begin = span.length === 2 ? time(span[0]!.trim(), false) : undefined;
      const end = span.length === 2 ? time(span[1]!.trim(), true) : undefined;
      if (begin === undefined || end === undefined) {
        return { ok: false, reason: `"${part.trim()}" is not a time range HH:MM-HH:MM; ${EXAMPLE}` };
      }
      if (end === begin) {
        return { ok: false, reason: `"${part.trim()}" begins and ends at the same time` };
      }
      periods.push([begin, end]);
    }
    for (const d of days.sort((a, b) => a - b)) {
      for (const [period_begin, period_end] of periods) regular.push({ weekday: d, period_begin, period_end });
    }
  }
  if (regular.length === 0) return { ok: false, reason: `opening hours are empty; ${EXAMPLE}` };
  regular.sort((a, b) => a.weekday - b.weekday || a.period_begin.localeCompare(b.period_begin));
  return { ok: true, hours: { twentyfourseven: false, regular_hours: regular } };
}
