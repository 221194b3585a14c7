// Invoice lines come from a priced session's result (the tariff engine's price proof), never re-priced.
import { describe, expect, it } from 'vitest';
import {
  linesFromPricedSession,
  NotInvoiceableError,
} from '../../../src/modules/invoicing/core/from-priced-session.ts';
import { computeTotals } from '../../../src/modules/invoicing/core/totals.ts';
import { liveCost, type PriceResult, priceCdr, type Tariff } from '../../../src/modules/tariffs/index.ts';
import { cdrFrom, exampleTariff, tariff } from '../tariffs/helpers.ts';

function priced(t: Tariff | Tariff[], cdr: ReturnType<typeof cdrFrom>, timeZone = 'UTC'): PriceResult {
  const r = priceCdr({ cdr, tariffs: Array.isArray(t) ? t : [t], timeZone });
  if (!r.ok) throw new Error(r.error.message);
  return r.result;
}
const kwh = (n: number) => cdrFrom('2018-12-20T10:00:00Z', [{ minutes: 60, charging: true, dims: { ENERGY: n } }]);

describe('linesFromPricedSession', () => {
  it('tariff_9 (start fee 20 % VAT, energy 10 % VAT), 20 kWh → 5.50 / 6.10 → invoice gross 6.10', () => {
    const result = priced(exampleTariff('tariff_9_025kwh_start.json'), kwh(20));
    expect(result.total_cost).toEqual({ excl_vat: '5.5000', incl_vat: '6.1000' });
    const lines = linesFromPricedSession(result);
    expect(lines).toEqual([
      {
        description: 'Session fee',
        category: 'fixed',
        quantity: '1',
        unit: 'session',
        unit_price: '0.5',
        vat_rate: '20',
        net: '0.5',
      },
      {
        description: 'Energy',
        category: 'energy',
        quantity: '20',
        unit: 'kWh',
        unit_price: '0.25',
        vat_rate: '10',
        net: '5',
      },
    ]);
    const t = computeTotals(lines, 'EUR');
    expect(t.groups.map((g) => [g.vat_rate, g.net, g.vat, g.gross])).toEqual([
      ['20', 50, 10, 60],
      ['10', 500, 50, 550],
    ]);
    expect([t.net, t.vat, t.gross]).toEqual([550, 60, 610]);
  });

  it('sums one price component over many periods; a time-of-day tariff gives one line per price', () => {
    const t = tariff([
      {
        price_components: [{ type: 'ENERGY', price: 0.3, vat: 19, step_size: 1 }],
        restrictions: { start_time: '08:00', end_time: '20:00' },
      },
      { price_components: [{ type: 'ENERGY', price: 0.2, vat: 19, step_size: 1 }] },
    ]);
    const cdr = cdrFrom('2024-05-06T17:00:00Z', [
      { minutes: 30, dims: { ENERGY: 5.5 } },
      { minutes: 30, dims: { ENERGY: 5.5 } },
      { minutes: 60, dims: { ENERGY: 10.123 } },
      { minutes: 60, dims: { ENERGY: 2 } },
    ]);
    const result = priced(t, cdr, 'Europe/Berlin'); // 19:00 local → 20:00 local switches price
    const lines = linesFromPricedSession(result);
    expect(lines.map((l) => [l.description, l.quantity, l.unit_price, l.net])).toEqual([
      ['Energy', '11', '0.3', '3.3'],
      ['Energy', '12.123', '0.2', '2.4246'],
    ]);
    const totals = computeTotals(lines, 'EUR');
    // exact 5.7246 → 5.72 net; VAT 19 % of 5.72 = 1.0868 → 1.09
    expect([totals.net, totals.vat, totals.gross]).toEqual([572, 109, 681]);
  });

  it('carries step_size surplus in the billed quantity (tariff_10: 40 min parked billed as 45 min)', () => {
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [
      { minutes: 60, charging: true, dims: { ENERGY: 20 } },
      { minutes: 40, parking: true },
    ]);
    const result = priced(exampleTariff('tariff_10_025kwh_parking_start.json'), cdr);
    const lines = linesFromPricedSession(result);
    const parking = lines.find((l) => l.category === 'parking')!;
    expect(parking).toMatchObject({ description: 'Parking time', quantity: '0.75', unit: 'h', net: '1.5' });
    expect(computeTotals(lines, 'EUR').net).toBe(700);
  });

  it('min_price adjustment (tariff_12, 1.2 kWh → 0.50 / 0.55) is a line of its own with the session VAT', () => {
    const result = priced(exampleTariff('tariff_12_025kwh_min_price.json'), kwh(1.2));
    const lines = linesFromPricedSession(result);
    expect(lines.map((l) => [l.description, l.vat_rate, l.net])).toEqual([
      ['Energy', '10', '0.3'],
      ['Minimum price adjustment', '10', '0.2'],
    ]);
    expect(computeTotals(lines, 'EUR')).toMatchObject({ net: 50, vat: 5, gross: 55 });
  });

  it('max_price cap over two VAT rates is split in proportion (tariff_6, 50 kWh → 10.00 excl.)', () => {
    const result = priced(exampleTariff('tariff_6_025kwh_start_max_price.json'), kwh(50));
    const lines = linesFromPricedSession(result);
    const caps = lines.filter((l) => l.category === 'price_limit');
    expect(caps.length).toBeGreaterThan(0);
    expect(computeTotals(lines, 'EUR').net).toBe(1000);
  });

  it('adds the eMSP markup: a percentage and a per-session fee, each with its own VAT', () => {
    const result = priced(exampleTariff('tariff_9_025kwh_start.json'), kwh(20));
    const lines = linesFromPricedSession(result, {
      markup: { percent: { rate: '10', vat_rate: '19' }, session_fee: { net: '0.35', vat_rate: '19' } },
    });
    expect(lines.slice(2).map((l) => [l.description, l.category, l.vat_rate, l.net])).toEqual([
      ['Service fee (10 % of the charging costs)', 'markup', '19', '0.55'],
      ['Service fee per session', 'markup', '19', '0.35'],
    ]);
    const t = computeTotals(lines, 'EUR');
    // CPO 5.50 + markup 0.90 (19 % → 0.17)
    expect(t.groups.map((g) => [g.vat_rate, g.net, g.vat])).toEqual([
      ['20', 50, 10],
      ['19', 90, 17],
      ['10', 500, 50],
    ]);
    expect(t.gross).toBe(610 + 107);
  });

  it('refuses a live cost (AT_LEAST) and a result without proof', () => {
    const t = exampleTariff('tariff_9_025kwh_start.json');
    const live = liveCost({ session: kwh(5), tariffs: [t], timeZone: 'UTC', at: new Date('2018-12-20T10:30:00Z') });
    if (!live.ok) throw new Error(live.error.message);
    expect(() => linesFromPricedSession(live.result)).toThrow(NotInvoiceableError);
    const noProof = priceCdr({ cdr: kwh(5), tariffs: [t], timeZone: 'UTC', breakdown: false });
    if (!noProof.ok) throw new Error('unexpected');
    expect(() => linesFromPricedSession(noProof.result)).toThrow(/proof/);
  });
});
