import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTariff, summarizeTariff, type Tariff } from '../../../src/modules/tariffs/index.ts';

const load = (name: string): Tariff => {
  const r = parseTariff(JSON.parse(readFileSync(`test/fixtures/ocpi-examples/${name}`, 'utf8')), { mode: 'pricing' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.tariff;
};

describe('summarizeTariff', () => {
  it('simple energy + start fee + parking (tariff_10)', () => {
    const s = summarizeTariff(
      load('tariff_10_025kwh_parking_start.json'),
      new Date('2024-05-06T10:00:00Z'),
      'Europe/Berlin',
    );
    expect(s.currency).toBe('EUR');
    expect(s.energy).toEqual({ excl_vat: '0.2500', incl_vat: '0.2750', vat: '10' });
    expect(s.flat).toEqual({ excl_vat: '0.5000', incl_vat: '0.6000', vat: '20' });
    expect(s.parking_time).toEqual({ excl_vat: '2.0000', incl_vat: '2.4000', vat: '20' });
    expect(s.time).toBeNull();
    expect(s.varies).toBe(false);
    expect(s.text).toEqual(['0.275 € per kWh', 'Start fee: 0.60 €', 'Parking after charging: 2.40 € per hour']);
  });

  it('complex tariff: weekday vs Saturday parking, current-dependent TIME (tariff_4)', () => {
    const t = load('tariff_4_complex.json');
    // Monday 2024-05-06 09:30 local (Berlin, UTC+2).
    const mon = summarizeTariff(t, new Date('2024-05-06T07:30:00Z'), 'Europe/Berlin');
    expect(mon.flat?.excl_vat).toBe('2.5000');
    // Current unknown at a typical start: max_current element (first TIME element) matches under policy MATCH.
    expect(mon.time).toEqual({ excl_vat: '1.0000', incl_vat: '1.2000', vat: '20' });
    expect(mon.parking_time?.excl_vat).toBe('5.0000');
    expect(mon.varies_by).toEqual(['TIME_OF_DAY', 'DAY_OF_WEEK', 'CURRENT']);
    // Saturday 09:30 local: Saturday parking only 10:00-17:00 → no parking price.
    const sat = summarizeTariff(t, new Date('2024-05-11T07:30:00Z'), 'Europe/Berlin');
    expect(sat.parking_time).toBeNull();
    const sat11 = summarizeTariff(t, new Date('2024-05-11T09:00:00Z'), 'Europe/Berlin');
    expect(sat11.parking_time?.excl_vat).toBe('6.0000');
  });

  it('time-of-day prices follow the local clock (tariff_14 at 16:59 vs 17:00 Berlin)', () => {
    const t = load('tariff_14_step_size.json');
    expect(summarizeTariff(t, new Date('2024-01-15T15:59:00Z'), 'Europe/Berlin').time?.excl_vat).toBe('1.2000');
    expect(summarizeTariff(t, new Date('2024-01-15T16:00:00Z'), 'Europe/Berlin').time?.excl_vat).toBe('2.4000');
    // After 20:00 no PARKING_TIME component: free parking.
    expect(summarizeTariff(t, new Date('2024-01-15T19:30:00Z'), 'Europe/Berlin').parking_time).toBeNull();
  });

  it('free of charge, min/max price, validity, VAT absent', () => {
    const free = summarizeTariff(load('tariff_5_free_of_charge.json'), new Date('2024-01-01T00:00:00Z'), 'UTC');
    expect([free.energy, free.time, free.flat, free.parking_time]).toEqual([null, null, null, null]);
    expect(free.text).toEqual(['Free of charge']);
    const max = summarizeTariff(load('tariff_6_025kwh_start_max_price.json'), new Date('2024-01-01T00:00:00Z'), 'UTC');
    expect(max.max_price).toEqual({ excl_vat: '10.0000', incl_vat: '11.0000' });
    expect(max.valid_at).toBe(false);
    const min = summarizeTariff(load('tariff_12_025kwh_min_price.json'), new Date('2018-12-20T00:00:00Z'), 'UTC');
    expect(min.min_price).toEqual({ excl_vat: '0.5000', incl_vat: '0.5500' });
    const novat = summarizeTariff(load('tariff_14_step_size.json'), new Date('2024-01-15T10:00:00Z'), 'UTC');
    expect(novat.time).toEqual({ excl_vat: '1.2000', incl_vat: '1.2000', vat: null });
  });

  it('reservation-only elements do not leak into the charging prices (tariff_16)', () => {
    const s = summarizeTariff(
      load('tariff_16_reservation_2_euro_fee_5_euro_per_hour.json'),
      new Date('2024-01-15T10:00:00Z'),
      'UTC',
    );
    expect(s.flat?.excl_vat).toBe('0.5000');
    expect(s.time).toBeNull();
    expect(s.has_reservation_prices).toBe(true);
  });
});
