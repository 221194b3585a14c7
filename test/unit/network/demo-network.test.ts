import { describe, expect, it } from 'vitest';
import { generateDemoNetwork, localToUtc, mulberry32 } from '../../../src/modules/network/core/demo-network.ts';
import { type Location, parseLocation } from '../../../src/modules/network/core/location.schema.ts';
import { parseTariff } from '../../../src/modules/tariffs/index.ts';

const all = (seed: number, locations = 2000): Location[] => {
  const net = generateDemoNetwork({ seed, locations });
  return [...net.batches(500)].flat();
};

describe('demo network', () => {
  const network = generateDemoNetwork({ seed: 42 });
  const locations = all(42);
  const evses = locations.flatMap((l) => l.evses ?? []);
  const connectors = evses.flatMap((e) => e.connectors);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(all(42, 300)).toEqual(locations.slice(0, 300));
    expect(generateDemoNetwork({ seed: 42, locations: 10 }).location(1234)).toEqual(network.location(1234));
    expect(all(43, 300)).not.toEqual(locations.slice(0, 300));
    const a = mulberry32(7);
    const b = mulberry32(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('has 2,000 locations and at least 6,000 EVSEs by default', () => {
    expect(locations).toHaveLength(2000);
    expect(evses.length).toBeGreaterThanOrEqual(6000);
  });

  it('passes the OCPI schemas: every location and every tariff', () => {
    const bad = locations.map((l) => [l.id, parseLocation(l)] as const).filter(([, r]) => !r.ok);
    expect(bad.slice(0, 3)).toEqual([]);
    for (const t of network.tariffs) {
      const r = parseTariff(t);
      expect(r.ok ? [] : r.errors, t.id).toEqual([]);
    }
  });

  it('spreads over several countries and their time zones, the Azores included', () => {
    const countries = new Set(locations.map((l) => l.country));
    expect(countries.size).toBeGreaterThanOrEqual(5);
    for (const c of ['DEU', 'FRA', 'NLD', 'FIN', 'AUT', 'PRT', 'ESP']) expect(countries).toContain(c);
    const zones = new Set(locations.map((l) => l.time_zone));
    for (const z of ['Europe/Berlin', 'Europe/Paris', 'Europe/Helsinki', 'Europe/Lisbon', 'Atlantic/Azores'])
      expect(zones).toContain(z);
    const byZone = (tz: string) => locations.filter((l) => l.time_zone === tz);
    expect(byZone('Atlantic/Azores').every((l) => l.city === 'Ponta Delgada')).toBe(true);
    expect(byZone('Europe/Helsinki').every((l) => l.country === 'FIN')).toBe(true);
  });

  it('has 6-10 made-up operators, each with its own party id', () => {
    expect(network.parties.length).toBeGreaterThanOrEqual(6);
    expect(network.parties.length).toBeLessThanOrEqual(10);
    expect(new Set(network.parties.map((p) => `${p.country_code}${p.party_id}`)).size).toBe(network.parties.length);
    const used = new Set(locations.map((l) => `${l.country_code}${l.party_id}`));
    expect(used.size).toBe(network.parties.length);
  });

  it('uses unique location ids across the whole network and eMI3-style EVSE ids', () => {
    expect(new Set(locations.map((l) => l.id)).size).toBe(locations.length);
    for (const l of locations.slice(0, 100)) {
      for (const [k, e] of (l.evses ?? []).entries()) {
        expect(e.evse_id).toMatch(new RegExp(`^${l.country_code}\\*${l.party_id}\\*E\\d{6}\\*${k + 1}$`));
      }
    }
    expect(network.location(122).evses?.[0]?.evse_id).toMatch(/^[A-Z]{2}\*[A-Z0-9]{3}\*E000123\*1$/);
  });

  it('mixes AC and DC connectors and live statuses', () => {
    const kinds = new Set(connectors.map((c) => `${c.standard}/${c.max_electric_power ?? ''}`));
    for (const k of [
      'IEC_62196_T2_COMBO/50000',
      'IEC_62196_T2_COMBO/150000',
      'IEC_62196_T2_COMBO/300000',
      'CHADEMO/50000',
    ]) {
      expect(kinds).toContain(k);
    }
    expect(connectors.some((c) => c.standard === 'IEC_62196_T2' && c.max_amperage === 16)).toBe(true);
    expect(connectors.some((c) => c.standard === 'IEC_62196_T2' && c.max_amperage === 32)).toBe(true);
    const share = (s: string) => evses.filter((e) => e.status === s).length / evses.length;
    expect(share('AVAILABLE')).toBeGreaterThan(0.6);
    expect(share('CHARGING')).toBeGreaterThan(0.1);
    expect(share('OUTOFORDER')).toBeGreaterThan(0);
    expect(share('UNKNOWN')).toBeGreaterThan(0);
  });

  it('has 24/7 and limited opening hours, some with exceptional closings and hours past midnight', () => {
    const hours = locations.map((l) => l.opening_times);
    expect(hours.some((h) => h === undefined)).toBe(true);
    expect(hours.some((h) => h?.twentyfourseven)).toBe(true);
    expect(hours.some((h) => h && !h.twentyfourseven)).toBe(true);
    expect(hours.some((h) => (h?.exceptional_closings ?? []).length > 0)).toBe(true);
    expect(hours.some((h) => h?.regular_hours?.some((r) => r.period_end < r.period_begin))).toBe(true);
  });

  it('prices in EUR with the VAT of the location country and the kinds of tariff OCPI shows', () => {
    const tariffs = new Map(network.tariffs.map((t) => [`${t.country_code}${t.party_id}${t.id}`, t]));
    const vat: Record<string, number> = { DEU: 19, FRA: 20, NLD: 21, FIN: 25.5, AUT: 20, PRT: 23, ESP: 21 };
    for (const l of locations) {
      for (const id of l.evses?.[0]?.connectors[0]?.tariff_ids ?? []) {
        const t = tariffs.get(`${l.country_code}${l.party_id}${id}`);
        expect(t, `${l.id} ${id}`).toBeDefined();
        expect(t?.currency).toBe('EUR');
        const expected = l.time_zone === 'Atlantic/Azores' ? 16 : vat[l.country];
        if (expected !== undefined) expect(t?.elements[0]?.price_components[0]?.vat).toBe(expected);
      }
    }
    const components = network.tariffs.flatMap((t) => t.elements.flatMap((e) => e.price_components.map((c) => c.type)));
    for (const type of ['ENERGY', 'TIME', 'FLAT', 'PARKING_TIME']) expect(components).toContain(type);
    expect(network.tariffs.some((t) => t.elements.some((e) => e.restrictions?.start_time))).toBe(true);
    expect(network.tariffs.some((t) => t.min_price)).toBe(true);
    expect(network.tariffs.some((t) => t.max_price)).toBe(true);
    expect(network.tariffs.some((t) => t.type === 'AD_HOC_PAYMENT')).toBe(true);
  });

  it('converts local wall-clock times to UTC through the time-zone database', () => {
    expect(localToUtc('2026-12-25', '00:00', 'Europe/Berlin')).toBe('2026-12-24T23:00:00Z');
    expect(localToUtc('2026-07-01', '00:00', 'Europe/Helsinki')).toBe('2026-06-30T21:00:00Z');
    expect(localToUtc('2026-12-25', '00:00', 'Atlantic/Azores')).toBe('2026-12-25T01:00:00Z');
  });
});
