// Station search over HTTP (app.inject) on a small hand-made network, on PGlite or PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocationDetailSchema,
  LocationListSchema,
  MarkerCollectionSchema,
} from '../../../src/modules/network/core/search.schema.ts';
import { networkRoutes } from '../../../src/modules/network/index.ts';
import { upsertTariff } from '../../../src/modules/network/network.repository.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { BERLIN, FIXTURE_TARIFFS, seedFixtureNetwork } from './fixtures.ts';

const FRIDAY_11H = new Date('2026-11-27T10:00:00Z'); // 11:00 in Berlin
const SATURDAY_11H = new Date('2026-11-28T10:00:00Z');
const FRIDAY_23H30 = new Date('2026-11-27T22:30:00Z');

let db: TestDatabase;
let app: App;
let clock = FRIDAY_11H;

beforeAll(async () => {
  db = await openTestDatabase();
  await seedFixtureNetwork(db.db);
  app = await buildApp({
    logLevel: 'silent',
    modules: [networkRoutes({ db: db.db, now: () => clock })],
    ready: async () => ({ ok: true }),
  });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url: `/api/v1${url}` });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}
function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
}
const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);
const near = `lat=${BERLIN.lat}&lon=${BERLIN.lon}`;
const BERLIN_BOX = 'bbox=13.3,52.4,13.6,52.7';

describe('GET /api/v1/locations (nearby)', () => {
  it('returns published, non-expired locations within the radius, nearest first, with exact distances', async () => {
    const r = await get(`/locations?${near}&radius=5000`);
    expect(r.status).toBe(200);
    expect(ids(r.body)).toEqual(['L1', 'L3', 'L2']); // L5 unpublished, L6 only REMOVED EVSEs
    expect(r.body.total).toBe(3);
    const expected = [
      [52.52, 13.405],
      [52.54, 13.405],
      [52.52, 13.45],
    ].map(([lat, lon]) => haversineM(BERLIN.lat, BERLIN.lon, lat!, lon!));
    r.body.items.forEach((i: { distance_m: number }, k: number) => {
      expect(i.distance_m).toBeCloseTo(expected[k]!, 0);
    });
    expect((await get(`/locations?${near}&radius=20000`)).body.total).toBe(4);
    expect((await get(`/locations?${near}&radius=2000`)).body.total).toBe(1);
  });

  it('defaults to 10 km and 50 results', async () => {
    const r = await get(`/locations?${near}`);
    expect([r.body.total, r.body.limit, r.body.offset]).toEqual([3, 50, 0]);
  });

  it('pages with limit and offset, keeping the total', async () => {
    const p1 = await get(`/locations?${near}&radius=20000&limit=2`);
    const p2 = await get(`/locations?${near}&radius=20000&limit=2&offset=2`);
    const p3 = await get(`/locations?${near}&radius=20000&limit=2&offset=10`);
    expect([ids(p1.body), ids(p2.body), ids(p3.body)]).toEqual([['L1', 'L3'], ['L2', 'L4'], []]);
    expect([p1.body.total, p2.body.total, p3.body.total]).toEqual([4, 4, 4]);
  });

  it('gives the same pages whether they come from the circle of a quarter of the radius or from all matches', async () => {
    // Within 20 km: L1, L3 and L2 lie within 5 km (L1 at the centre), L4 at 14.5 km. A page that the 5 km circle
    // fills comes from it; a page reaching further needs every match. Both order by distance alike.
    const all = await get(`/locations?${near}&radius=20000&limit=10`);
    expect(ids(all.body)).toEqual(['L1', 'L3', 'L2', 'L4']);
    for (const [limit, offset] of [
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
      [3, 0],
      [1, 3],
      [2, 3],
    ] as const) {
      const r = await get(`/locations?${near}&radius=20000&limit=${limit}&offset=${offset}`);
      expect(ids(r.body)).toEqual(ids(all.body).slice(offset, offset + limit));
      expect(r.body.items.map((i: { distance_m: number }) => i.distance_m)).toEqual(
        all.body.items.slice(offset, offset + limit).map((i: { distance_m: number }) => i.distance_m),
      );
      expect([r.body.total, r.body.more]).toEqual([4, false]);
    }
  });

  it('counts a nearby or bbox search up to a limit (1,000, or offset + limit) and then says more', async () => {
    const counting = await buildApp({
      logLevel: 'silent',
      modules: [networkRoutes({ db: db.db, now: () => clock, listCountLimit: 2 })],
      ready: async () => ({ ok: true }),
    });
    const list = async (query: string) =>
      (await counting.inject({ method: 'GET', url: `/api/v1/locations?${query}` })).json();
    try {
      const one = await list(`${near}&radius=20000&limit=1`);
      expect([ids(one), one.total, one.more]).toEqual([['L1'], 2, true]);
      const three = await list(`${near}&radius=20000&limit=2&offset=1`); // counts up to offset + limit
      expect([ids(three), three.total, three.more]).toEqual([['L3', 'L2'], 3, true]);
      const exact = await list(`${near}&radius=20000&limit=4`);
      expect([exact.total, exact.more]).toEqual([4, false]);
      const few = await list(`${near}&radius=3000`);
      expect([few.total, few.more]).toEqual([2, false]);
      const box = await list(`${BERLIN_BOX}&limit=1`);
      expect([ids(box), box.total, box.more]).toEqual([['L3'], 2, true]);
      const boxExact = await list(`${BERLIN_BOX}&limit=4`);
      expect([boxExact.total, boxExact.more]).toEqual([4, false]);
      const byName = await list('limit=1'); // the whole network by name counts exactly
      expect([ids(byName), byName.total, byName.more]).toEqual([['DUP1'], 7, false]); // Alpha Amsterdam
    } finally {
      await counting.close();
    }
  });

  it('summarises availability, connectors, opening and the price from the tariff engine', async () => {
    const r = await get(`/locations?${near}&radius=100`);
    expect(r.body.items[0]).toEqual({
      id: 'L1',
      country_code: 'DE',
      party_id: 'AAA',
      operator_name: 'Alpha Laden', // no operator in the object: the party's name
      name: 'Alpha Mitte',
      address: 'Alpha Mitte 1',
      city: 'Berlin',
      postal_code: '10115',
      country: 'DEU',
      coordinates: { latitude: 52.52, longitude: 13.405 },
      time_zone: 'Europe/Berlin',
      distance_m: 0,
      availability: { total: 2, available: 1, charging: 1, blocked: 0, out_of_order: 0, unknown: 0 },
      connectors: [{ standard: 'IEC_62196_T2', power_type: 'AC_3_PHASE', max_power_kw: 22, count: 2 }],
      max_power_kw: 22,
      open_now: true,
      opening_hours: { twentyfourseven: true },
      price: {
        currency: 'EUR',
        tariff_id: 'T-AC',
        energy_per_kwh: { excl_vat: '0.3000', incl_vat: '0.3570', vat: '19' },
        time_per_hour: null,
        flat: null,
        parking_per_hour: null,
        min_price: null,
        max_price: null,
        varies: [],
        alt_text: null,
      },
    });
  });

  it('evaluates time-of-day prices at the injected clock in the location time zone', async () => {
    const day = await get(`/locations?${near}&standard=IEC_62196_T2_COMBO&radius=5000`);
    expect(day.body.items[0].price.energy_per_kwh.excl_vat).toBe('0.5000');
    expect(day.body.items[0].price.varies).toEqual(['TIME_OF_DAY']);
    expect(day.body.items[0].price.alt_text).toBe('Cheaper at night.');
    clock = FRIDAY_23H30;
    const night = await get(`/locations?${near}&standard=IEC_62196_T2_COMBO&radius=5000`);
    clock = FRIDAY_11H;
    expect(night.body.items[0].price.energy_per_kwh.excl_vat).toBe('0.4000');
  });

  it('builds the same items with open_now (connectors and tariffs read separately) as without', async () => {
    const paged = await get(`/locations?${near}&radius=20000`); // Friday 11:00: everything is open
    const open = await get(`/locations?${near}&radius=20000&open_now=true`);
    expect(paged.body.items.length).toBeGreaterThan(1);
    expect(paged.body.items.some((i: { price: unknown }) => i.price !== null)).toBe(true);
    expect(open.body).toEqual(paged.body);
  });

  it('shows the price of the minute asked for, even right after the same tariff was priced at an earlier minute', async () => {
    const query = `/locations?${near}&standard=IEC_62196_T2_COMBO&radius=5000`;
    clock = new Date('2026-11-27T20:59:59.999Z'); // 21:59:59.999 in Berlin: the day price
    const before = await get(query);
    clock = new Date('2026-11-27T21:00:00.000Z'); // 22:00 in Berlin: the night price starts
    const after = await get(query);
    clock = FRIDAY_11H;
    expect(before.body.items[0].price.energy_per_kwh.excl_vat).toBe('0.5000');
    expect(after.body.items[0].price.energy_per_kwh.excl_vat).toBe('0.4000');
  });

  it('shows a changed tariff in the next answer (even with an unchanged last_updated)', async () => {
    const query = `/locations?${near}&radius=100`;
    const original = FIXTURE_TARIFFS.find((t) => t.country_code === 'DE' && t.id === 'T-AC')!;
    expect((await get(query)).body.items[0].price.energy_per_kwh.excl_vat).toBe('0.3000');
    const changed = {
      ...original,
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.35, vat: 19, step_size: 1 }] }],
    };
    await upsertTariff(db.db, changed);
    try {
      expect((await get(query)).body.items[0].price.energy_per_kwh.excl_vat).toBe('0.3500');
      expect((await get('/locations/L1')).body.price.energy_per_kwh.excl_vat).toBe('0.3500');
    } finally {
      await upsertTariff(db.db, original);
    }
    expect((await get(query)).body.items[0].price.energy_per_kwh.excl_vat).toBe('0.3000');
  });
});

describe('GET /api/v1/locations (bbox and filters)', () => {
  it('returns the locations in the box nearest to its centre first', async () => {
    // The box's centre is 52.55, 13.45: L3 3.24 km away, L2 3.34 km, L1 4.5 km, L4 11.5 km.
    const r = await get(`/locations?${BERLIN_BOX}`);
    expect(ids(r.body)).toEqual(['L3', 'L2', 'L1', 'L4']);
    expect(r.body.items.every((i: { distance_m: null }) => i.distance_m === null)).toBe(true);
    expect([r.body.total, r.body.more]).toEqual([4, false]);
    // Pages of a box: the same order whether a page comes from the inner circle or from all matches.
    for (const [limit, offset] of [
      [1, 0],
      [2, 1],
      [1, 3],
      [3, 2],
    ] as const) {
      const p = await get(`/locations?${BERLIN_BOX}&limit=${limit}&offset=${offset}`);
      expect(ids(p.body)).toEqual(ids(r.body).slice(offset, offset + limit));
    }
  });

  it.each([
    ['standard=IEC_62196_T2_COMBO', ['L2', 'L4']],
    ['standard=CHADEMO', ['L4']],
    ['standard=IEC_62196_T2,CHADEMO', ['L1', 'L3', 'L4']],
    ['min_power_kw=100', ['L2']],
    ['min_power_kw=22', ['L1', 'L2', 'L4']],
    ['available=true', ['L1', 'L3', 'L4']],
    ['available=false', ['L1', 'L2', 'L3', 'L4']],
    ['standard=IEC_62196_T2_COMBO&available=true', ['L4']], // L2's only CCS is charging
    ['standard=IEC_62196_T2_COMBO&min_power_kw=100&available=true', []],
    ['party=FRBBB', ['L3']],
    ['party=frbbb,DEAAA', ['L1', 'L2', 'L3', 'L4']],
    ['q=garage', ['L3']],
    ['q=beta%20operations', ['L3']], // operator name
    ['q=alpha%20laden', ['L1', 'L2', 'L4']], // party name stands in for the operator
    ['q=100%25', []], // % is literal text
    ['open_now=true', ['L1', 'L2', 'L3', 'L4']],
  ])('filters %s', async (filter, expected) => {
    const r = await get(`/locations?${BERLIN_BOX}&${filter}`);
    expect(r.status).toBe(200);
    expect(ids(r.body).sort()).toEqual(expected);
    expect(r.body.total).toBe(expected.length);
  });

  it('applies open_now in the location time zone, with totals and paging', async () => {
    clock = SATURDAY_11H;
    const r = await get(`/locations?${BERLIN_BOX}&open_now=true&limit=2&offset=1`);
    const all = await get(`/locations?${BERLIN_BOX}`);
    clock = FRIDAY_11H;
    expect(r.body.total).toBe(3); // Beta Garage is closed on Saturdays
    expect(ids(r.body)).toEqual(['L1', 'L4']); // of L2, L1, L4 (from the box's centre)
    expect(all.body.items.find((i: { id: string }) => i.id === 'L3').open_now).toBe(false);
  });

  it('searches the whole network without lat/lon or bbox', async () => {
    const r = await get('/locations?limit=200');
    expect(r.body.total).toBe(7); // all 9 but the unpublished L5 and the expired L6
    expect(ids(r.body)).toContain('L9');
  });
});

describe('GET /api/v1/locations/markers', () => {
  type Marker = [number, number, string, string, string, number, number, number];
  const byKey = (body: { markers: Marker[] }) => Object.fromEntries(body.markers.map((m) => [`${m[2]}/${m[3]}`, m]));

  it('returns compact marker rows with position, party, id, status and availability', async () => {
    const r = await get(`/locations/markers?${BERLIN_BOX}`);
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    expect(r.body.fields).toEqual(['lon', 'lat', 'party', 'id', 'status', 'available', 'total', 'max_power_kw']);
    expect(r.body.truncated).toBe(false);
    expect(r.body.cluster_fields).toEqual(['lon', 'lat', 'count', 'available', 'occupied']);
    expect(r.body.clusters).toEqual([]);
    const markers = byKey(r.body);
    expect(Object.keys(markers).sort()).toEqual(['DEAAA/L1', 'DEAAA/L2', 'DEAAA/L4', 'FRBBB/L3']);
    expect(markers['DEAAA/L1']).toEqual([13.405, 52.52, 'DEAAA', 'L1', 'A', 1, 2, 22]);
    expect(markers['DEAAA/L2']?.slice(4)).toEqual(['O', 0, 1, 150]);
  });

  it('covers the whole network without bbox, and applies the same filters', async () => {
    const all = await get('/locations/markers');
    expect(all.body.markers).toHaveLength(7);
    expect(byKey(all.body)['DEAAA/L9']?.[4]).toBe('U');
    const fast = await get('/locations/markers?min_power_kw=50&standard=IEC_62196_T2_COMBO,CHADEMO&available=true');
    expect(fast.body.markers.map((m: Marker) => m[3])).toEqual(['L4']);
    clock = SATURDAY_11H;
    const open = await get(`/locations/markers?${BERLIN_BOX}&open_now=true`);
    clock = FRIDAY_11H;
    expect(open.body.markers).toHaveLength(3);
  });

  it('builds the same markers in SQL (default) and in JavaScript (open_now)', async () => {
    const sqlBuilt = await get('/locations/markers');
    const jsBuilt = await get('/locations/markers?open_now=true'); // Friday 11:00: everything is open
    const sorted = (b: { markers: Marker[] }) =>
      [...b.markers].sort((x, y) => `${x[2]}/${x[3]}`.localeCompare(`${y[2]}/${y[3]}`));
    expect(sorted(jsBuilt.body)).toEqual(sorted(sqlBuilt.body));
    expect(sorted(sqlBuilt.body)).toHaveLength(7);
    expect(jsBuilt.body.fields).toEqual(sqlBuilt.body.fields);
    expect(jsBuilt.body.truncated).toBe(sqlBuilt.body.truncated);
  });
});

describe('GET /api/v1/locations/markers with a zoom level (clusters)', () => {
  type Marker = [number, number, string, string, string, number, number, number];
  type Cluster = [number, number, number, number, number];
  // Berlin (L1–L4), Amsterdam (two DUP1) and Hamburg (L9): 7 markers.
  const AREA = 'bbox=4,52,14,54';
  let dense: App; // clusters above 3 matches instead of 500, so the small fixture network is "dense"
  beforeAll(async () => {
    dense = await buildApp({
      logLevel: 'silent',
      // The live clustering always (the zoomed-out overview has tests of its own below).
      modules: [networkRoutes({ db: db.db, now: () => clock, markerClusterAbove: 3, markerOverview: null })],
      ready: async () => ({ ok: true }),
    });
  });
  afterAll(async () => {
    await dense?.close();
  });
  async function getDense(url: string) {
    const res = await dense.inject({ method: 'GET', url: `/api/v1${url}` });
    return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
  }
  const sortedMarkers = (b: { markers: Marker[] }) => b.markers.map((m) => `${m[2]}/${m[3]}`).sort();
  const sortedClusters = (b: { clusters: Cluster[] }) => [...b.clusters].sort((x, y) => x[0] - y[0]);

  it('sends markers as before while the viewport holds no more than the threshold', async () => {
    const r = await get(`/locations/markers?${AREA}&zoom=8`); // default threshold 500
    expect(r.status).toBe(200);
    expect(r.body.markers).toHaveLength(7);
    expect(r.body.clusters).toEqual([]);
    expect(r.body.truncated).toBe(false);
  });

  it('groups a dense viewport into grid cells: clusters with counts and availability, singles as markers', async () => {
    // Zoom 8: cells of 45/2^8 = 0.176° of longitude; L1, L2, L3 share one, the two DUP1 of Amsterdam another.
    const r = await getDense(`/locations/markers?${AREA}&zoom=8`);
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    expect(MarkerCollectionSchema.safeParse(r.body).error).toBeUndefined();
    expect(r.body.cluster_fields).toEqual(['lon', 'lat', 'count', 'available', 'occupied']);
    expect(sortedMarkers(r.body)).toEqual(['DEAAA/L4', 'DEAAA/L9']);
    expect(r.body.markers.find((m: Marker) => m[3] === 'L4')).toEqual([13.405, 52.65, 'DEAAA', 'L4', 'A', 1, 1, 50]);
    // [mean lon, mean lat (5 decimals), locations, of them available (L1, L3), of them only in use (L2)]
    expect(sortedClusters(r.body)).toEqual([
      [4.9005, 52.3705, 2, 2, 0],
      [13.42, 52.52667, 3, 2, 1],
    ]);
    expect(r.body.truncated).toBe(false);
  });

  it('splits the clusters when zoomed in, and filters before grouping', async () => {
    const close = await getDense(`/locations/markers?${AREA}&zoom=16`);
    expect(close.body.clusters).toEqual([]);
    expect(close.body.markers).toHaveLength(7);
    const free = await getDense(`/locations/markers?${AREA}&zoom=8&available=true`); // L2 and L9 drop out
    expect(sortedMarkers(free.body)).toEqual(['DEAAA/L4']);
    expect(sortedClusters(free.body)).toEqual([
      [4.9005, 52.3705, 2, 2, 0],
      [13.405, 52.53, 2, 2, 0],
    ]);
    const few = await getDense(`/locations/markers?${AREA}&zoom=8&party=FRBBB,NLCCC`); // 2 matches: no clusters
    expect(sortedMarkers(few.body)).toEqual(['FRBBB/L3', 'NLCCC/DUP1']);
    expect(few.body.clusters).toEqual([]);
  });

  it('gives the same clusters in SQL (default) and in JavaScript (open_now)', async () => {
    const sqlBuilt = await getDense(`/locations/markers?${AREA}&zoom=8`);
    const jsBuilt = await getDense(`/locations/markers?${AREA}&zoom=8&open_now=true`); // Friday 11:00: all open
    expect(sortedMarkers(jsBuilt.body)).toEqual(sortedMarkers(sqlBuilt.body));
    expect(sortedClusters(jsBuilt.body)).toEqual(sortedClusters(sqlBuilt.body));
    expect(jsBuilt.body.cluster_fields).toEqual(sqlBuilt.body.cluster_fields);
    expect(jsBuilt.body.truncated).toBe(false);
    clock = SATURDAY_11H; // L3 closed: Berlin keeps L1 and L2 together
    const saturday = await getDense(`/locations/markers?${AREA}&zoom=8&open_now=true`);
    clock = FRIDAY_11H;
    expect(sortedClusters(saturday.body)).toEqual([
      [4.9005, 52.3705, 2, 2, 0],
      [13.4275, 52.52, 2, 1, 1],
    ]);
  });
});

describe('GET /api/v1/locations/:id', () => {
  it('returns the detail with EVSEs, connectors and a price per connector', async () => {
    const r = await get('/locations/L4');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: 'L4',
      distance_m: null,
      facilities: [],
      parking_type: null,
      directions: [],
      operator: { name: 'Alpha Laden', website: null },
    });
    expect(r.body.evses).toHaveLength(1);
    expect(r.body.evses[0]).toMatchObject({
      uid: 'L4-1',
      evse_id: 'DE*AAA*EL4-1',
      status: 'AVAILABLE',
      capabilities: [],
    });
    expect(
      r.body.evses[0].connectors.map((c: { standard: string; max_power_kw: number }) => [c.standard, c.max_power_kw]),
    ).toEqual([
      ['IEC_62196_T2_COMBO', 50],
      ['CHADEMO', 50],
    ]);
    expect(r.body.evses[0].connectors[0].price.tariff_id).toBe('T-DC');
    const garage = await get('/locations/L3');
    expect(garage.body.operator).toEqual({ name: 'Beta Operations', website: 'https://beta.example' });
    expect(garage.body.price).toMatchObject({
      tariff_id: 'T-AC',
      flat: { excl_vat: '1.0000', incl_vat: '1.2000', vat: '20' },
    });
  });

  it('answers 409 with the parties when two operators use the id, and resolves it with the party', async () => {
    const r = await get('/locations/DUP1');
    expect(r.status).toBe(409);
    expect(r.type).toContain('application/problem+json');
    expect(r.body).toMatchObject({
      code: 'CONFLICT',
      parties: [
        { country_code: 'DE', party_id: 'AAA' },
        { country_code: 'NL', party_id: 'CCC' },
      ],
    });
    const one = await get('/locations/DUP1?country_code=nl&party_id=CCC');
    expect(one.status).toBe(200);
    expect([one.body.name, one.body.price]).toEqual(['Gamma Amsterdam', null]); // no tariff on its connector
  });

  it('answers 404 problems for unknown and unpublished locations', async () => {
    for (const id of ['NOPE', 'L5']) {
      const r = await get(`/locations/${id}`);
      expect(r.status).toBe(404);
      expect(r.type).toContain('application/problem+json');
      expect(r.body.code).toBe('NOT_FOUND');
    }
  });
});

describe('response shapes', () => {
  it('match the documented schemas (lists and markers are serialised without re-validation)', async () => {
    const list = await get(`/locations?${near}&radius=20000`);
    expect(LocationListSchema.safeParse(list.body).error).toBeUndefined();
    const markers = await get('/locations/markers');
    expect(MarkerCollectionSchema.safeParse(markers.body).error).toBeUndefined();
    const detail = await get('/locations/L3');
    expect(LocationDetailSchema.safeParse(detail.body).error).toBeUndefined();
  });
});

describe('bad input', () => {
  it.each([
    ['/locations?bbox=1,2,3', 'bbox'],
    ['/locations?bbox=a,b,c,d', 'bbox'],
    ['/locations/markers?bbox=14,52,13,53', 'bbox'],
    ['/locations/markers?bbox=0,95,1,96', 'bbox'],
    ['/locations?lat=95&lon=13', 'lat'],
    ['/locations?lat=52', 'lon'],
    ['/locations?lat=52&lon=13&bbox=1,2,3,4', 'bbox'],
    ['/locations?standard=TYPE2', 'standard.0'],
    ['/locations/markers?standard=IEC_62196_T2,FOO', 'standard.1'],
    ['/locations?limit=0', 'limit'],
    ['/locations?limit=999', 'limit'],
    ['/locations?lat=52&lon=13&radius=-5', 'radius'],
    ['/locations?lat=52&lon=13&radius=200001', 'radius'],
    ['/locations?offset=-1', 'offset'],
    ['/locations?available=yes', 'available'],
    ['/locations?party=DE', 'party.0'],
    ['/locations?min_power_kw=fast', 'min_power_kw'],
    ['/locations/markers?zoom=8', 'zoom'],
    ['/locations/markers?bbox=13,52,14,53&zoom=25', 'zoom'],
  ])('%s → 400 VALIDATION_FAILED at %s', async (url, path) => {
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/problem+json');
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});
