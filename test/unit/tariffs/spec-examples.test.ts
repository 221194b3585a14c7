// The worked examples of OCPI 2.2.1 mod_tariffs / digest §11.13 and the §11.6 step_size rules; the CDR inputs
// are built from the scenario text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computePrice, type PricingCdr } from '../../../src/modules/tariffs/core/price.ts';
import { type PricingPolicy, parseCdrInput, type Tariff } from '../../../src/modules/tariffs/index.ts';
import { cdrFrom, exampleTariff, tariff } from './helpers.ts';

function price(t: Tariff | Tariff[], cdr: PricingCdr, timeZone = 'UTC', policy?: Partial<PricingPolicy>) {
  return computePrice({ cdr, tariffs: Array.isArray(t) ? t : [t], timeZone, policy }).result;
}
const total = (r: ReturnType<typeof price>) => [r.total_cost.excl_vat, r.total_cost.incl_vat];
const D2 = { decimals: 2 } as const;

describe('§11.13 energy examples', () => {
  const kwh = (n: number, at = '2018-12-20T10:00:00Z') =>
    cdrFrom(at, [{ minutes: 60, charging: true, dims: { ENERGY: n } }]);
  it('tariff_8 simple €0.25/kWh, 20 kWh → 5.00 / 5.50', () => {
    expect(total(price(exampleTariff('tariff_8_simple_025kwh.json'), kwh(20)))).toEqual(['5.0000', '5.5000']);
  });
  it('tariff_9 + start fee, 20 kWh → 5.50 / 6.10 (VAT per component)', () => {
    const r = price(exampleTariff('tariff_9_025kwh_start.json'), kwh(20));
    expect(total(r)).toEqual(['5.5000', '6.1000']);
    expect(r.total_fixed_cost).toEqual({ excl_vat: '0.5000', incl_vat: '0.6000' });
  });
  it('tariff_12 min price: 20 kWh → 5.00 / 5.50; 1.2 kWh → 0.50 / 0.55', () => {
    const t = exampleTariff('tariff_12_025kwh_min_price.json');
    expect(total(price(t, kwh(20)))).toEqual(['5.0000', '5.5000']);
    const r = price(t, kwh(1.2));
    expect(total(r)).toEqual(['0.5000', '0.5500']);
    // Default allocation TOTAL_ONLY: the energy subtotal stays; the adjustment is its own proof line.
    expect(r.total_energy_cost).toEqual({ excl_vat: '0.3000', incl_vat: '0.3300' });
    expect(r.breakdown?.price_limits[0]).toMatchObject({
      kind: 'MIN_PRICE',
      adjustment: { excl_vat: '0.2', incl_vat: '0.22' },
    });
    const prop = price(t, kwh(1.2), 'UTC', { limitAllocation: 'PROPORTIONAL' });
    expect(prop.total_energy_cost).toEqual({ excl_vat: '0.5000', incl_vat: '0.5500' });
  });
  it('tariff_10 parking + start: 20 kWh then 40 min parked → 7.00 / 7.90 (40 → 45 min)', () => {
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [
      { minutes: 60, charging: true, dims: { ENERGY: 20 } },
      { minutes: 40, parking: true },
    ]);
    const r = price(exampleTariff('tariff_10_025kwh_parking_start.json'), cdr);
    expect(total(r)).toEqual(['7.0000', '7.9000']);
    expect(r.total_parking_cost).toEqual({ excl_vat: '1.5000', incl_vat: '1.8000' });
  });
  it('tariff_6 max price: 50 kWh → 10.00 / 11.00 (capped), 30 kWh → 8.00 / 8.85', () => {
    const t = exampleTariff('tariff_6_025kwh_start_max_price.json');
    expect(total(price(t, kwh(50)))).toEqual(['10.0000', '11.0000']);
    expect(total(price(t, kwh(30)))).toEqual(['8.0000', '8.8500']);
  });
  it('tariff_6 end_date_time: a session after 2019-06-30T23:59:59Z is not priced with it', () => {
    const r = (() => {
      try {
        return price(exampleTariff('tariff_6_025kwh_start_max_price.json'), kwh(30, '2019-07-01T10:00:00Z'));
      } catch (e) {
        return (e as { code: string }).code;
      }
    })();
    expect(r).toBe('TARIFF_NOT_VALID');
  });
  it('tariff_3 alt URL: 20.45 kWh, step 100 Wh → 20.5 kWh: 5.625 / 6.2375, 5.63 / 6.24 at 2 decimals', () => {
    const t = exampleTariff('tariff_3_alt_url.json');
    const r = price(t, kwh(20.45));
    expect(r.breakdown?.exact.total_cost).toEqual({ excl_vat: '5.625', incl_vat: '6.2375' });
    expect(total(price(t, kwh(20.45), 'UTC', D2))).toEqual(['5.63', '6.24']);
  });
  it('tariff_5 free of charge → 0', () => {
    const r = price(exampleTariff('tariff_5_free_of_charge.json'), kwh(42));
    expect(total(r)).toEqual(['0.0000', '0.0000']);
  });
});

describe('§11.13 time examples', () => {
  it('tariff_1 €2/h, 2.5 h charging → 5.00 / 5.50; parking is free', () => {
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [
      { minutes: 150, charging: true },
      { minutes: 30, parking: true },
    ]);
    const r = price(exampleTariff('tariff_1_simple_2hour.json'), cdr);
    expect(total(r)).toEqual(['5.0000', '5.5000']);
    expect(r.total_parking_cost).toBeNull();
    expect(r.total_parking_time).toBe('0.5000');
  });
  it('tariff_13 €3/h + €5/h parking: 150 + 42 min → 11.25 / 12.75 (parking 42 → 45, TIME not rounded)', () => {
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [
      { minutes: 150, charging: true },
      { minutes: 42, parking: true },
    ]);
    expect(total(price(exampleTariff('tariff_13_simple_3hour_5parking.json'), cdr))).toEqual(['11.2500', '12.7500']);
  });
  it('tariff_2 ad-hoc €1.90/h, 5.2 % VAT: 2.5 h → 4.75 / 4.997 (5.00 at 2 decimals)', () => {
    const t = exampleTariff('tariff_2_alt_text.json');
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [{ minutes: 150, charging: true }]);
    expect(total(price(t, cdr))).toEqual(['4.7500', '4.9970']);
    expect(total(price(t, cdr, 'UTC', D2))).toEqual(['4.75', '5.00']);
  });
  it('tariff_11 (not modellable ad-hoc) prices as the announced 0.40 start fee + 1.90/h', () => {
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [{ minutes: 60, charging: true }]);
    expect(total(price(exampleTariff('tariff_11_not_possible_alt_text.json'), cdr))).toEqual(['2.3000', '2.4988']);
  });
  it('cdr_example.json: 1.973 h @ €2/h step 300 → 118.4 → 120 min → 4.00 / 4.40', () => {
    const p = parseCdrInput(JSON.parse(readFileSync('test/fixtures/ocpi-examples/cdr_example.json', 'utf8')));
    if (!p.ok) throw new Error('parse');
    const r = computePrice({ cdr: p.cdr, tariffs: p.tariffs, timeZone: 'Europe/Brussels' }).result;
    expect(total(r)).toEqual(['4.0000', '4.4000']);
    expect(r.total_time_cost).toEqual({ excl_vat: '4.0000', incl_vat: '4.4000' });
  });
});

describe('§11.13 complex tariff (tariff_4)', () => {
  const t = exampleTariff('tariff_4_complex.json');
  it('Monday 09:30 local: 165 min at ≤16 A + 42 min parking → 9.00 / 10.30', () => {
    // 2024-05-06 is a Monday; 09:30 Berlin = 07:30Z.
    const cdr = cdrFrom('2024-05-06T07:30:00Z', [
      { minutes: 165, charging: true, dims: { MIN_CURRENT: 16, MAX_CURRENT: 16 } },
      { minutes: 42, parking: true },
    ]);
    const r = price(t, cdr, 'Europe/Berlin');
    expect(total(r)).toEqual(['9.0000', '10.3000']);
    const line = r.breakdown?.periods[0]?.lines.find((l) => l.dimension === 'TIME');
    expect(line).toMatchObject({ element_index: 1, matched_restrictions: ['max_current: 16 < 32'], step_surplus: '0' });
  });
  it('Saturday 13:30: 114 min at 43 A + 71 min parking → 12.375 / 13.975 (spec ERRATUM prints 12.28 / 13.861)', () => {
    // The spec table uses 1.20 €/h where the JSON says 1.25 (ocpi#579/#396); we follow the tariff JSON.
    const cdr = cdrFrom('2024-05-11T11:30:00Z', [
      { minutes: 114, charging: true, dims: { MIN_CURRENT: 43, MAX_CURRENT: 43 } },
      { minutes: 71, parking: true },
    ]);
    const r = price(t, cdr, 'Europe/Berlin');
    expect(r.breakdown?.exact.total_cost).toEqual({ excl_vat: '12.375', incl_vat: '13.975' });
    const time = r.breakdown?.periods[0]?.lines.find((l) => l.dimension === 'TIME');
    expect(time?.element_index).toBe(3);
    expect(time?.skipped_elements.map((s) => s.failed)).toEqual([
      'max_current: 43 < 32',
      'day_of_week SATURDAY in MONDAY,TUESDAY,WEDNESDAY,THURSDAY,FRIDAY',
    ]);
  });
});

describe('§11.13 reservations', () => {
  const reserved = (resMin: number, then?: number) =>
    cdrFrom('2019-02-10T10:00:00Z', [
      { minutes: resMin, reservation: true },
      ...(then === undefined ? [] : [{ minutes: 60, charging: true, dims: { ENERGY: then } }]),
    ]);
  it('tariff_15 €5/h reservation: 15 min then 20 kWh → 6.75 / 7.60', () => {
    const r = price(exampleTariff('tariff_15_reservation_5_euro_per_hour.json'), reserved(15, 20));
    expect(total(r)).toEqual(['6.7500', '7.6000']);
    expect(r.total_reservation_cost).toEqual({ excl_vat: '1.2500', incl_vat: '1.5000' });
    expect(r.total_reservation_time).toBe('0.2500');
  });
  it('tariff_16 fee + €5/h: 13 min (→ 15) then 20 kWh → 8.75 / 10.00; reservation and session FLAT both billed', () => {
    const r = price(exampleTariff('tariff_16_reservation_2_euro_fee_5_euro_per_hour.json'), reserved(13, 20));
    expect(total(r)).toEqual(['8.7500', '10.0000']);
    expect(r.total_reservation_cost).toEqual({ excl_vat: '3.2500', incl_vat: '3.9000' });
    expect(r.total_fixed_cost).toEqual({ excl_vat: '0.5000', incl_vat: '0.6000' });
    const once = price(
      exampleTariff('tariff_16_reservation_2_euro_fee_5_euro_per_hour.json'),
      reserved(13, 20),
      'UTC',
      {
        flat: 'ONCE_PER_SESSION',
      },
    );
    expect(total(once)).toEqual(['8.2500', '9.4000']);
  });
  it('tariff_17 expire fee: used after 22 min → 6.50 / 7.30; expired after 1 h → 6.00 / 7.20', () => {
    const t = exampleTariff('tariff_17_reservation_with_expire_fee.json');
    expect(total(price(t, reserved(22, 20)))).toEqual(['6.5000', '7.3000']);
    const expired = price(t, reserved(60));
    expect(total(expired)).toEqual(['6.0000', '7.2000']);
    expect(expired.total_energy_cost).toBeNull();
  });
  it('tariff_18 expire time: used after 22 min → 7.00 / 7.90; expired after 1.5 h → 9.00 / 10.80', () => {
    const t = exampleTariff('tariff_18_reservation_with_expire_time.json');
    expect(total(price(t, reserved(22, 20)))).toEqual(['7.0000', '7.9000']);
    expect(total(price(t, reserved(90)))).toEqual(['9.0000', '10.8000']);
  });
});

describe('§11.13 / §11.6 step_size examples (tariff_14, Europe/Berlin)', () => {
  const t = exampleTariff('tariff_14_step_size.json');
  // 2024-01-15 (winter, UTC+1): 16:55 local = 15:55Z.
  it('#1 16:55 charge 10 min, park 2 min → 0.55 (TIME unrounded, parking 2 → 15 min)', () => {
    const cdr = cdrFrom('2024-01-15T15:55:00Z', [
      { minutes: 5, charging: true },
      { minutes: 5, charging: true },
      { minutes: 2, parking: true },
    ]);
    const r = price(t, cdr, 'Europe/Berlin', D2);
    expect(total(r)).toEqual(['0.55', '0.55']);
    expect(r.breakdown?.step_rounding).toEqual([
      expect.objectContaining({
        dimension: 'PARKING_TIME',
        step_size: 900,
        rounded_volume: '0.25',
        applied_to_period: 2,
      }),
    ]);
  });
  it('#2 16:35 charge 35 min → 1.30 (35 → 45 min with the last TIME step 900, surplus at 2.40)', () => {
    const cdr = cdrFrom('2024-01-15T15:35:00Z', [
      { minutes: 25, charging: true },
      { minutes: 10, charging: true },
    ]);
    const r = price(t, cdr, 'Europe/Berlin', D2);
    expect(total(r)).toEqual(['1.30', '1.30']);
    expect(r.breakdown?.periods[1]?.lines[0]).toMatchObject({ unit_price: '2.4', step_size: 900, vat: null });
  });
  it('#3 19:40 charge 12 min, park 20 min (free after 20:00) → 0.73: only 8 billable minutes → 15', () => {
    const cdr = cdrFrom('2024-01-15T18:40:00Z', [
      { minutes: 12, charging: true },
      { minutes: 8, parking: true },
      { minutes: 12, parking: true },
    ]);
    expect(total(price(t, cdr, 'Europe/Berlin', D2))).toEqual(['0.73', '0.73']);
    // Policy ALL (tandemdrive 2024): the whole 20 parking minutes → 30, surplus on the last priced line → 0.78.
    expect(total(price(t, cdr, 'Europe/Berlin', { ...D2, stepSizeVolume: 'ALL' }))).toEqual(['0.78', '0.78']);
  });
});

describe('§11.6 step_size rules with made-up tariffs', () => {
  const energyAt = (steps: [number, number]) =>
    tariff([
      { price_components: [{ type: 'ENERGY', price: 1, step_size: steps[0] }], restrictions: { end_time: '17:00' } },
      { price_components: [{ type: 'ENERGY', price: 2, step_size: steps[1] }], restrictions: { start_time: '17:00' } },
    ]);
  it('4.3 kWh before 17:00 + 1.1 kWh after, 500 Wh steps → total 5.4 → 5.5 kWh (not 1.1 → 1.5)', () => {
    const cdr = cdrFrom('2024-01-15T16:00:00Z', [
      { minutes: 60, dims: { ENERGY: 4.3 } },
      { minutes: 30, dims: { ENERGY: 1.1 } },
    ]);
    const r = price(energyAt([500, 500]), cdr);
    expect(r.breakdown?.step_rounding[0]).toMatchObject({ volume: '5.4', rounded_volume: '5.5', surplus: '0.1' });
    expect(r.total_energy_cost?.excl_vat).toBe('6.7000'); // 4.3 × 1 + (1.1 + 0.1) × 2
    expect(r.total_energy).toBe('5.4000');
  });
  it('unit sanity: 115.2 Wh at €0.25/kWh: step 1 → 0.029, step 25 → 0.03125, step 500 → 0.125', () => {
    const cdr = cdrFrom('2024-01-15T10:00:00Z', [{ minutes: 10, dims: { ENERGY: 0.1152 } }]);
    const at = (step: number) =>
      price(tariff([{ price_components: [{ type: 'ENERGY', price: 0.25, step_size: step }] }]), cdr).breakdown?.exact
        .total_cost.excl_vat;
    expect([at(1), at(25), at(500), at(0)]).toEqual(['0.029', '0.03125', '0.125', '0.0288']);
  });
  it('6 min @5 €/h + 22 min @7 €/h, step 10 min → 6 min @5 + 24 min @7', () => {
    const t = tariff([
      { price_components: [{ type: 'TIME', price: 5, step_size: 600 }], restrictions: { end_time: '17:00' } },
      { price_components: [{ type: 'TIME', price: 7, step_size: 600 }], restrictions: { start_time: '17:00' } },
    ]);
    const cdr = cdrFrom('2024-01-15T16:54:00Z', [
      { minutes: 6, charging: true },
      { minutes: 22, charging: true },
    ]);
    expect(price(t, cdr).breakdown?.exact.total_cost.excl_vat).toBe('3.3');
  });
  it('21 min charging + 16 min parking, both step 10 min → 21 + 20 min billed', () => {
    const t = tariff([
      {
        price_components: [
          { type: 'TIME', price: 6, step_size: 600 },
          { type: 'PARKING_TIME', price: 6, step_size: 600 },
        ],
      },
    ]);
    const cdr = cdrFrom('2024-01-15T10:00:00Z', [
      { minutes: 21, charging: true },
      { minutes: 16, parking: true },
    ]);
    const r = price(t, cdr);
    expect(r.breakdown?.exact.total_cost.excl_vat).toBe('4.1'); // 41 min × 0.10 €/min
    // Policy LAST_PRICED: a session that ends charging after parking rounds TIME instead.
    const back = cdrFrom('2024-01-15T10:00:00Z', [
      { minutes: 16, parking: true },
      { minutes: 21, charging: true },
    ]);
    expect(price(t, back, 'UTC', { timeRounding: 'LAST_PRICED' }).total_cost.excl_vat).toBe('4.6000');
  });
  it('parking 8 min with step 300 → 10 min', () => {
    const t = tariff([{ price_components: [{ type: 'PARKING_TIME', price: 6, step_size: 300 }] }]);
    const r = price(t, cdrFrom('2024-01-15T10:00:00Z', [{ minutes: 8, parking: true }]));
    expect(r.breakdown?.exact.total_cost.excl_vat).toBe('1');
  });
});

describe('§11.13 restriction examples', () => {
  it('max_power bands: 1 kWh @6 kW, 40 kWh @48 kW, 0.5 kWh @4 kW → 20.30 excl', () => {
    const t = exampleTariff('tariffrestriction_example_max_power.json');
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [
      { minutes: 10, dims: { ENERGY: 1, MIN_POWER: 6, MAX_POWER: 6 } },
      { minutes: 50, dims: { ENERGY: 40, MIN_POWER: 48, MAX_POWER: 48 } },
      { minutes: 8, dims: { ENERGY: 0.5, MIN_POWER: 4, MAX_POWER: 4 } },
    ]);
    expect(price(t, cdr).total_cost.excl_vat).toBe('20.3000');
  });
  it('max_duration bands: 40 min session, 5 kWh in the first 30 min, 1.2 kWh after → 0.30 excl', () => {
    const t = exampleTariff('tariffrestriction_example_max_duration.json');
    const cdr = cdrFrom('2018-12-20T10:00:00Z', [
      { minutes: 30, dims: { ENERGY: 5 } },
      { minutes: 10, dims: { ENERGY: 1.2 } },
    ]);
    expect(price(t, cdr).total_cost.excl_vat).toBe('0.3000');
  });
});
