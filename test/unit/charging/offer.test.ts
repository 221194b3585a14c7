import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOffer } from '../../../src/modules/charging/core/offer.ts';
import type { Evse, Location } from '../../../src/modules/network/index.ts';

const example = (name: string) => JSON.parse(fs.readFileSync(`test/fixtures/ocpi-examples/${name}`, 'utf8'));
const location = example('location_example.json') as Location;
const tariff = example('tariff_9_025kwh_start.json');

describe('the offer a driver sees before starting', () => {
  const offer = (at: Date) =>
    buildOffer({
      party: { country_code: 'NL', party_id: 'CPO' },
      location,
      evse: location.evses![0] as Evse,
      tariff,
      markup: { percent: '10', fee: '0.50', vat: '19' },
      holdMin: '50.00',
      partnerReachable: true,
      at,
    });

  it('states its assumption in whole minutes and words, never a raw float', () => {
    const o = offer(new Date('2026-11-27T10:00:00Z'));
    expect(o.estimate).not.toBeNull();
    expect(o.estimate!.assumption).toMatch(/^\d+ kWh at [\d.]+ kW \(about (\d+ h )?\d+ min\), no parking$/);
  });

  it('holds at least the configured minimum and at least the estimate', () => {
    const o = offer(new Date('2026-11-27T10:00:00Z'));
    expect(o.hold.amount_minor).toBeGreaterThanOrEqual(5000);
    const estimateMinor = Math.round(Number(o.estimate!.total.incl_vat) * 100);
    expect(o.hold.amount_minor).toBeGreaterThanOrEqual(estimateMinor);
  });
});
