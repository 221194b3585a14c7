import { describe, expect, it } from 'vitest';
import { parseOpeningHours } from '../../../src/modules/providers/core/opening-hours.ts';

describe('parseOpeningHours', () => {
  it('reads 24/7', () => {
    expect(parseOpeningHours('24/7')).toEqual({ ok: true, hours: { twentyfourseven: true } });
    expect(parseOpeningHours(' 24 / 7 ')).toEqual({ ok: true, hours: { twentyfourseven: true } });
  });

  it('reads day ranges with times into OCPI regular hours', () => {
    const r = parseOpeningHours('Mo-Fr 08:00-20:00; Sa 09:00-14:00');
    expect(r).toEqual({
      ok: true,
      hours: {
        twentyfourseven: false,
        regular_hours: [
          ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, period_begin: '08:00', period_end: '20:00' })),
          { weekday: 6, period_begin: '09:00', period_end: '14:00' },
        ],
      },
    });
  });

  it('reads day lists, several periods, wrapping day ranges, 24:00 and periods past midnight', () => {
    const r = parseOpeningHours('mo,WE 08:00-12:00,13:00-18:00; Sa-Su 6:30-24:00');
    expect(r.ok && r.hours.twentyfourseven === false && r.hours.regular_hours).toEqual([
      { weekday: 1, period_begin: '08:00', period_end: '12:00' },
      { weekday: 1, period_begin: '13:00', period_end: '18:00' },
      { weekday: 3, period_begin: '08:00', period_end: '12:00' },
      { weekday: 3, period_begin: '13:00', period_end: '18:00' },
      { weekday: 6, period_begin: '06:30', period_end: '24:00' },
      { weekday: 7, period_begin: '06:30', period_end: '24:00' },
    ]);
    expect(parseOpeningHours('Fr 18:00-02:00')).toEqual({
      ok: true,
      hours: { twentyfourseven: false, regular_hours: [{ weekday: 5, period_begin: '18:00', period_end: '02:00' }] },
    });
    const wrap = parseOpeningHours('Sa-Mo 10:00-11:00');
    expect(wrap.ok && !wrap.hours.twentyfourseven && wrap.hours.regular_hours.map((h) => h.weekday)).toEqual([1, 6, 7]);
  });

  it.each([
    ['', 'empty'],
    ['Mo-Fr', 'needs days and times'],
    ['Mon-Fri 08:00-20:00', 'not a day'],
    ['Mo 8-20', 'not a time range'],
    ['Mo 08:00-08:00', 'same time'],
    ['Mo 08:00-24:30', 'not a time range'],
    ['Mo 24:00-08:00', 'not a time range'],
    ['Mo 25:00-26:00', 'not a time range'],
  ])('rejects %j with a reason', (text, reason) => {
    const r = parseOpeningHours(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});
