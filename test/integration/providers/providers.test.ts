// The providers admin API through HTTP on a real database (PGlite, or PostgreSQL when DATABASE_URL is set).
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkRoutes, upsertParty } from '../../../src/modules/network/index.ts';
import { networkLocationStore, providerRoutes } from '../../../src/modules/providers/index.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

const TOKEN = 'test-admin-token-0123';
const NOW = new Date('2025-03-01T12:00:00.000Z');
const BODY_LIMIT = 256 * 1024;
const auth = { authorization: `Bearer ${TOKEN}` };
const fixture = (name: string) => fs.readFileSync(new URL(`../../fixtures/providers/${name}`, import.meta.url), 'utf8');
const example = (name: string) => JSON.parse(fixture(`ocpi-examples/${name}`)) as Record<string, unknown>;

async function counts(t: TestDatabase) {
  const r = await sql<{ parties: string; locations: string; evses: string; connectors: string }>`
    select (select count(*) from parties) as parties, (select count(*) from locations) as locations,
           (select count(*) from evses) as evses, (select count(*) from connectors) as connectors`.execute(t.db);
  const row = r.rows[0]!;
  return {
    parties: Number(row.parties),
    locations: Number(row.locations),
    evses: Number(row.evses),
    connectors: Number(row.connectors),
  };
}

describe(`providers admin API on ${onPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let t: TestDatabase;
  let app: App;

  beforeAll(async () => {
    t = await openTestDatabase();
    app = await buildApp({
      logLevel: 'silent',
      bodyLimit: BODY_LIMIT,
      modules: [networkRoutes({ db: t.db }), providerRoutes({ db: t.db, adminToken: TOKEN, clock: () => NOW })],
      ready: async () => ({ ok: true }),
    });
    await upsertParty(t.db, { country_code: 'NL', party_id: 'OCP', name: 'Integrated CPO', integrated: true });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...auth, ...headers },
      ...(typeof payload === 'string' ? { payload } : { payload: payload as object }),
    });
  const csv = (url: string, text: string, type = 'text/csv') => post(url, text, { 'content-type': type });

  describe('authentication', () => {
    it('answers 401 problem+json without the admin token or with a wrong one', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${TOKEN}` }]) {
        const r = await app.inject({ method: 'GET', url: '/api/v1/admin/providers', headers });
        expect(r.statusCode).toBe(401);
        expect(r.headers['content-type']).toContain('application/problem+json');
        expect(r.headers['www-authenticate']).toContain('Bearer');
        expect(r.json()).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      }
    });

    it('rejects an anonymous import before reading its body', async () => {
      const before = await counts(t);
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/providers/DE/SWB/import',
        headers: { 'content-type': 'text/csv' },
        payload: fixture('stations-good.csv'),
      });
      expect(r.statusCode).toBe(401);
      expect(await counts(t)).toEqual(before);
    });
  });

  describe('providers', () => {
    it('creates a provider (201), refuses a duplicate (409) and invalid input (400)', async () => {
      const r = await post('/api/v1/admin/providers', {
        country_code: 'DE',
        party_id: 'SWB',
        name: 'Stadtwerke Beispiel',
        website: 'https://swb.example',
      });
      expect(r.statusCode).toBe(201);
      expect(r.json()).toEqual({
        country_code: 'DE',
        party_id: 'SWB',
        name: 'Stadtwerke Beispiel',
        website: 'https://swb.example',
        integrated: false,
        location_count: 0,
      });

      const dup = await post('/api/v1/admin/providers', { country_code: 'DE', party_id: 'SWB', name: 'Again' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toMatchObject({ code: 'CONFLICT' });
      // An integrated party's id is taken too.
      const taken = await post('/api/v1/admin/providers', { country_code: 'NL', party_id: 'OCP', name: 'X' });
      expect(taken.statusCode).toBe(409);

      for (const body of [
        { country_code: 'de', party_id: 'SWC', name: 'lower case country' },
        { country_code: 'DE', party_id: 'SW', name: 'short party id' },
        { country_code: 'DE', party_id: 'SWC', name: '   ' },
        { country_code: 'DE', party_id: 'SWC', name: 'x', website: 'not a url' },
        { country_code: 'DE', party_id: 'SWC', name: 'x', partyId: 'typo' },
      ]) {
        const bad = await post('/api/v1/admin/providers', body);
        expect(bad.statusCode, JSON.stringify(body)).toBe(400);
        expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      await post('/api/v1/admin/providers', { country_code: 'BE', party_id: 'BEC', name: 'BeCharged' });
      await post('/api/v1/admin/providers', { country_code: 'DE', party_id: 'EXA', name: 'Examples' });
    });

    it('lists all parties, integrated ones flagged', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/v1/admin/providers', headers: auth });
      expect(r.statusCode).toBe(200);
      expect(r.json().items).toEqual([
        { country_code: 'BE', party_id: 'BEC', name: 'BeCharged', website: null, integrated: false, location_count: 0 },
        {
          country_code: 'DE',
          party_id: 'EXA',
          name: 'Examples',
          website: null,
          integrated: false,
          location_count: 0,
        },
        {
          country_code: 'DE',
          party_id: 'SWB',
          name: 'Stadtwerke Beispiel',
          website: 'https://swb.example',
          integrated: false,
          location_count: 0,
        },
        {
          country_code: 'NL',
          party_id: 'OCP',
          name: 'Integrated CPO',
          website: null,
          integrated: true,
          location_count: 0,
        },
      ]);
    });

    it('answers 404 for an unknown provider and 400 for a malformed key', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/v1/admin/providers/FI/XXX', headers: auth });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ code: 'NOT_FOUND' });
      const bad = await app.inject({ method: 'GET', url: '/api/v1/admin/providers/FIN/XXX', headers: auth });
      expect(bad.statusCode).toBe(400);
    });
  });

  describe('CSV import', () => {
    it('imports a good CSV and shows its locations on the provider', async () => {
      const r = await csv('/api/v1/admin/providers/DE/SWB/import', fixture('stations-good.csv'));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ imported: 3, evses: 4, connectors: 5 });

      const detail = await app.inject({ method: 'GET', url: '/api/v1/admin/providers/DE/SWB', headers: auth });
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({
        country_code: 'DE',
        party_id: 'SWB',
        integrated: false,
        location_count: 3,
        locations: [
          { id: 'BER-001', name: 'Parkhaus Mitte, Ebene 1', city: 'Berlin', evse_count: 2 },
          { id: 'BER-002', name: 'Autohof Süd', city: 'Berlin', evse_count: 1 },
          { id: 'HEL-010', name: 'Kamppi', city: 'Helsinki', evse_count: 1 },
        ],
      });
      const stored = await t.db
        .selectFrom('locations')
        .select(['id', 'last_updated', 'opening_hours', 'country'])
        .where('id', '=', 'BER-002')
        .executeTakeFirstOrThrow();
      expect(new Date(stored.last_updated).toISOString()).toBe(NOW.toISOString());
      expect(stored.country).toBe('DEU');
    });

    it('makes the imported stations findable by the public station search', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/v1/locations?lat=52.5&lon=13.4&radius=25000&limit=50' });
      expect(r.statusCode, r.body).toBe(200);
      const ids = (r.json().items as Array<{ id: string; country_code: string; party_id: string }>)
        .filter((l) => l.country_code === 'DE' && l.party_id === 'SWB')
        .map((l) => l.id)
        .sort();
      expect(ids).toEqual(['BER-001', 'BER-002']); // HEL-010 is in Helsinki
    });

    it('is idempotent: importing the same file again changes no counts; a changed value is updated', async () => {
      const before = await counts(t);
      const again = await csv('/api/v1/admin/providers/DE/SWB/import', fixture('stations-good.csv'));
      expect(again.statusCode).toBe(200);
      expect(await counts(t)).toEqual(before);

      const renamed = fixture('stations-good.csv').replaceAll('Kamppi', 'Kamppi Centre');
      expect((await csv('/api/v1/admin/providers/DE/SWB/import', renamed)).statusCode).toBe(200);
      const row = await t.db.selectFrom('locations').select('name').where('id', '=', 'HEL-010').executeTakeFirst();
      expect(row?.name).toBe('Kamppi Centre');
      expect(await counts(t)).toEqual(before);
    });

    it('reads a German Excel export (BOM, semicolons, CRLF, decimal commas) sent with a charset', async () => {
      const r = await csv(
        '/api/v1/admin/providers/DE/SWB/import',
        fixture('stations-excel-de.csv'),
        'text/csv; charset=utf-8',
      );
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ imported: 1, evses: 1, connectors: 1 });
      const row = await t.db
        .selectFrom('locations')
        .select(['address', 'latitude', 'longitude'])
        .where('id', '=', 'MUC-1')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ address: 'Marienplatz 1; Eingang B', latitude: 48.137154, longitude: 11.576124 });
    });

    it('rejects a CSV with 2 bad rows among 5 with exactly those rows, and writes nothing', async () => {
      const before = await counts(t);
      const r = await csv('/api/v1/admin/providers/DE/SWB/import', fixture('stations-two-bad-rows.csv'));
      expect(r.statusCode).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      const body = r.json();
      expect(body).toMatchObject({ code: 'IMPORT_REJECTED', status: 422, error_count: 2 });
      expect(body.rows).toEqual([
        { row: 3, field: 'standard', reason: expect.stringContaining('must be one of') },
        { row: 5, field: 'time_zone', reason: expect.stringContaining('IANA time zone') },
      ]);
      expect(await counts(t)).toEqual(before);
      const hamburg = await t.db.selectFrom('locations').select('id').where('id', 'like', 'HAM-%').execute();
      expect(hamburg).toEqual([]);
    });

    it('reports CSV syntax, header and row problems with line and column', async () => {
      const header = fixture('stations-good.csv').split('\n')[0]!;
      const unterminated = await csv('/api/v1/admin/providers/DE/SWB/import', `${header}\nA,"open`);
      expect(unterminated.statusCode).toBe(422);
      expect(unterminated.json().rows).toEqual([{ row: 2, field: null, reason: 'a quoted field is never closed' }]);

      const badHeader = await csv('/api/v1/admin/providers/DE/SWB/import', 'id,lattitude\nx,1');
      expect(badHeader.statusCode).toBe(422);
      expect(badHeader.json().rows).toContainEqual({
        row: 1,
        field: 'lattitude',
        reason: expect.stringContaining('unknown column'),
      });

      const good = fixture('stations-good.csv').trimEnd().split('\n');
      const mixed = [
        ...good,
        good[5]!.replace('HEL-010-A', 'HEL-010-B').replace('Helsinki', 'Espoo'), // line 7: city disagrees
        good[5]!.replace('HEL-010,', 'HEL-011,').replace(',FIN,', ',GER,').replace('HEL-010-A', 'HEL-011-A'), // line 8
        good[5]!.replace('HEL-010,', 'HEL-012,').replace('HEL-010-A', 'HEL-012-A').replace('60.168992', '91.5'), // 9
      ].join('\r\n');
      const r = await csv('/api/v1/admin/providers/DE/SWB/import', mixed);
      expect(r.statusCode).toBe(422);
      expect(r.json().rows.map((e: { row: number; field: string | null }) => [e.row, e.field])).toEqual([
        [7, 'city'],
        [8, 'country'],
        [9, 'latitude'],
      ]);
    });

    it('refuses an unsupported content type (415) and an oversized body (413)', async () => {
      const plain = await csv('/api/v1/admin/providers/DE/SWB/import', 'id\n1', 'text/plain');
      expect(plain.statusCode).toBe(415);
      const before = await counts(t);
      const big = `${fixture('stations-good.csv')}${'x'.repeat(BODY_LIMIT)}`;
      const r = await csv('/api/v1/admin/providers/DE/SWB/import', big);
      expect(r.statusCode).toBe(413);
      expect(r.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(await counts(t)).toEqual(before);
    });
  });

  describe('JSON import', () => {
    const examples = [
      'location_example.json',
      'location_example_parking_garage_opening_hours.json',
      'location_example_uc2_destination_charger.json',
      'location_example_uc4_limited_visibility.json',
      'location_example_uc5_home_charge_point.json',
    ];

    it('imports the OCPI example Locations as they are', async () => {
      const r = await post('/api/v1/admin/providers/BE/BEC/import', [example('location_example.json')]);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ imported: 1, evses: 2, connectors: 3 });
      const stored = await t.db
        .selectFrom('locations')
        .select(['last_updated', 'time_zone'])
        .where('country_code', '=', 'BE')
        .where('id', '=', 'LOC1')
        .executeTakeFirstOrThrow();
      expect(new Date(stored.last_updated).toISOString()).toBe('2015-06-29T20:39:09.000Z'); // kept, not "now"
    });

    it('imports examples of other owners into a provider once their owner fields are left out', async () => {
      const items = examples.map((name) => {
        const { country_code: _cc, party_id: _pid, ...rest } = example(name);
        return rest;
      });
      const r = await post('/api/v1/admin/providers/DE/EXA/import', items);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().imported).toBe(5);
      const detail = await app.inject({ method: 'GET', url: '/api/v1/admin/providers/DE/EXA', headers: auth });
      expect(detail.json().location_count).toBe(5);
    });

    it('rejects by array index: another owner, invalid objects, duplicates — and writes nothing', async () => {
      const before = await counts(t);
      const loc = example('location_example.json');
      const { country_code: _cc, party_id: _pid, ...ownerless } = loc;
      const broken = structuredClone(ownerless) as { evses: Array<{ connectors: Array<{ standard: string }> }> };
      broken.evses[0]!.connectors[1]!.standard = 'TYPE_2';
      const r = await post('/api/v1/admin/providers/DE/EXA/import', [
        { ...ownerless, id: 'FRESH-1' },
        loc, // owned by BE/BEC
        { ...broken, id: 'FRESH-2' },
        'not an object',
        { ...ownerless, id: 'FRESH-1' },
      ]);
      expect(r.statusCode).toBe(422);
      expect(r.json().rows.map((e: { row: number; field: string | null }) => [e.row, e.field])).toEqual([
        [1, 'country_code'],
        [1, 'party_id'],
        [2, 'evses.0.connectors.1.standard'],
        [3, null],
        [4, 'id'],
      ]);
      expect(await counts(t)).toEqual(before);

      const notArray = await post('/api/v1/admin/providers/DE/EXA/import', { id: 'x' });
      expect(notArray.statusCode).toBe(400);
      const empty = await post('/api/v1/admin/providers/DE/EXA/import', []);
      expect(empty.statusCode).toBe(422);
    });
  });

  describe('404 and 409', () => {
    it('answers 404 for imports and locations of an unknown provider', async () => {
      const r = await csv('/api/v1/admin/providers/FI/ZZZ/import', fixture('stations-good.csv'));
      expect(r.statusCode).toBe(404);
      const l = await post('/api/v1/admin/providers/FI/ZZZ/locations', example('location_example.json'));
      expect(l.statusCode).toBe(404);
    });

    it('refuses to import into an OCPI-integrated provider (409)', async () => {
      const before = await counts(t);
      const r = await csv('/api/v1/admin/providers/NL/OCP/import', fixture('stations-good.csv'));
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'CONFLICT' });
      const { country_code: _cc, party_id: _pid, ...ownerless } = example('location_example.json');
      expect((await post('/api/v1/admin/providers/NL/OCP/locations', ownerless)).statusCode).toBe(409);
      expect(await counts(t)).toEqual(before);
    });
  });

  describe('single location', () => {
    it('adds one OCPI Location (201) and replaces it when posted again', async () => {
      const { country_code: _cc, party_id: _pid, ...loc } = example('location_example_uc5_home_charge_point.json');
      const r = await post('/api/v1/admin/providers/DE/SWB/locations', { ...loc, id: 'HOME-1' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ country_code: 'DE', party_id: 'SWB', id: 'HOME-1' });
      const again = await post('/api/v1/admin/providers/DE/SWB/locations', { ...loc, id: 'HOME-1', name: 'Renamed' });
      expect(again.statusCode).toBe(201);
      const rows = await t.db.selectFrom('locations').select('name').where('id', '=', 'HOME-1').execute();
      expect(rows).toEqual([{ name: 'Renamed' }]);
    });

    it('counts only EVSEs that are not REMOVED on the provider page', async () => {
      const { country_code: _cc, party_id: _pid, ...loc } = example('location_example.json');
      const withRemoved = structuredClone(loc) as { evses: Array<{ status: string }> };
      withRemoved.evses[1]!.status = 'REMOVED';
      const r = await post('/api/v1/admin/providers/DE/SWB/locations', { ...withRemoved, id: 'REM-1' });
      expect(r.statusCode, r.body).toBe(201);
      const detail = await app.inject({ method: 'GET', url: '/api/v1/admin/providers/DE/SWB', headers: auth });
      expect(detail.json().locations).toContainEqual({ id: 'REM-1', name: 'Gent Zuid', city: 'Gent', evse_count: 1 });
    });

    it('answers 400 when the owner in the body is not the URL, or the object is invalid', async () => {
      const mismatch = await post('/api/v1/admin/providers/DE/SWB/locations', example('location_example.json'));
      expect(mismatch.statusCode).toBe(400);
      expect(mismatch.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'country_code' }, { path: 'party_id' }],
      });
      const invalid = await post('/api/v1/admin/providers/DE/SWB/locations', { id: 'X', address: 'a' });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().errors).toEqual(
        expect.arrayContaining([{ path: 'city', message: 'required field is missing' }]),
      );
    });
  });

  describe('atomicity', () => {
    it('rolls back everything when the database fails half-way through an import', async () => {
      const failing = await buildApp({
        logLevel: 'silent',
        modules: [
          providerRoutes({
            db: t.db,
            adminToken: TOKEN,
            clock: () => NOW,
            locations: {
              parseLocation: networkLocationStore.parseLocation,
              async upsertLocations(db, locations, owner) {
                // Write the first location for real, then hit a real database error.
                await networkLocationStore.upsertLocations(db, locations.slice(0, 1), owner);
                await sql`select 1 / 0`.execute(db);
                return [];
              },
            },
          }),
        ],
        ready: async () => ({ ok: true }),
      });
      try {
        const before = await counts(t);
        const text = fixture('stations-good.csv').replaceAll('BER-', 'POT-');
        const r = await failing.inject({
          method: 'POST',
          url: '/api/v1/admin/providers/DE/SWB/import',
          headers: { ...auth, 'content-type': 'text/csv' },
          payload: text,
        });
        expect(r.statusCode).toBe(500);
        expect(r.json()).toMatchObject({ code: 'INTERNAL' });
        expect(await counts(t)).toEqual(before);
        const pot = await t.db.selectFrom('locations').select('id').where('id', 'like', 'POT-%').execute();
        expect(pot).toEqual([]);
      } finally {
        await failing.close();
      }
    });
  });

  it('documents the routes in OpenAPI', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/docs/json' });
    const paths = Object.keys(r.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/admin/providers',
        '/api/v1/admin/providers/{country_code}/{party_id}',
        '/api/v1/admin/providers/{country_code}/{party_id}/locations',
        '/api/v1/admin/providers/{country_code}/{party_id}/import',
      ]),
    );
    const importOp = r.json().paths['/api/v1/admin/providers/{country_code}/{party_id}/import'].post;
    expect(Object.keys(importOp.requestBody.content)).toEqual(expect.arrayContaining(['text/csv', 'application/json']));
  });
});
