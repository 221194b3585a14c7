import { describe, expect, it } from 'vitest';
import { parseSimulatorArgs } from '../../../simulators/cpo/core/config.ts';
import { MALFORMED_KINDS, malform } from '../../../simulators/cpo/core/faults.ts';
import { type ChargingPeriod, SessionMeter } from '../../../simulators/cpo/core/meter.ts';
import { buildSimNetwork } from '../../../simulators/cpo/core/network.ts';
import {
  authorizationHeader,
  nextLink,
  ocpiDateTime,
  paginate,
  parseOcpiDateTime,
  parsePageQuery,
  tokensFromAuthorization,
} from '../../../simulators/cpo/core/ocpi.ts';
import { advance, chargeParams, initialState, powerKw, stepSecond } from '../../../simulators/cpo/core/power-curve.ts';
import { priceSession, sessionTariff, tariffProbe } from '../../../simulators/cpo/core/pricing.ts';
import { parseLocation } from '../../../src/modules/network/index.ts';
import { parseTariff, priceCdr, type Tariff } from '../../../src/modules/tariffs/index.ts';

const sum = (periods: ChargingPeriod[], type: string) =>
  periods.reduce((s, p) => s + p.dimensions.filter((d) => d.type === type).reduce((a, d) => a + d.volume, 0), 0);
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

function tariff(json: unknown): Tariff {
  const r = parseTariff(json);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.tariff;
}

const TOD = tariff({
  country_code: 'DE',
  party_id: 'SIM',
  id: 'TOD',
  currency: 'EUR',
  elements: [
    {
      price_components: [{ type: 'ENERGY', price: 0.3, vat: 19, step_size: 1 }],
      restrictions: { start_time: '18:00', end_time: '22:00' },
    },
    { price_components: [{ type: 'ENERGY', price: 0.2, vat: 19, step_size: 1 }] },
    {
      price_components: [{ type: 'PARKING_TIME', price: 6, vat: 19, step_size: 60 }],
      restrictions: { min_duration: 7200 },
    },
    { price_components: [{ type: 'FLAT', price: 0.5, vat: 19, step_size: 1 }] },
  ],
  last_updated: '2026-01-01T00:00:00Z',
});

describe('power curve', () => {
  it('AC: constant power until full, then parking; energy grows monotonically and stops at the target SoC', () => {
    const p = chargeParams({ ac: true, chargePointKw: 22, batteryKwh: 40, startSocPct: 50, targetSocPct: 100 });
    expect(powerKw(p, 50, 0)).toBe(11);
    expect(powerKw(p, 99.9, 10_000)).toBe(11);
    let s = initialState(p);
    let previous = 0;
    let fullAt = -1;
    for (let i = 0; i < 3 * 3600; i++) {
      s = stepSecond(p, s);
      expect(s.energyKwh).toBeGreaterThanOrEqual(previous);
      previous = s.energyKwh;
      if (s.full && fullAt < 0) fullAt = s.elapsedSeconds;
    }
    // 20 kWh at 11 kW ≈ 1.818 h.
    expect(fullAt).toBe(Math.ceil((20 / 11) * 3600));
    expect(s.energyKwh).toBeCloseTo(20, 9);
    expect(s.socPct).toBe(100);
    expect(s.chargingSeconds).toBe(fullAt);
    expect(s.parkingSeconds).toBe(3 * 3600 - fullAt);
    expect(s.lastPowerKw).toBe(0);
  });

  it('AC limited by a 3.7 kW charge point', () => {
    const p = chargeParams({ ac: true, chargePointKw: 3.7 });
    expect(powerKw(p, 20, 0)).toBe(3.7);
  });

  it('DC: ramps up, holds, tapers above 80 % and never exceeds the limits', () => {
    const p = chargeParams({ ac: false, chargePointKw: 50, vehicleKw: 150, batteryKwh: 60, startSocPct: 10 });
    expect(powerKw(p, 10, 0)).toBeCloseTo(5, 9);
    expect(powerKw(p, 10, 30)).toBeGreaterThan(powerKw(p, 10, 10));
    expect(powerKw(p, 10, 60)).toBe(50);
    expect(powerKw(p, 79, 600)).toBe(50);
    expect(powerKw(p, 90, 600)).toBeLessThan(50);
    expect(powerKw(p, 95, 600)).toBeLessThan(powerKw(p, 90, 600));
    expect(powerKw(p, 99.99, 600)).toBeGreaterThanOrEqual(5);
    const s = advance(p, initialState(p), 4 * 3600);
    expect(s.full).toBe(true);
    expect(s.energyKwh).toBeCloseTo(54, 9);
    expect(s.parkingSeconds).toBeGreaterThan(0);
    // Power over time: rises, then holds, then falls (never rises again after the taper begins).
    let st = initialState(p);
    let peak = 0;
    let tapering = false;
    while (!st.full) {
      st = stepSecond(p, st);
      if (st.lastPowerKw < peak - 1e-9) tapering = true;
      if (tapering) expect(st.lastPowerKw).toBeLessThanOrEqual(peak + 1e-9);
      peak = Math.max(peak, st.lastPowerKw);
      if (tapering) peak = st.lastPowerKw;
    }
    expect(tapering).toBe(true);
  });

  it('a car already at its target parks from the start', () => {
    const p = chargeParams({ ac: true, chargePointKw: 11, startSocPct: 90, targetSocPct: 80 });
    const s = advance(p, initialState(p), 60);
    expect(s.energyKwh).toBe(0);
    expect(s.parkingSeconds).toBe(60);
  });
});

describe('session meter and period splitting', () => {
  const start = Date.parse('2026-11-24T16:30:00Z'); // Tuesday 17:30 in Berlin
  const tz = 'Europe/Berlin';

  it('splits charging and parking; periods sum exactly to the totals', () => {
    const p = chargeParams({ ac: true, chargePointKw: 11, batteryKwh: 20, startSocPct: 50 });
    const m = new SessionMeter(p, { startMs: start, volts: 230, toDateTime: ocpiDateTime });
    m.advanceTo(2 * 3600);
    const periods = m.finish();
    expect(periods).toHaveLength(2);
    expect(periods[0]?.dimensions.map((d) => d.type)).toEqual([
      'ENERGY',
      'TIME',
      'MIN_POWER',
      'MAX_POWER',
      'MIN_CURRENT',
      'MAX_CURRENT',
    ]);
    expect(periods[1]?.dimensions.map((d) => d.type)).toEqual(['PARKING_TIME']);
    expect(r4(sum(periods, 'ENERGY'))).toBe(10);
    expect(r4(sum(periods, 'TIME') + sum(periods, 'PARKING_TIME'))).toBe(2);
    // 11 kW on 3 phases at 230 V: 47.8 A summed over the phases.
    expect(periods[0]?.dimensions.find((d) => d.type === 'MAX_CURRENT')?.volume).toBeCloseTo(47.8261, 4);
    expect(periods[1]?.start_date_time).toBe(ocpiDateTime(start + Math.ceil((10 / 11) * 3600) * 1000));
  });

  it('starts a new period exactly when a different price component becomes active (18:00 local, min_duration)', () => {
    const p = chargeParams({ ac: true, chargePointKw: 11, batteryKwh: 30, startSocPct: 50 });
    const m = new SessionMeter(p, {
      startMs: start,
      tariffId: 'TOD',
      probe: tariffProbe(TOD, tz),
      volts: 230,
      toDateTime: ocpiDateTime,
    });
    // Advance in odd steps, like the simulation does.
    for (const t of [7, 400, 1799, 1800, 3000, 5000, 9000, 4 * 3600]) m.advanceTo(t);
    const periods = m.finish();
    const starts = periods.map((q) => q.start_date_time);
    expect(starts).toContain('2026-11-24T17:00:00Z'); // 18:00 Berlin: ENERGY 0.20 → 0.30
    expect(starts).toContain(ocpiDateTime(start + Math.ceil((15 / 11) * 3600) * 1000)); // full → parking
    expect(starts).toContain('2026-11-24T18:30:00Z'); // min_duration 7200 s: parking becomes priced
    expect(periods.every((q) => q.tariff_id === 'TOD')).toBe(true);
    // The engine, asked to check the instant before each period end, finds no unsplit boundary.
    const priced = priceCdr({
      cdr: { start_date_time: ocpiDateTime(start), end_date_time: ocpiDateTime(m.nowMs), charging_periods: periods },
      tariffs: [TOD],
      timeZone: tz,
      policy: { warnUnsplitPeriods: true },
    });
    expect(priced.ok).toBe(true);
    if (priced.ok) expect(priced.result.warnings).toEqual([]);
  });

  it('closeOpenPeriod adds extra periods without changing totals; snapshot includes the open period', () => {
    const p = chargeParams({ ac: true, chargePointKw: 11 });
    const m = new SessionMeter(p, { startMs: start, volts: 230, toDateTime: ocpiDateTime });
    m.advanceTo(600);
    expect(m.snapshot()).toHaveLength(1);
    expect(m.closed).toHaveLength(0);
    m.closeOpenPeriod();
    m.advanceTo(1500);
    m.closeOpenPeriod();
    m.advanceTo(1600);
    const periods = m.finish();
    expect(periods.map((q) => q.start_date_time)).toEqual([
      ocpiDateTime(start),
      ocpiDateTime(start + 600_000),
      ocpiDateTime(start + 1_500_000),
    ]);
    expect(r4(sum(periods, 'ENERGY'))).toBe(m.energyKwh);
    expect(m.energyKwh).toBeCloseTo((11 * 1600) / 3600, 3);
  });
});

describe('CDR pricing through the tariff engine', () => {
  it('CDR totals equal the engine price of the periods; live cost is an "at least" amount', () => {
    const start = Date.parse('2026-11-24T16:30:00Z');
    const p = chargeParams({ ac: true, chargePointKw: 11, batteryKwh: 30, startSocPct: 50 });
    const m = new SessionMeter(p, {
      startMs: start,
      tariffId: 'TOD',
      probe: tariffProbe(TOD, 'Europe/Berlin'),
      volts: 230,
      toDateTime: ocpiDateTime,
    });
    m.advanceTo(3 * 3600 + 17);
    const live = priceSession({
      startMs: start,
      endMs: m.nowMs,
      periods: m.snapshot(),
      tariff: TOD,
      timeZone: 'Europe/Berlin',
      currency: 'EUR',
      mode: 'LIVE',
    });
    const periods = m.finish();
    const final = priceSession({
      startMs: start,
      endMs: m.nowMs,
      periods,
      tariff: TOD,
      timeZone: 'Europe/Berlin',
      currency: 'EUR',
      mode: 'FINAL',
    });
    expect(final.ok && live.ok).toBe(true);
    if (!final.ok || !live.ok) return;
    // By hand: 0.5 FLAT; 15 kWh: first 30 min (5.5 kWh) at 0.20, then 9.5 kWh at 0.30 (18:00-22:00);
    // parking priced after 2 h: from 18:30 to the end (1 h 0 min 17 s → step 60 s → 61 min) at 6 €/h.
    const flat = 0.5;
    const energy = 5.5 * 0.2 + 9.5 * 0.3;
    const parking = (61 / 60) * 6;
    const excl = flat + energy + parking;
    expect(final.costs.total_cost.excl_vat).toBeCloseTo(excl, 3);
    expect(final.costs.total_cost.incl_vat).toBeCloseTo(excl * 1.19, 3);
    expect(final.costs.total_energy).toBe(15);
    expect(final.costs.total_parking_cost?.excl_vat).toBeCloseTo(parking, 3);
    expect(final.costs.total_fixed_cost?.excl_vat).toBe(0.5);
    expect(live.costs.total_cost.excl_vat).toBeLessThanOrEqual(final.costs.total_cost.excl_vat);
    // And the engine agrees when asked directly with the CDR the simulator would send.
    const direct = priceCdr({
      cdr: { start_date_time: ocpiDateTime(start), end_date_time: ocpiDateTime(m.nowMs), charging_periods: periods },
      tariffs: [TOD],
      timeZone: 'Europe/Berlin',
    });
    expect(direct.ok && Number(direct.result.total_cost.excl_vat)).toBe(final.costs.total_cost.excl_vat);
  });

  it('picks the REGULAR tariff of a connector, never AD_HOC_PAYMENT', () => {
    const adhoc = tariff({ ...TOD, id: 'ADHOC', type: 'AD_HOC_PAYMENT' });
    const map = new Map([
      ['ADHOC', adhoc],
      ['TOD', TOD],
    ]);
    const c = {
      id: '1',
      standard: 'IEC_62196_T2' as const,
      format: 'SOCKET' as const,
      power_type: 'AC_3_PHASE' as const,
      max_voltage: 230,
      max_amperage: 16,
      tariff_ids: ['ADHOC', 'TOD'],
      last_updated: '2026-01-01T00:00:00Z',
    };
    expect(sessionTariff(c, map, Date.now())?.id).toBe('TOD');
  });
});

describe('network', () => {
  it('is deterministic, owned by the simulator party, valid OCPI, and every tariff_id resolves', () => {
    const opts = { countryCode: 'DE', partyId: 'SIM', locations: 40, seed: 7, notAfterMs: Date.now() };
    const a = buildSimNetwork(opts);
    const b = buildSimNetwork(opts);
    expect(a).toEqual(b);
    expect(a.locations).toHaveLength(40);
    const tariffIds = new Set(a.tariffs.map((t) => t.id));
    for (const l of a.locations) {
      expect(parseLocation(l).ok).toBe(true);
      expect(l).toMatchObject({ country_code: 'DE', party_id: 'SIM' });
      for (const e of l.evses ?? []) {
        expect(e.evse_id).toMatch(/^DE\*SIM\*E\d{6}\*\d+$/);
        for (const c of e.connectors) {
          expect(c.tariff_ids?.length).toBeGreaterThan(0);
          for (const id of c.tariff_ids ?? []) expect(tariffIds.has(id)).toBe(true);
        }
      }
      expect(Date.parse(l.last_updated)).toBeLessThanOrEqual(opts.notAfterMs);
    }
    for (const t of a.tariffs) expect(parseTariff(t).ok).toBe(true);
  });
});

describe('OCPI helpers', () => {
  it('encodes and decodes the Authorization header (base64, raw, trailing newline of the spec examples)', () => {
    expect(authorizationHeader('example-token')).toBe('Token ZXhhbXBsZS10b2tlbg==');
    expect(tokensFromAuthorization('Token ZXhhbXBsZS10b2tlbg==')).toContain('example-token');
    expect(tokensFromAuthorization('Token ZXhhbXBsZS10b2tlbgo=')).toContain('example-token');
    expect(tokensFromAuthorization('Token example-token')).toContain('example-token');
    expect(tokensFromAuthorization('Bearer x')).toEqual([]);
    expect(tokensFromAuthorization(undefined)).toEqual([]);
  });

  it('parses DateTimes leniently and emits whole-second UTC', () => {
    expect(parseOcpiDateTime('2015-06-29T20:39:09Z')).toBe(Date.UTC(2015, 5, 29, 20, 39, 9));
    expect(parseOcpiDateTime('2015-06-29T20:39:09')).toBe(Date.UTC(2015, 5, 29, 20, 39, 9));
    expect(parseOcpiDateTime('2015-06-29T20:39:09.2Z')).toBe(Date.UTC(2015, 5, 29, 20, 39, 9, 200));
    expect(parseOcpiDateTime('yesterday')).toBeNaN();
    expect(ocpiDateTime(Date.UTC(2015, 5, 29, 20, 39, 9, 999))).toBe('2015-06-29T20:39:09Z');
  });

  it('paginates with stable order, caps limit at X-Limit, and repeats filters in Link', () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ id: i, last_updated: `2026-01-0${i + 1}T00:00:00Z` }));
    const q = parsePageQuery({ limit: '100', date_from: '2026-01-02T00:00:00Z', date_to: '2026-01-07T00:00:00Z' }, 2);
    expect(q.ok).toBe(true);
    if (!q.ok) return;
    expect(q.query.limit).toBe(2);
    const page = paginate(items, (x) => x.last_updated, q.query, 2, 'http://sim/locations');
    expect(page.items.map((x) => x.id)).toEqual([1, 2]);
    expect(page.headers['X-Total-Count']).toBe('5');
    expect(page.headers['X-Limit']).toBe('2');
    expect(nextLink(page.headers.Link)).toBe(
      'http://sim/locations?date_from=2026-01-02T00%3A00%3A00Z&date_to=2026-01-07T00%3A00%3A00Z&offset=2&limit=2',
    );
    const last = paginate(
      items,
      (x) => x.last_updated,
      { offset: 4, limit: 2, dateFrom: q.query.dateFrom, dateTo: q.query.dateTo },
      2,
      'u',
    );
    expect(last.items.map((x) => x.id)).toEqual([5]);
    expect(last.headers.Link).toBeUndefined();
    expect(parsePageQuery({ offset: '-1' }, 2).ok).toBe(false);
    expect(parsePageQuery({}, 2, { requireDateFrom: true }).ok).toBe(false);
  });
});

describe('config and faults', () => {
  it('parses flags and env; flags win', () => {
    const o = parseSimulatorArgs(['--port', '4300', '--speed', '60', '--locations', '10', '--no-push'], {
      CPO_SIM_PORT: '1',
      CPO_SIM_PARTY_ID: 'abc',
    });
    expect(o).not.toBe('help');
    if (o === 'help') return;
    expect(o).toMatchObject({ port: 4300, speed: 60, locations: 10, push: false, partyId: 'ABC', countryCode: 'DE' });
    expect(() => parseSimulatorArgs(['--error-rate', '2'])).toThrow(/error-rate/);
    expect(() => parseSimulatorArgs(['--token-a', 'x'])).toThrow(/go together/);
    expect(parseSimulatorArgs(['--help'])).toBe('help');
  });

  it('malformed copies really are invalid OCPI', () => {
    const net = buildSimNetwork({ countryCode: 'DE', partyId: 'SIM', locations: 1, seed: 1, notAfterMs: Date.now() });
    const loc = net.locations[0] as unknown as Record<string, unknown>;
    expect(parseLocation(malform('location', loc, 'missing')).ok).toBe(false);
    expect(parseLocation(malform('location', loc, 'enum')).ok).toBe(false);
    const t = net.tariffs[0] as unknown as Record<string, unknown>;
    expect(parseTariff(malform('tariff', t, 'missing')).ok).toBe(false);
    expect(parseTariff(malform('tariff', t, 'enum')).ok).toBe(false);
    expect(malform('evse_status', { status: 'AVAILABLE', last_updated: 'x' }).status).toBe('BROKEN');
    expect(malform('patch_without_last_updated', { status: 'AVAILABLE', last_updated: 'x' })).toEqual({
      status: 'AVAILABLE',
    });
    expect(MALFORMED_KINDS).toHaveLength(6);
  });
});
