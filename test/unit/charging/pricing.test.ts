import { describe, expect, it } from 'vitest';
import {
  driverFinalPrice,
  driverSummary,
  feeTag,
  holdAmount,
  type MarkupConfig,
  markUpAmount,
  markUpTag,
  reachesHold,
} from '../../../src/modules/charging/core/pricing.ts';
import { computeTotals } from '../../../src/modules/invoicing/index.ts';
import { parseTariff, priceCdr, type Tariff } from '../../../src/modules/tariffs/index.ts';

const M: MarkupConfig = { percent: '10', fee: '0.50', vat: '19' };

const tariff = (() => {
  const r = parseTariff(
    {
      id: 'T1',
      currency: 'EUR',
      elements: [
        {
          price_components: [
            { type: 'FLAT', price: 0.99, vat: 19, step_size: 1 },
            { type: 'ENERGY', price: 0.3361, vat: 19, step_size: 1 },
            { type: 'PARKING_TIME', price: 2.0, vat: 19, step_size: 60 },
          ],
        },
      ],
    },
    { mode: 'pricing' },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.tariff as Tariff;
})();

describe('markup math (decimals, never floats)', () => {
  it('marks up a unit price: excl × 1.1, incl = CPO incl + markup with its VAT', () => {
    expect(markUpTag({ excl_vat: '0.3361', incl_vat: '0.4000', vat: '19' }, M)).toEqual({
      excl_vat: '0.3697',
      incl_vat: '0.4400', // 0.4 + 0.03361 × 1.19 = 0.4399959
      vat: '19',
    });
    expect(markUpTag(null, M)).toBeNull();
  });

  it('adds the per-session fee with VAT, and to the flat price of the summary', () => {
    expect(feeTag(M)).toEqual({ excl_vat: '0.5000', incl_vat: '0.5950', vat: '19' });
    expect(feeTag({ ...M, fee: '0' })).toBeNull();
    const s = driverSummary(
      {
        currency: 'EUR',
        tariff_id: 'T1',
        energy_per_kwh: { excl_vat: '0.3361', incl_vat: '0.4000', vat: '19' },
        time_per_hour: null,
        flat: null,
        parking_per_hour: null,
        min_price: null,
        max_price: null,
        varies: [],
        alt_text: null,
      },
      M,
    );
    expect(s.flat).toEqual({ excl_vat: '0.5000', incl_vat: '0.5950', vat: '19' });
    expect(s.energy_per_kwh?.excl_vat).toBe('0.3697');
  });

  it('amounts stay exact: 0.1 + 0.2 style sums do not drift', () => {
    expect(markUpAmount({ excl_vat: '0.1', incl_vat: '0.2' }, { percent: '0', fee: '0.2', vat: '0' })).toEqual({
      excl_vat: '0.3',
      incl_vat: '0.4',
    });
    expect(markUpAmount({ excl_vat: '10', incl_vat: '11.9' }, M)).toEqual({
      excl_vat: '11.5',
      incl_vat: '13.685', // 11.9 + (1 + 0.5) × 1.19
    });
  });

  it('the hold is at least the estimate and the minimum, rounded up to whole units', () => {
    expect(holdAmount('12.01', '50', 'EUR')).toBe(5000);
    expect(holdAmount('50.01', '50', 'EUR')).toBe(5100);
    expect(holdAmount('73.00', '50', 'EUR')).toBe(7300);
    expect(holdAmount('0', '25.5', 'EUR')).toBe(2600);
    expect(holdAmount('1000.2', '50', 'JPY')).toBe(1001);
  });

  it('the final amount is the receipt gross: CPO lines + markup lines, rounded once per VAT rate', () => {
    const cdr = {
      start_date_time: '2025-03-01T10:00:00Z',
      end_date_time: '2025-03-01T11:30:00Z',
      currency: 'EUR',
      charging_periods: [
        { start_date_time: '2025-03-01T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 21.337 }] },
        { start_date_time: '2025-03-01T11:00:00Z', dimensions: [{ type: 'PARKING_TIME', volume: 0.5 }] },
      ],
    };
    const r = priceCdr({ cdr: cdr as never, tariffs: [tariff], timeZone: 'Europe/Berlin', breakdown: true });
    if (!r.ok) throw new Error(r.error.message);
    const d = driverFinalPrice(r.result, M);
    expect(d.amount_minor).toBe(computeTotals(d.lines, 'EUR').gross);
    expect(d.lines.filter((l) => l.category === 'markup')).toHaveLength(2);
    // CPO: 0.99 + 21.337 × 0.3361 + 0.5 × 2 = 9.1613657 excl; driver: × 1.1 + 0.5 = 10.57750227 excl → 12.59 incl.
    expect(d.exact.excl_vat).toBe('10.57750227');
    expect(d.totals.net).toBe(1058);
    expect(d.amount_minor).toBe(1058 + Math.round(1058 * 0.19));
  });
});

describe('reachesHold', () => {
  it('is true from exactly the given share of the hold, in decimals', () => {
    // hold 20.00 EUR, 90 % → 18.00
    expect(reachesHold('17.9999', 2000, 'EUR', 90)).toBe(false);
    expect(reachesHold('18.00', 2000, 'EUR', 90)).toBe(true);
    expect(reachesHold('25', 2000, 'EUR', 90)).toBe(true);
    // currencies without minor units: 5000 JPY, 50 % → 2500
    expect(reachesHold('2499', 5000, 'JPY', 50)).toBe(false);
    expect(reachesHold('2500', 5000, 'JPY', 50)).toBe(true);
  });
  it('never stops against an empty hold', () => {
    expect(reachesHold('100', 0, 'EUR', 90)).toBe(false);
  });
});
