// Property tests (fast-check) of the pricing engine.
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileTariff,
  type MatchContext,
  selectComponents,
} from '../../../src/modules/tariffs/core/element-choice.ts';
import { toLocal } from '../../../src/modules/tariffs/core/local-time.ts';
import { computePrice, type PricingCdr } from '../../../src/modules/tariffs/core/price.ts';
import { DEFAULT_PRICING_POLICY, parseTariff, type Tariff } from '../../../src/modules/tariffs/index.ts';

const money = fc.integer({ min: 0, max: 1000 }).map((c) => c / 100); // 0.00 … 10.00
const vat = fc.option(fc.constantFrom(0, 5.2, 10, 19, 20, 21, 24), { nil: undefined });
const step = fc.constantFrom(0, 1, 60, 100, 300, 500, 900, 1000);
const hhmm = fc.integer({ min: 0, max: 95 }).map((q) => {
  const m = q * 15;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
});
const component = fc.record(
  { type: fc.constantFrom('FLAT', 'ENERGY', 'TIME', 'PARKING_TIME'), price: money, vat, step_size: step },
  { requiredKeys: ['type', 'price', 'step_size'] },
);
const restrictions = fc.record(
  {
    start_time: hhmm,
    end_time: hhmm,
    day_of_week: fc.subarray(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'], {
      minLength: 1,
    }),
    min_kwh: fc.integer({ min: 0, max: 40 }),
    max_kwh: fc.integer({ min: 1, max: 60 }),
    min_power: fc.integer({ min: 0, max: 50 }),
    max_power: fc.integer({ min: 1, max: 150 }),
    min_duration: fc.integer({ min: 0, max: 7200 }),
    max_duration: fc.integer({ min: 1, max: 14400 }),
  },
  { requiredKeys: [] },
);
const limits = fc
  .record({ excl: money, extra: money })
  .map(({ excl, extra }) => ({ excl_vat: excl, incl_vat: excl + extra }));

function tariffArb(opts: { restricted: boolean; maxPrice: boolean }) {
  const element = fc.record(
    {
      price_components: fc.array(component, { minLength: 1, maxLength: 3 }),
      restrictions: opts.restricted ? restrictions : fc.constant(undefined),
    },
    { requiredKeys: ['price_components'] },
  );
  return fc
    .record(
      {
        elements: fc.array(element, { minLength: 1, maxLength: 4 }),
        min_price: fc.option(limits, { nil: undefined }),
        max_price: opts.maxPrice ? fc.option(limits, { nil: undefined }) : fc.constant(undefined),
      },
      { requiredKeys: ['elements'] },
    )
    .map((t) => {
      const json = JSON.parse(
        JSON.stringify({
          country_code: 'FI',
          party_id: 'LTS',
          id: 'P',
          currency: 'EUR',
          last_updated: '2024-01-01T00:00:00Z',
          ...t,
        }),
      );
      const r = parseTariff(json);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.tariff;
    });
}

interface PeriodSpec {
  minutes: number;
  energyWh: number;
  timeS: number;
  parkingS: number;
  powerKw: number;
}
const periodArb = fc.record({
  minutes: fc.integer({ min: 1, max: 180 }),
  energyWh: fc.integer({ min: 0, max: 30_000 }),
  timeS: fc.integer({ min: 0, max: 7200 }),
  parkingS: fc.integer({ min: 0, max: 3600 }),
  powerKw: fc.integer({ min: 1, max: 150 }),
});
const startArb = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2025, 0, 1) })
  .map((ms) => Math.floor(ms / 60000) * 60000);

/** Volumes are exact decimals: Wh/1000 kWh, s/3600 h rounded to 6 decimals (as a CDR would carry). */
function buildCdr(startMs: number, specs: PeriodSpec[]): PricingCdr {
  let t = startMs;
  const periods = specs.map((s) => {
    const p = {
      start_date_time: new Date(t).toISOString(),
      dimensions: [
        { type: 'ENERGY' as const, volume: s.energyWh / 1000 },
        { type: 'TIME' as const, volume: Number((s.timeS / 3600).toFixed(6)) },
        { type: 'PARKING_TIME' as const, volume: Number((s.parkingS / 3600).toFixed(6)) },
        { type: 'MIN_POWER' as const, volume: s.powerKw },
        { type: 'MAX_POWER' as const, volume: s.powerKw },
      ],
    };
    t += s.minutes * 60000;
    return p;
  });
  return {
    start_date_time: new Date(startMs).toISOString(),
    end_date_time: new Date(t).toISOString(),
    charging_periods: periods,
  };
}

const exact = (t: Tariff, cdr: PricingCdr, tz = 'Europe/Helsinki') =>
  computePrice({ cdr, tariffs: [t], timeZone: tz, breakdown: false }).exact;

describe('pricing properties', () => {
  it('prices are never negative for non-negative tariffs, and incl >= excl when VAT >= 0', () => {
    fc.assert(
      fc.property(
        tariffArb({ restricted: true, maxPrice: true }),
        startArb,
        fc.array(periodArb, { minLength: 1, maxLength: 6 }),
        (t, s, ps) => {
          const e = exact(t, buildCdr(s, ps));
          for (const v of Object.values(e)) {
            if (v === null) continue;
            expect(v.excl.isNegative()).toBe(false);
            expect(v.incl.gte(v.excl)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('more energy, time or parking in the last period never costs less (no max_price)', () => {
    fc.assert(
      fc.property(
        tariffArb({ restricted: true, maxPrice: false }),
        startArb,
        fc.array(periodArb, { minLength: 1, maxLength: 5 }),
        fc.record({ energyWh: fc.nat(20_000), timeS: fc.nat(3600), parkingS: fc.nat(3600) }),
        (t, s, ps, more) => {
          const last = ps[ps.length - 1]!;
          const bigger = [
            ...ps.slice(0, -1),
            {
              ...last,
              energyWh: last.energyWh + more.energyWh,
              timeS: last.timeS + more.timeS,
              parkingS: last.parkingS + more.parkingS,
            },
          ];
          const a = exact(t, buildCdr(s, ps)).total_cost;
          const b = exact(t, buildCdr(s, bigger)).total_cost;
          expect(b.excl.gte(a.excl)).toBe(true);
          expect(b.incl.gte(a.incl)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splitting a period in two under an unchanged element leaves the total unchanged', () => {
    fc.assert(
      fc.property(
        tariffArb({ restricted: false, maxPrice: true }),
        startArb,
        fc.array(periodArb, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (t, s, ps, which, frac) => {
          const i = which % ps.length;
          const p = ps[i]!;
          if (p.minutes < 2) return;
          const m1 = Math.max(1, Math.floor(p.minutes * frac));
          const part = (v: number) => Math.floor(v * frac);
          const first = {
            ...p,
            minutes: m1,
            energyWh: part(p.energyWh),
            timeS: part(p.timeS),
            parkingS: part(p.parkingS),
          };
          const second = {
            ...p,
            minutes: p.minutes - m1,
            energyWh: p.energyWh - first.energyWh,
            timeS: p.timeS - first.timeS,
            parkingS: p.parkingS - first.parkingS,
          };
          if (second.minutes < 1) return;
          // Seconds → hours at 6 decimals is not additive; use whole-hundredth-hour time volumes here.
          const toHundredths = (x: PeriodSpec) => ({
            ...x,
            timeS: x.timeS - (x.timeS % 36),
            parkingS: x.parkingS - (x.parkingS % 36),
          });
          const whole = ps.map(toHundredths);
          const a = toHundredths(first);
          const b = {
            ...toHundredths(second),
            timeS: whole[i]!.timeS - a.timeS,
            parkingS: whole[i]!.parkingS - a.parkingS,
          };
          const split = [...whole.slice(0, i), a, b, ...whole.slice(i + 1)];
          const x = exact(t, buildCdr(s, whole));
          const y = exact(t, buildCdr(s, split));
          expect(y.total_cost.excl.toFixed()).toBe(x.total_cost.excl.toFixed());
          expect(y.total_cost.incl.toFixed()).toBe(x.total_cost.incl.toFixed());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('restriction boundaries exactly at the edge', () => {
  const policy = DEFAULT_PRICING_POLICY;
  const ctxAt = (ms: number, tz: string, over: Partial<MatchContext> = {}): MatchContext => ({
    local: toLocal(ms, tz),
    energyKwh: new Decimal(0),
    elapsedMs: 0,
    minCurrent: undefined,
    maxCurrent: undefined,
    minPower: undefined,
    maxPower: undefined,
    ...over,
  });
  const two = (restrictions: Record<string, unknown>) => {
    const r = parseTariff({
      country_code: 'FI',
      party_id: 'LTS',
      id: 'E',
      currency: 'EUR',
      last_updated: '2024-01-01T00:00:00Z',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 1, step_size: 1 }], restrictions },
        { price_components: [{ type: 'ENERGY', price: 2, step_size: 1 }] },
      ],
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return compileTariff(r.tariff);
  };
  const chosen = (t: ReturnType<typeof two>, ctx: MatchContext) =>
    selectComponents(t, 'CHARGING', ctx, policy).ENERGY?.elementIndex;

  it('start_time is inclusive and end_time exclusive, to the millisecond, in local time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1439 }), startArb, (s, len, day) => {
        const e = (s + len) % 1440;
        if (e === s) return;
        const f = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const t = two({ start_time: f(s), end_time: f(e) });
        const tz = 'UTC';
        const midnight = Math.floor(day / 86_400_000) * 86_400_000;
        const startMs = midnight + s * 60_000;
        const endMs = midnight + (e === 0 ? 1440 : e) * 60_000 + (e < s ? 86_400_000 : 0);
        expect(chosen(t, ctxAt(startMs, tz))).toBe(0);
        expect(chosen(t, ctxAt(startMs - 1, tz))).toBe(1);
        expect(chosen(t, ctxAt(endMs - 1, tz))).toBe(0);
        expect(chosen(t, ctxAt(endMs, tz))).toBe(1);
      }),
      { numRuns: 300 },
    );
  });

  it('min_kwh / min_duration inclusive, max_kwh / max_duration exclusive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 86_400 }), (wh, sec) => {
        const kwh = new Decimal(wh).div(1000);
        const tMin = two({ min_kwh: wh / 1000 });
        const tMax = two({ max_kwh: wh / 1000 });
        const just = (d: Decimal) => ctxAt(0, 'UTC', { energyKwh: d });
        expect(chosen(tMin, just(kwh))).toBe(0);
        expect(chosen(tMin, just(kwh.minus('0.000001')))).toBe(1);
        expect(chosen(tMax, just(kwh))).toBe(1);
        expect(chosen(tMax, just(kwh.minus('0.000001')))).toBe(0);
        const dMin = two({ min_duration: sec });
        const dMax = two({ max_duration: sec });
        expect(chosen(dMin, ctxAt(0, 'UTC', { elapsedMs: sec * 1000 }))).toBe(0);
        expect(chosen(dMin, ctxAt(0, 'UTC', { elapsedMs: sec * 1000 - 1 }))).toBe(1);
        expect(chosen(dMax, ctxAt(0, 'UTC', { elapsedMs: sec * 1000 }))).toBe(1);
        expect(chosen(dMax, ctxAt(0, 'UTC', { elapsedMs: sec * 1000 - 1 }))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('power and current: min inclusive, max exclusive; absent dimension matches by default', () => {
    const t = two({ min_power: 11, max_power: 22, min_current: 16, max_current: 32 });
    const c = (p: number | undefined, a: number | undefined) =>
      chosen(t, ctxAt(0, 'UTC', { minPower: p, maxPower: p, minCurrent: a, maxCurrent: a }));
    expect([c(11, 16), c(21.9, 31.9), c(22, 16), c(10.9, 16), c(11, 32), c(11, 15.9)]).toEqual([0, 0, 1, 1, 1, 1]);
    expect(c(undefined, undefined)).toBe(0);
    expect(chosen(t, { ...ctxAt(0, 'UTC'), minPower: undefined })).toBe(0);
    const strict = selectComponents(t, 'CHARGING', ctxAt(0, 'UTC'), { ...policy, missingPowerOrCurrent: 'NO_MATCH' });
    expect(strict.ENERGY?.elementIndex).toBe(1);
  });

  it('dates: start_date inclusive, end_date exclusive (local date)', () => {
    const t = two({ start_date: '2024-06-01', end_date: '2024-06-02' });
    // Helsinki is UTC+3 in June: 2024-05-31T21:00Z is 2024-06-01 00:00 local.
    expect(chosen(t, ctxAt(Date.parse('2024-05-31T21:00:00Z'), 'Europe/Helsinki'))).toBe(0);
    expect(chosen(t, ctxAt(Date.parse('2024-05-31T20:59:59.999Z'), 'Europe/Helsinki'))).toBe(1);
    expect(chosen(t, ctxAt(Date.parse('2024-06-01T20:59:59.999Z'), 'Europe/Helsinki'))).toBe(0);
    expect(chosen(t, ctxAt(Date.parse('2024-06-01T21:00:00Z'), 'Europe/Helsinki'))).toBe(1);
  });

  it('end_time "00:00" means end of day; start_time == end_time follows the policy', () => {
    const t = two({ start_time: '20:00', end_time: '00:00' });
    expect(chosen(t, ctxAt(Date.parse('2024-01-01T23:59:59Z'), 'UTC'))).toBe(0);
    expect(chosen(t, ctxAt(Date.parse('2024-01-02T00:00:00Z'), 'UTC'))).toBe(1);
    const only = two({ end_time: '00:00' });
    expect(chosen(only, ctxAt(Date.parse('2024-01-01T23:59:00Z'), 'UTC'))).toBe(0);
    const eq = two({ start_time: '08:00', end_time: '08:00' });
    expect(chosen(eq, ctxAt(Date.parse('2024-01-01T03:00:00Z'), 'UTC'))).toBe(0);
    const never = selectComponents(eq, 'CHARGING', ctxAt(Date.parse('2024-01-01T03:00:00Z'), 'UTC'), {
      ...policy,
      equalStartEndTime: 'NEVER',
    });
    expect(never.ENERGY?.elementIndex).toBe(1);
  });
});
