import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Hours } from '../../../src/modules/network/core/location.schema.ts';
import { isAlwaysOpen, isOpenAt, localClock } from '../../../src/modules/network/core/opening-hours.ts';

const at = (iso: string) => new Date(iso);
const weekdays = (days: number[], begin: string, end: string) =>
  days.map((weekday) => ({ weekday, period_begin: begin, period_end: end }));

describe('isOpenAt', () => {
  it('is open when no opening times are given', () => {
    expect(isOpenAt(undefined, at('2026-11-27T03:00:00Z'), 'Europe/Berlin')).toBe(true);
    expect(isOpenAt(null, at('2026-11-27T03:00:00Z'), 'Europe/Berlin')).toBe(true);
  });

  it('reads regular hours on the local wall clock (Berlin is UTC+1 in winter)', () => {
    const hours: Hours = { twentyfourseven: false, regular_hours: weekdays([1, 2, 3, 4, 5], '08:00', '20:00') };
    // Friday 2026-11-27
    expect(isOpenAt(hours, at('2026-11-27T06:59:00Z'), 'Europe/Berlin')).toBe(false); // 07:59 local
    expect(isOpenAt(hours, at('2026-11-27T07:00:00Z'), 'Europe/Berlin')).toBe(true); // 08:00 local, begin inclusive
    expect(isOpenAt(hours, at('2026-11-27T18:59:00Z'), 'Europe/Berlin')).toBe(true);
    expect(isOpenAt(hours, at('2026-11-27T19:00:00Z'), 'Europe/Berlin')).toBe(false); // 20:00 local, end exclusive
    // Saturday
    expect(isOpenAt(hours, at('2026-11-28T12:00:00Z'), 'Europe/Berlin')).toBe(false);
    // Same instant, other zone: 07:30 UTC is 07:30 in Lisbon (closed) and 08:30 in Berlin (open)
    expect(isOpenAt(hours, at('2026-11-27T07:30:00Z'), 'Europe/Lisbon')).toBe(false);
    expect(isOpenAt(hours, at('2026-11-27T07:30:00Z'), 'Europe/Berlin')).toBe(true);
  });

  it('runs a period past midnight into the next day', () => {
    const hours: Hours = { twentyfourseven: false, regular_hours: weekdays([5], '22:00', '02:00') }; // Friday night
    expect(isOpenAt(hours, at('2026-11-27T20:59:00Z'), 'Europe/Berlin')).toBe(false); // Fri 21:59
    expect(isOpenAt(hours, at('2026-11-27T21:00:00Z'), 'Europe/Berlin')).toBe(true); // Fri 22:00
    expect(isOpenAt(hours, at('2026-11-28T00:30:00Z'), 'Europe/Berlin')).toBe(true); // Sat 01:30
    expect(isOpenAt(hours, at('2026-11-28T01:00:00Z'), 'Europe/Berlin')).toBe(false); // Sat 02:00
    // Sunday night 22:00 → Monday 02:00 wraps the week
    const sunday: Hours = { twentyfourseven: false, regular_hours: weekdays([7], '22:00', '02:00') };
    expect(isOpenAt(sunday, at('2026-11-30T00:30:00Z'), 'Europe/Berlin')).toBe(true); // Mon 01:30
  });

  it('reads 24:00 as the end of the day', () => {
    const hours: Hours = { twentyfourseven: false, regular_hours: weekdays([5], '06:30', '24:00') };
    expect(isOpenAt(hours, at('2026-11-27T22:59:00Z'), 'Europe/Berlin')).toBe(true); // Fri 23:59
    expect(isOpenAt(hours, at('2026-11-27T23:00:00Z'), 'Europe/Berlin')).toBe(false); // Sat 00:00
  });

  it('follows daylight saving time changes (Europe/Berlin, 29 March and 25 October 2026)', () => {
    const hours: Hours = { twentyfourseven: false, regular_hours: weekdays([7], '08:00', '09:00') };
    // Sunday 29 March 2026: clocks go 02:00 → 03:00; 08:00 CEST is 06:00 UTC
    expect(isOpenAt(hours, at('2026-03-29T06:00:00Z'), 'Europe/Berlin')).toBe(true);
    expect(isOpenAt(hours, at('2026-03-29T07:00:00Z'), 'Europe/Berlin')).toBe(false);
    // The week before, 08:00 CET was 07:00 UTC
    expect(isOpenAt(hours, at('2026-03-22T06:30:00Z'), 'Europe/Berlin')).toBe(false);
    expect(isOpenAt(hours, at('2026-03-22T07:30:00Z'), 'Europe/Berlin')).toBe(true);
    // Sunday 25 October 2026: clocks go 03:00 → 02:00; 08:00 CET is 07:00 UTC
    expect(isOpenAt(hours, at('2026-10-25T06:30:00Z'), 'Europe/Berlin')).toBe(false);
    expect(isOpenAt(hours, at('2026-10-25T07:30:00Z'), 'Europe/Berlin')).toBe(true);
    // A period in the repeated hour 02:00-03:00 on the fall-back night is open twice (both 02:xx readings)
    const night: Hours = { twentyfourseven: false, regular_hours: weekdays([7], '02:00', '03:00') };
    expect(isOpenAt(night, at('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe(true); // 02:30 CEST
    expect(isOpenAt(night, at('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe(true); // 02:30 CET
  });

  it('uses the Azores own time zone (UTC-1 in winter)', () => {
    const hours: Hours = { twentyfourseven: false, regular_hours: weekdays([5], '08:00', '20:00') };
    expect(isOpenAt(hours, at('2026-11-27T08:30:00Z'), 'Atlantic/Azores')).toBe(false); // 07:30 local
    expect(isOpenAt(hours, at('2026-11-27T09:00:00Z'), 'Atlantic/Azores')).toBe(true); // 08:00 local
  });

  it('lets exceptional closings override 24/7, regular hours and exceptional openings', () => {
    const closing = { period_begin: '2018-12-25T03:00:00Z', period_end: '2018-12-25T05:00:00Z' };
    const always: Hours = { twentyfourseven: true, exceptional_closings: [closing] };
    expect(isOpenAt(always, at('2018-12-25T02:59:59Z'), 'Europe/Berlin')).toBe(true);
    expect(isOpenAt(always, at('2018-12-25T03:00:00Z'), 'Europe/Berlin')).toBe(false);
    expect(isOpenAt(always, at('2018-12-25T05:00:00Z'), 'Europe/Berlin')).toBe(true);
    const both: Hours = {
      twentyfourseven: false,
      regular_hours: weekdays([2], '00:00', '24:00'),
      exceptional_openings: [closing],
      exceptional_closings: [closing],
    };
    expect(isOpenAt(both, at('2018-12-25T04:00:00Z'), 'Europe/Berlin')).toBe(false);
  });

  it('lets exceptional openings add to regular hours (OCPI example)', () => {
    // location_hours_opening_hours_with_exceptional_opening.json: Mon/Tue 00:00-04:00 + 25 Dec 2018 05:00-06:00 UTC
    const hours: Hours = {
      twentyfourseven: false,
      regular_hours: weekdays([1, 2], '00:00', '04:00'),
      exceptional_openings: [{ period_begin: '2018-12-25T05:00:00Z', period_end: '2018-12-25T06:00:00Z' }],
    };
    expect(isOpenAt(hours, at('2018-12-25T05:30:00Z'), 'Europe/Amsterdam')).toBe(true); // Tue 06:30 local: exceptional
    expect(isOpenAt(hours, at('2018-12-25T06:30:00Z'), 'Europe/Amsterdam')).toBe(false);
    expect(isOpenAt(hours, at('2018-12-25T01:00:00Z'), 'Europe/Amsterdam')).toBe(true); // Tue 02:00 local: regular
  });

  it('knows when a location can never be closed', () => {
    expect(isAlwaysOpen(undefined)).toBe(true);
    expect(isAlwaysOpen({ twentyfourseven: true })).toBe(true);
    expect(
      isAlwaysOpen({
        twentyfourseven: true,
        exceptional_closings: [{ period_begin: '2018-12-25T03:00:00Z', period_end: '2018-12-25T05:00:00Z' }],
      }),
    ).toBe(false);
    expect(isAlwaysOpen({ twentyfourseven: false, regular_hours: weekdays([1], '08:00', '20:00') })).toBe(false);
  });

  const zones = fc.constantFrom(
    'Europe/Berlin',
    'Europe/Helsinki',
    'Europe/Lisbon',
    'Atlantic/Azores',
    'Europe/Madrid',
  );
  const instant = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') });
  const hhmm = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

  it('property: a period past midnight equals the evening part plus the morning part of the next day', () => {
    fc.assert(
      fc.property(zones, instant, fc.integer({ min: 1, max: 7 }), hhmm, hhmm, (tz, ms, day, a, b) => {
        const [begin, end] = a > b ? [a, b] : [b, a]; // end <= begin: wraps
        const wrapped: Hours = {
          twentyfourseven: false,
          regular_hours: [{ weekday: day, period_begin: begin, period_end: end }],
        };
        const split: Hours = {
          twentyfourseven: false,
          regular_hours: [
            { weekday: day, period_begin: begin, period_end: '24:00' },
            ...(end === '00:00' ? [] : [{ weekday: (day % 7) + 1, period_begin: '00:00', period_end: end }]),
          ],
        };
        return isOpenAt(wrapped, new Date(ms), tz) === isOpenAt(split, new Date(ms), tz);
      }),
    );
  });

  it('property: all-day hours on every weekday are always open', () => {
    const allWeek: Hours = { twentyfourseven: false, regular_hours: weekdays([1, 2, 3, 4, 5, 6, 7], '00:00', '24:00') };
    fc.assert(fc.property(zones, instant, (tz, ms) => isOpenAt(allWeek, new Date(ms), tz)));
  });

  it('reads the local clock', () => {
    expect(localClock(at('2026-11-27T23:30:00Z'), 'Europe/Helsinki')).toEqual({ weekday: 6, minute: 90 });
  });
});
