// Estimate before start, live cost during a session, and the CDR audit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditCdr, estimateSession, liveCost, parseCdrInput } from '../../../src/modules/tariffs/index.ts';
import { cdrFrom, exampleTariff, tariff } from './helpers.ts';

describe('estimateSession', () => {
  it('30 kWh at 50 kW with a start fee and parking (tariff_10)', () => {
    const r = estimateSession({
      tariff: exampleTariff('tariff_10_025kwh_parking_start.json'),
      start: new Date('2024-05-06T08:00:00Z'),
      timeZone: 'Europe/Berlin',
      energyKwh: 30,
      powerKw: 50,
      parkingMinutes: 20,
    });
    if (!r.ok) throw new Error(r.error.message);
    const e = r.estimate;
    expect(e.charging_minutes).toBe(36);
    // 30 × 0.25 + 0.50 + 30 min (20 → step 900) × 2.00 = 9.00 excl; incl 8.25 + 0.60 + 1.20 = 10.05.
    expect(e.total).toEqual({ excl_vat: '9.0000', incl_vat: '10.0500' });
    expect(e.components.map((c) => c.kind)).toEqual(['FLAT', 'ENERGY', 'PARKING_TIME']);
    expect(e.text).toEqual([
      'Start fee: 0.60 €',
      '0.275 € per kWh',
      'Parking after charging: 2.40 € per hour',
      'Expected total: 10.05 €',
    ]);
  });

  it('cuts periods at a time-of-day price change (16:30 → 17:30 across the 17:00 switch, tariff_14)', () => {
    const r = estimateSession({
      tariff: exampleTariff('tariff_14_step_size.json'),
      start: new Date('2024-01-15T15:30:00Z'), // 16:30 Berlin
      timeZone: 'Europe/Berlin',
      energyKwh: 11,
      powerKw: 11,
    });
    if (!r.ok) throw new Error(r.error.message);
    const periods = r.estimate.result.breakdown?.periods ?? [];
    expect(periods.map((p) => p.start_date_time)).toEqual(['2024-01-15T15:30:00.000Z', '2024-01-15T16:00:00.000Z']);
    // 30 min × 1.20 + 30 min × 2.40 = 1.80 (60 min is a multiple of the last step 900 s).
    expect(r.estimate.total.excl_vat).toBe('1.8000');
    expect(r.estimate.text).toEqual([
      'Charging time: 1.20 € per hour (00:00–17:00)',
      'Charging time: 2.40 € per hour (17:00–20:00)',
      'Expected total: 1.80 €',
    ]);
  });

  it('power bands pick the element of the assumed power (max_power example)', () => {
    const r = estimateSession({
      tariff: exampleTariff('tariffrestriction_example_max_power.json'),
      start: new Date('2024-01-15T10:00:00Z'),
      timeZone: 'UTC',
      energyKwh: 30,
      powerKw: 50,
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.estimate.text[0]).toBe('0.60 € per kWh');
    expect(r.estimate.total.excl_vat).toBe('15.0000');
  });

  it('kWh thresholds cut the simulated session exactly (first 10 kWh free)', () => {
    const t = tariff([
      { price_components: [{ type: 'ENERGY', price: 0, step_size: 1 }], restrictions: { max_kwh: 10 } },
      { price_components: [{ type: 'ENERGY', price: 0.5, step_size: 1 }] },
    ]);
    const r = estimateSession({
      tariff: t,
      start: new Date('2024-01-15T10:00:00Z'),
      timeZone: 'UTC',
      energyKwh: 25,
      powerKw: 22,
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.estimate.total.excl_vat).toBe('7.5000');
  });
});

describe('liveCost', () => {
  const t = exampleTariff('tariff_12_025kwh_min_price.json');
  it('is an "at least" amount without min_price and without step rounding', () => {
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [{ minutes: 10, dims: { ENERGY: 1.2 } }]);
    const r = liveCost({ session: cdr, tariffs: [t], timeZone: 'UTC', at: new Date('2018-12-20T10:10:00Z') });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.result.semantics).toBe('AT_LEAST');
    expect(r.result.total_cost).toEqual({ excl_vat: '0.3000', incl_vat: '0.3300' });
  });
  it('does not round parking to the step while the session runs', () => {
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [
      { minutes: 60, charging: true },
      { minutes: 2, parking: true },
    ]);
    const r = liveCost({
      session: cdr,
      tariffs: [exampleTariff('tariff_13_simple_3hour_5parking.json')],
      timeZone: 'UTC',
      at: new Date('2018-12-20T11:02:00Z'),
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.result.breakdown?.step_rounding).toEqual([]);
    expect(r.result.total_parking_cost?.excl_vat).toBe('0.1667');
  });
});

describe('auditCdr', () => {
  const p = parseCdrInput(JSON.parse(readFileSync('test/fixtures/ocpi-examples/cdr_example.json', 'utf8')));
  if (!p.ok) throw new Error('parse');
  it('recomputes cdr_example.json from its embedded tariff; the money agrees, total_energy does not', () => {
    const r = auditCdr({ cdr: p.cdr, tariffs: p.tariffs, timeZone: 'Europe/Brussels' });
    if (!r.ok) throw new Error(r.error.message);
    // The spec example says total_energy 15.342 kWh but its only period has no ENERGY dimension.
    expect(r.report.differences).toEqual([
      { field: 'total_energy', cdr: '15.342', computed: '0', difference: '-15.342' },
    ]);
    expect(r.report.compared.find((c) => c.field === 'total_cost.incl_vat')).toMatchObject({
      cdr: '4.4',
      computed: '4.4',
    });
  });
  it('tolerates small CPO rounding differences (codeberg_issue_228: CPO 1.83 / 2.21 vs exact 1.83702 / 2.2227942)', () => {
    const json = JSON.parse(
      readFileSync(
        'test/fixtures/tariff-vectors/Hamza-nabil-ocpi-tariffs-py/tests/test_data/v2_2_1/codeberg_issue_228/cdr.json',
        'utf8',
      ),
    );
    const c = parseCdrInput(json);
    if (!c.ok) throw new Error('parse');
    const strictAudit = auditCdr({ cdr: c.cdr, tariffs: c.tariffs, timeZone: 'Europe/Amsterdam', tolerance: '0.01' });
    if (!strictAudit.ok) throw new Error('audit');
    expect(strictAudit.report.differences).toEqual([
      { field: 'total_cost.incl_vat', cdr: '2.21', computed: '2.2227942', difference: '0.0127942' },
    ]);
    const loose = auditCdr({ cdr: c.cdr, tariffs: c.tariffs, timeZone: 'Europe/Amsterdam', tolerance: '0.02' });
    if (!loose.ok) throw new Error('audit');
    expect(loose.report.differences).toEqual([]);
    // The CPO left out total_energy_cost (optional): no claim, not compared, but listed.
    expect(loose.report.not_reported).toEqual(['total_energy_cost']);
    expect(loose.report.computed.warnings.map((w) => w.code)).toContain('PERIOD_OUTSIDE_SESSION');
  });
  it('reports a missing tariff as an error value', () => {
    const r = auditCdr({ cdr: p.cdr, tariffs: [], timeZone: 'UTC' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TARIFF' } });
  });
});
