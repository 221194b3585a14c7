// Paged list searches on a generated network (PGlite or PostgreSQL): the page statement (counted up to a limit, the
// page from an inner circle when that holds it, the page's EVSEs, connectors and tariffs read from precomputed
// columns) must give exactly what the plain statement over all matches gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIES } from '../../../src/modules/network/core/demo-geography.ts';
import { generateDemoNetwork } from '../../../src/modules/network/core/demo-network.ts';
import type { EvseStatus, Location } from '../../../src/modules/network/core/location.schema.ts';
import { connectorPowerW } from '../../../src/modules/network/core/power.ts';
import type { ListQuery } from '../../../src/modules/network/core/search.schema.ts';
import { applyEvseStatusChanges } from '../../../src/modules/network/evse-status.repository.ts';
import {
  inscribedBox,
  type SearchFilter,
  searchLocations,
  upsertLocations,
  upsertParties,
  upsertTariffs,
} from '../../../src/modules/network/network.repository.ts';
import { findLocations } from '../../../src/modules/network/network.search.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

let db: TestDatabase;
let generated: Location[] = [];
beforeAll(async () => {
  db = await openTestDatabase();
  const net = generateDemoNetwork({ locations: 1500, seed: 5 });
  await upsertParties(db.db, net.parties);
  await upsertTariffs(db.db, net.tariffs);
  for (const batch of net.batches(500)) {
    await upsertLocations(db.db, batch);
    generated = generated.concat(batch);
  }
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const city = (name: string) => CITIES.find((c) => c.name === name)!;
const berlin = city('Berlin');
const lisboa = city('Lisboa');
const HAV_R = 6371008.8;
function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * HAV_R * Math.asin(Math.sqrt(a));
}
const key = (r: { country_code: string; party_id: string; id: string }) => `${r.country_code}*${r.party_id}*${r.id}`;

const filters: [string, SearchFilter][] = [
  ['Berlin 10 km', { near: { lat: berlin.lat, lon: berlin.lon, radius_m: 10_000 } }],
  ['Berlin 2 km', { near: { lat: berlin.lat + 0.01, lon: berlin.lon - 0.02, radius_m: 2_000 } }],
  ['Berlin 60 km', { near: { lat: berlin.lat, lon: berlin.lon, radius_m: 60_000 } }],
  ['Lisboa 30 km', { near: { lat: lisboa.lat, lon: lisboa.lon, radius_m: 30_000 } }],
  [
    'Berlin 20 km, CCS >= 50 kW available',
    {
      near: { lat: berlin.lat, lon: berlin.lon, radius_m: 20_000 },
      standards: ['IEC_62196_T2_COMBO'],
      min_power_w: 50_000,
      available: true,
    },
  ],
  ['Berlin box', { bbox: { minLon: 13.2, minLat: 52.43, maxLon: 13.6, maxLat: 52.61 } }],
  ['a narrow box', { bbox: { minLon: 13.4, minLat: 52.3, maxLon: 13.41, maxLat: 52.7 } }],
  ['Germany, by text', { bbox: { minLon: 5, minLat: 47, maxLon: 15, maxLat: 55 }, q: 'bahnhof' }],
  ['an empty box', { bbox: { minLon: -30, minLat: 10, maxLon: -29, maxLat: 11 } }],
];

describe('paged list searches', () => {
  it.each(filters)('%s: pages, totals and distances equal those of all matches in order', async (_, f) => {
    const all = (await searchLocations(db.db, f, 'all')).rows;
    const centre = f.near ?? {
      lat: (f.bbox!.minLat + f.bbox!.maxLat) / 2,
      lon: (f.bbox!.minLon + f.bbox!.maxLon) / 2,
    };
    // The reference itself: nearest to the centre first (ties by key), and within the radius.
    const d = all.map((r) => distanceM(centre.lat, centre.lon, r.latitude, r.longitude));
    for (let i = 1; i < d.length; i++) expect(d[i]! + 1e-6).toBeGreaterThanOrEqual(d[i - 1]!);
    if (f.near) expect(d.every((x) => x <= f.near!.radius_m + 1e-6)).toBe(true);
    const countLimit = 40;
    for (const [limit, offset] of [
      [5, 0],
      [20, 0],
      [10, 30],
      [50, 0],
      [7, 45],
      [20, 200],
    ] as const) {
      const page = await searchLocations(db.db, f, { limit, offset }, { connectors: true, countLimit });
      expect(page.rows.map(key)).toEqual(all.slice(offset, offset + limit).map(key));
      expect(page.rows.map((r) => r.distance_m)).toEqual(all.slice(offset, offset + limit).map((r) => r.distance_m));
      const counted = Math.max(countLimit, offset + limit);
      expect([page.total, page.more]).toEqual([Math.min(all.length, counted), all.length > counted]);
    }
  });

  it.each([
    [['IEC_62196_T2_COMBO'], 50_000, true],
    [['IEC_62196_T2_COMBO'], 150_000, false],
    [['IEC_62196_T2_COMBO', 'CHADEMO'], 50_000, true],
    [['IEC_62196_T2'], undefined, true],
    [['CHADEMO', 'IEC_62196_T2'], undefined, false],
    [undefined, 50_000, true],
    [undefined, 22_000, true],
    [undefined, 100_000, false],
  ] as const)(
    'finds exactly the locations with a connector of %j, ≥ %j W, available: %j',
    async (standards, minW, available) => {
      // The reference: the generated objects, checked connector by connector (the same connector must qualify).
      const f: SearchFilter = {
        near: { lat: berlin.lat, lon: berlin.lon, radius_m: 60_000 },
        standards: standards ? [...standards] : undefined,
        min_power_w: minW,
        available,
      };
      const expected = generated
        .filter((l) => l.publish && (l.evses ?? []).some((e) => e.status !== 'REMOVED'))
        .filter(
          (l) =>
            distanceM(berlin.lat, berlin.lon, Number(l.coordinates.latitude), Number(l.coordinates.longitude)) <=
            60_000,
        )
        .filter((l) =>
          (l.evses ?? []).some(
            (e) =>
              e.status !== 'REMOVED' &&
              (!available || e.status === 'AVAILABLE') &&
              e.connectors.some(
                (c) =>
                  (!standards || standards.includes(c.standard as never)) &&
                  (minW === undefined || connectorPowerW(c) >= minW),
              ),
          ),
        )
        .map(key)
        .sort();
      const found = (await searchLocations(db.db, f, 'all')).rows.map(key).sort();
      expect(found.length).toBeGreaterThan(0);
      expect(found).toEqual(expected);
    },
  );

  it('covers both ways of finding a page: from the inner circle and from all matches', async () => {
    // 1,500 locations: Berlin's 2.5 km circle (the inner one of 10 km) and Lisboa's 7.5 km circle hold a few, so the
    // pages of 5 above come from the inner circle and those of 50 from all matches.
    const inner = (await searchLocations(db.db, { near: { lat: berlin.lat, lon: berlin.lon, radius_m: 2_500 } }, 'all'))
      .rows.length;
    const lisboaInner = (
      await searchLocations(db.db, { near: { lat: lisboa.lat, lon: lisboa.lon, radius_m: 7_500 } }, 'all')
    ).rows.length;
    expect([inner >= 5 && inner < 50, lisboaInner >= 5 && lisboaInner < 50]).toEqual([true, true]);
  });

  // A Friday at 11:00 in Europe: most sites are open; the open_now path reads the EVSEs, connectors and tariffs with
  // separate queries, the paged path from the precomputed columns (migrations/0013).
  const now = new Date('2026-11-27T10:00:00Z');
  const BERLIN_BOX = { minLon: 13.2, minLat: 52.43, maxLon: 13.6, maxLat: 52.61 };
  async function expectSameItems() {
    for (const where of [{ lat: berlin.lat, lon: berlin.lon, radius: 10_000 }, { bbox: BERLIN_BOX }]) {
      const query = { limit: 200, offset: 0, ...where } as ListQuery;
      const paged = await findLocations(db.db, query, now);
      const open = await findLocations(db.db, { ...query, open_now: true }, now);
      const byKey = new Map(open.items.map((i) => [key(i), i]));
      const both = paged.items.filter((i) => byKey.has(key(i)));
      expect(both.length).toBeGreaterThan(30);
      expect(both.some((i) => i.price !== null && i.availability.charging > 0)).toBe(true);
      for (const i of both) expect(i).toEqual(byKey.get(key(i)));
    }
  }

  it('builds the same items as the open_now path (EVSEs, connectors and tariffs read separately)', async () => {
    await expectSameItems();
  });

  it('shows EVSE status changes (one at a time and in batches, REMOVED too) in the list items', async () => {
    const near = (await searchLocations(db.db, { near: { lat: berlin.lat, lon: berlin.lon, radius_m: 10_000 } }, 'all'))
      .rows;
    const multi = near.filter((r) => r.evse_total >= 2).slice(0, 12);
    expect(multi.length).toBe(12);
    const at = (m: number) => `2027-01-0${1 + (m % 9)}T00:00:00Z`;
    const [one, two, ...rest] = multi;
    // One at a time: the first EVSE of one location REMOVED, of another OUTOFORDER.
    const single = (r: typeof one, uid: string, status: EvseStatus) =>
      applyEvseStatusChanges(db.db, [
        {
          country_code: r!.country_code,
          party_id: r!.party_id,
          location_id: r!.id,
          evse_uid: uid,
          status,
          last_updated: at(1),
        },
      ]);
    expect(await single(one, `${one!.id}-1`, 'REMOVED')).toEqual(['updated']);
    expect(await single(two, `${two!.id}-2`, 'OUTOFORDER')).toEqual(['updated']);
    // In batches: every status on the others.
    const statuses = ['CHARGING', 'BLOCKED', 'RESERVED', 'INOPERATIVE', 'UNKNOWN', 'REMOVED', 'AVAILABLE'] as const;
    const outcomes = await applyEvseStatusChanges(
      db.db,
      rest.map((r, i) => ({
        country_code: r.country_code,
        party_id: r.party_id,
        location_id: r.id,
        evse_uid: `${r.id}-${1 + (i % 2)}`,
        status: statuses[i % statuses.length]!,
        last_updated: at(2),
      })),
    );
    expect(outcomes.every((o) => o === 'updated')).toBe(true);
    const query = { limit: 200, offset: 0, lat: berlin.lat, lon: berlin.lon, radius: 10_000 } as ListQuery;
    const items = new Map((await findLocations(db.db, query, now)).items.map((i) => [key(i), i]));
    expect(items.get(key(one!))?.availability.total).toBe(one!.evse_total - 1);
    expect(items.get(key(two!))?.availability.out_of_order).toBeGreaterThan(0);
    await expectSameItems();
  });
});

describe('inscribedBox', () => {
  it('lies within the circle (every corner, with a margin) and covers a good part of it', () => {
    for (const [lat, lon, r] of [
      [52.52, 13.405, 10_000],
      [0, 0, 200_000],
      [-33.9, 151.2, 1],
      [69.6, 18.9, 50_000],
      [38.7, -9.1, 2_500],
    ] as const) {
      const b = inscribedBox(lat, lon, r);
      for (const [la, lo] of [
        [b.minLat, b.minLon],
        [b.minLat, b.maxLon],
        [b.maxLat, b.minLon],
        [b.maxLat, b.maxLon],
      ] as const)
        expect(distanceM(lat, lon, la, lo)).toBeLessThan(r * 0.996);
      // At least 40 % of the circle's area.
      const area = distanceM(b.minLat, lon, b.maxLat, lon) * distanceM(lat, b.minLon, lat, b.maxLon);
      expect(area).toBeGreaterThan(0.4 * Math.PI * r * r);
    }
  });

  it('gives no box near a pole or across the antimeridian', () => {
    expect(inscribedBox(85, 0, 10_000).minLon).toBeGreaterThan(180);
    expect(inscribedBox(0, 179.99, 10_000).minLon).toBeGreaterThan(180);
  });
});
