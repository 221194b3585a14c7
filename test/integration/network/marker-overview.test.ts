// Zoomed-out maps without filters: clusters from the network overview (marker-overview.ts) instead of from every
// location in view, on PGlite or PostgreSQL, compared with the live clustering on the fixture network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarkerCollectionSchema } from '../../../src/modules/network/core/search.schema.ts';
import { applyEvseStatusChanges } from '../../../src/modules/network/evse-status.repository.ts';
import { networkRoutes } from '../../../src/modules/network/index.ts';
import { createMarkerOverview } from '../../../src/modules/network/marker-overview.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { seedFixtureNetwork } from './fixtures.ts';

type Marker = [number, number, string, string, string, number, number, number];
type Cluster = [number, number, number, number, number];
type Collection = { markers: Marker[]; clusters: Cluster[]; truncated: boolean };

let db: TestDatabase;
let t = Date.parse('2026-11-27T10:00:00Z');
let overview: ReturnType<typeof createMarkerOverview>;
let withOverview: App;
let live: App;

beforeAll(async () => {
  db = await openTestDatabase();
  await seedFixtureNetwork(db.db);
  overview = createMarkerOverview(db.db, { maxAgeMs: 30_000, clock: () => t });
  const app = (o: typeof overview | null) =>
    buildApp({
      logLevel: 'silent',
      // Clusters above 3 matches instead of 500: the small fixture network is "dense".
      modules: [networkRoutes({ db: db.db, markerClusterAbove: 3, markerOverview: o })],
      ready: async () => ({ ok: true }),
    });
  withOverview = await app(overview);
  live = await app(null);
});
afterAll(async () => {
  await withOverview?.close();
  await live?.close();
  await db?.close();
});

async function markers(app: App, query: string): Promise<Collection> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/locations/markers?${query}` });
  expect(res.statusCode).toBe(200);
  const body = res.json() as Collection;
  expect(MarkerCollectionSchema.safeParse(body).error).toBeUndefined();
  return body;
}
const sorted = (c: Collection) => ({
  markers: c.markers.map((m) => `${m[2]}/${m[3]}`).sort(),
  clusters: [...c.clusters].sort((x, y) => x[0] - y[0]),
});
/** Locations shown, and of them available / only in use: a marker is one location, a cluster its count. */
function totals(c: Collection) {
  let n = c.markers.length;
  let available = c.markers.filter((m) => m[4] === 'A').length;
  let occupied = c.markers.filter((m) => m[4] === 'O').length;
  for (const [, , count, a, o] of c.clusters) {
    n += count;
    available += a;
    occupied += o;
  }
  return { n, available, occupied };
}

// Berlin (L1–L4), Amsterdam (two DUP1) and Hamburg (L9): 7 published locations with EVSEs.
const AREA = 'bbox=4,52,14,54';
const EUROPE = 'bbox=-10,35,30,60';

describe('the network overview (zoomed out, no filters)', () => {
  it('gives the clusters and markers the live clustering gives, at zoom 8 and further out', async () => {
    for (const q of [`${AREA}&zoom=8`, `${AREA}&zoom=6.5`, `${EUROPE}&zoom=4`, `${EUROPE}&zoom=1`]) {
      const a = await markers(withOverview, q);
      const b = await markers(live, q);
      expect(sorted(a), q).toEqual(sorted(b));
      expect(totals(a), q).toEqual({ n: 7, available: 5, occupied: 1 });
      expect(a.truncated).toBe(false);
    }
    // Zoom 8 as the live clustering's own test has it: L1, L2, L3 in one cell; the two DUP1 in another.
    expect(sorted(await markers(withOverview, `${AREA}&zoom=8`))).toEqual({
      markers: ['DEAAA/L4', 'DEAAA/L9'],
      clusters: [
        [4.9005, 52.3705, 2, 2, 0],
        [13.42, 52.52667, 3, 2, 1],
      ],
    });
  });

  it('leaves zoomed-in maps, filters and sparse viewports to the live search', async () => {
    const change = { country_code: 'DE', party_id: 'AAA', location_id: 'L4', evse_uid: 'L4-1' };
    await overview.refresh();
    // Made busy after the overview was taken: only the live search can know.
    await applyEvseStatusChanges(db.db, [{ ...change, status: 'CHARGING', last_updated: '2026-11-27T10:00:01Z' }]);
    const l4 = (c: Collection) => c.markers.find((m) => m[3] === 'L4')?.[4];
    expect(l4(await markers(withOverview, `${AREA}&zoom=9`))).toBe('O'); // zoomed in
    const available = await markers(withOverview, `${AREA}&zoom=8&available=true`); // a filter
    expect(sorted(available)).toEqual(sorted(await markers(live, `${AREA}&zoom=8&available=true`)));
    expect(totals(available).n).toBe(4); // L2, L4 (now), L9 are not available
    expect(l4(await markers(withOverview, 'bbox=13,52.6,14,52.7&zoom=8'))).toBe('O'); // L4 alone in view
    await applyEvseStatusChanges(db.db, [{ ...change, status: 'AVAILABLE', last_updated: '2026-11-27T10:00:02Z' }]);
  });

  it('is at most maxAge old: a status change shows once the overview has been refreshed', async () => {
    const change = { country_code: 'FR', party_id: 'BBB', location_id: 'L3', evse_uid: 'L3-1' };
    const berlin = async () => sorted(await markers(withOverview, `${AREA}&zoom=8`)).clusters[1];
    await overview.refresh();
    expect(await berlin()).toEqual([13.42, 52.52667, 3, 2, 1]);
    await applyEvseStatusChanges(db.db, [{ ...change, status: 'CHARGING', last_updated: '2026-11-27T10:00:03Z' }]);
    expect(await berlin()).toEqual([13.42, 52.52667, 3, 2, 1]); // within 30 s: the overview as it was
    t += 31_000;
    expect(await berlin()).toEqual([13.42, 52.52667, 3, 2, 1]); // too old: answered from it, a refresh started
    await overview.refresh(); // (waits for that refresh)
    expect(await berlin()).toEqual([13.42, 52.52667, 3, 1, 2]); // L3 now in use
    expect(await berlin()).toEqual(sorted(await markers(live, `${AREA}&zoom=8`)).clusters[1]);
  });
});
