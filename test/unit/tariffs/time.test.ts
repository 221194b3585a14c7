// Local-time rules: midnight, day-of-week boundaries and DST changes (Europe/Berlin, Europe/Helsinki).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeLocal, toLocal } from '../../../src/modules/tariffs/core/local-time.ts';
import { computePrice } from '../../../src/modules/tariffs/core/price.ts';
import { cdrFrom, tariff } from './helpers.ts';

const dayNight = tariff([
  {
    price_components: [{ type: 'ENERGY', price: 0.2, step_size: 1 }],
    restrictions: { start_time: '22:00', end_time: '06:00' },
  },
  { price_components: [{ type: 'ENERGY', price: 0.4, step_size: 1 }] },
]);
const priceOf = (t: ReturnType<typeof tariff>, cdr: ReturnType<typeof cdrFrom>, tz: string) =>
  computePrice({ cdr, tariffs: [t], timeZone: tz }).result;
const elementsUsed = (r: ReturnType<typeof priceOf>) =>
  (r.breakdown?.periods ?? []).map((p) => p.lines.map((l) => l.element_index).join(','));

describe('toLocal', () => {
  it('agrees with Intl for random instants in several zones', () => {
    const zones = [
      'Europe/Berlin',
      'Europe/Helsinki',
      'America/New_York',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
      'UTC',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, tz) => {
          const f = new Intl.DateTimeFormat('en-GB', {
            timeZone: tz,
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            weekday: 'long',
          });
          const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
          const l = toLocal(ms, tz);
          expect(l.date).toBe(Number(`${p.year}${p.month}${p.day}`));
          expect(l.minuteOfDay).toBe(Number(p.hour) * 60 + Number(p.minute));
          expect(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][l.weekday]).toBe(
            p.weekday,
          );
        },
      ),
      { numRuns: 500 },
    );
  });
  it('DST instants in Berlin and Helsinki', () => {
    expect(describeLocal(Date.parse('2024-03-31T00:59:00Z'), 'Europe/Berlin')).toBe(
      '2024-03-31T01:59:00 SUNDAY (+01:00)',
    );
    expect(describeLocal(Date.parse('2024-03-31T01:00:00Z'), 'Europe/Berlin')).toBe(
      '2024-03-31T03:00:00 SUNDAY (+02:00)',
    );
    expect(describeLocal(Date.parse('2024-10-27T00:30:00Z'), 'Europe/Berlin')).toBe(
      '2024-10-27T02:30:00 SUNDAY (+02:00)',
    );
    expect(describeLocal(Date.parse('2024-10-27T01:30:00Z'), 'Europe/Berlin')).toBe(
      '2024-10-27T02:30:00 SUNDAY (+01:00)',
    );
    expect(describeLocal(Date.parse('2024-03-31T01:00:00Z'), 'Europe/Helsinki')).toBe(
      '2024-03-31T04:00:00 SUNDAY (+03:00)',
    );
    expect(describeLocal(Date.parse('2024-10-27T00:59:00Z'), 'Europe/Helsinki')).toBe(
      '2024-10-27T03:59:00 SUNDAY (+03:00)',
    );
    expect(describeLocal(Date.parse('2024-10-27T01:00:00Z'), 'Europe/Helsinki')).toBe(
      '2024-10-27T03:00:00 SUNDAY (+02:00)',
    );
  });
});

describe('sessions across midnight and weekday boundaries', () => {
  it('a night window 22:00-06:00 wraps midnight', () => {
    // Berlin winter: 21:00 local = 20:00Z. Hourly periods 21:00 … 07:00 local.
    const cdr = cdrFrom(
      '2024-01-15T20:00:00Z',
      Array.from({ length: 10 }, () => ({ minutes: 60, dims: { ENERGY: 1 } })),
    );
    const r = priceOf(dayNight, cdr, 'Europe/Berlin');
    expect(elementsUsed(r)).toEqual(['1', '0', '0', '0', '0', '0', '0', '0', '0', '1']);
    expect(r.total_cost.excl_vat).toBe('2.4000'); // 8 × 0.2 + 2 × 0.4
  });
  it('FRIDAY + 22:00-06:00 stops matching at midnight (weekday of the instant evaluated)', () => {
    const t = tariff([
      {
        price_components: [{ type: 'TIME', price: 1, step_size: 1 }],
        restrictions: { start_time: '22:00', end_time: '06:00', day_of_week: ['FRIDAY'] },
      },
      { price_components: [{ type: 'TIME', price: 3, step_size: 1 }] },
    ]);
    // Friday 2024-01-19 23:00 Helsinki (UTC+2) = 21:00Z; the CPO splits at midnight.
    const cdr = cdrFrom('2024-01-19T21:00:00Z', [
      { minutes: 60, charging: true },
      { minutes: 60, charging: true },
    ]);
    const r = priceOf(t, cdr, 'Europe/Helsinki');
    expect(elementsUsed(r)).toEqual(['0', '1']);
    expect(r.total_cost.excl_vat).toBe('4.0000');
  });
  it('Sunday → Monday boundary selects the weekday element from 00:00 local', () => {
    const t = tariff([
      {
        price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }],
        restrictions: { day_of_week: ['SATURDAY', 'SUNDAY'] },
      },
      { price_components: [{ type: 'ENERGY', price: 0.5, step_size: 1 }] },
    ]);
    // Sunday 2024-06-16 23:30 Berlin (UTC+2) = 21:30Z.
    const cdr = cdrFrom('2024-06-16T21:30:00Z', [
      { minutes: 30, dims: { ENERGY: 2 } },
      { minutes: 30, dims: { ENERGY: 2 } },
    ]);
    expect(elementsUsed(priceOf(t, cdr, 'Europe/Berlin'))).toEqual(['0', '1']);
    // In UTC the same instants are both Sunday.
    expect(elementsUsed(priceOf(t, cdr, 'UTC'))).toEqual(['0', '0']);
  });
});

describe('sessions across DST changes', () => {
  const from3 = tariff([
    {
      price_components: [{ type: 'TIME', price: 2, step_size: 1 }],
      restrictions: { start_time: '03:00', end_time: '04:00' },
    },
    { price_components: [{ type: 'TIME', price: 1, step_size: 1 }] },
  ]);
  it('Berlin spring forward: 02:00 does not exist; 01:00Z is 03:00 CEST', () => {
    const cdr = cdrFrom('2024-03-31T00:00:00Z', [
      { minutes: 60, charging: true }, // 01:00-03:00 local (one real hour)
      { minutes: 60, charging: true }, // 03:00-04:00 CEST
    ]);
    const r = priceOf(from3, cdr, 'Europe/Berlin');
    expect(elementsUsed(r)).toEqual(['1', '0']);
    expect(r.total_time).toBe('2.0000'); // real elapsed hours, not wall-clock difference (3 h)
    expect(r.total_cost.excl_vat).toBe('3.0000');
  });
  it('Berlin fall back: 02:00-03:00 happens twice; both are priced by local time', () => {
    const t = tariff([
      {
        price_components: [{ type: 'TIME', price: 2, step_size: 1 }],
        restrictions: { start_time: '02:00', end_time: '03:00' },
      },
      { price_components: [{ type: 'TIME', price: 1, step_size: 1 }] },
    ]);
    const cdr = cdrFrom('2024-10-26T23:00:00Z', [
      { minutes: 60, charging: true }, // 01:00 CEST
      { minutes: 60, charging: true }, // 02:00 CEST
      { minutes: 60, charging: true }, // 02:00 CET (again)
      { minutes: 60, charging: true }, // 03:00 CET
    ]);
    const r = priceOf(t, cdr, 'Europe/Berlin');
    expect(elementsUsed(r)).toEqual(['1', '0', '0', '1']);
    expect(r.total_time).toBe('4.0000');
  });
  it('Helsinki spring forward (03:00 → 04:00) and fall back (04:00 → 03:00)', () => {
    const spring = cdrFrom('2024-03-31T00:00:00Z', [
      { minutes: 60, charging: true }, // 02:00 EET
      { minutes: 60, charging: true }, // 04:00 EEST: window 03:00-04:00 never seen
    ]);
    expect(elementsUsed(priceOf(from3, spring, 'Europe/Helsinki'))).toEqual(['1', '1']);
    const autumn = cdrFrom('2024-10-27T00:00:00Z', [
      { minutes: 60, charging: true }, // 03:00 EEST
      { minutes: 60, charging: true }, // 03:00 EET (again)
      { minutes: 60, charging: true }, // 04:00 EET
    ]);
    expect(elementsUsed(priceOf(from3, autumn, 'Europe/Helsinki'))).toEqual(['0', '0', '1']);
  });
  it('an unsplit period that crosses a price boundary is flagged when asked', () => {
    const cdr = cdrFrom('2024-03-31T00:30:00Z', [{ minutes: 90, charging: true }]);
    const r = computePrice({
      cdr,
      tariffs: [from3],
      timeZone: 'Europe/Berlin',
      policy: { warnUnsplitPeriods: true },
    }).result;
    expect(r.warnings.map((w) => w.code)).toEqual(['PERIOD_NOT_SPLIT_AT_RESTRICTION_BOUNDARY']);
  });
});
