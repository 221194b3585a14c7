// Receiver interfaces (Locations, Tariffs, Sessions, CDRs) through HTTP: every valid example of the spec is
// accepted and round-trips unchanged; invalid bodies, wrong parties and bad tokens get the spec's answer and
// store nothing; out-of-order updates are ignored; CDR POST → Location → GET; CDR audit → dispute.
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSearchColumns } from '../../../src/modules/network/core/search-columns.ts';
import type { Location } from '../../../src/modules/network/index.ts';
import { type FakeCpo, startFakeCpo } from './fake-cpo.ts';
import { adminHeader, EXAMPLES, example, type Harness, startLataus, tokenHeader } from './harness.ts';

let h: Harness;
let cpo: FakeCpo;
let auth: { authorization: string };

const PARTIES = [
  { country_code: 'SE', party_id: 'EVC' },
  { country_code: 'NL', party_id: 'ALF' },
  { country_code: 'NL', party_id: 'ALL' },
  { country_code: 'DE', party_id: 'ALL' },
  { country_code: 'NL', party_id: 'STK' },
];

beforeAll(async () => {
  h = await startLataus();
  cpo = await startFakeCpo({ country_code: 'BE', party_id: 'BEC', parties: PARTIES });
  const inv = (
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/partners',
      headers: adminHeader,
      payload: { action: 'invite', name: 'Examples CPO' },
    })
  ).json();
  const r = await cpo.registerWith(`${h.url}/ocpi/versions`, inv.token_a);
  expect(r.status_code).toBe(1000);
  auth = tokenHeader(cpo.theirToken()!);
});
afterAll(async () => {
  await cpo?.close();
  await h?.close();
});

const FILES = fs.readdirSync(EXAMPLES).sort();
type Obj = Record<string, unknown>;

async function call(
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
  url: string,
  payload?: unknown,
  headers = auth,
) {
  const r = await h.app.inject({
    method,
    url,
    headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}),
  });
  return { status: r.statusCode, body: r.json() as Obj & { status_code: number; data?: unknown }, headers: r.headers };
}
const locUrl = (o: Obj, ...rest: string[]) =>
  [`/ocpi/2.2.1/locations/${o.country_code}/${o.party_id}/${o.id}`, ...rest].join('/');

describe('Locations receiver', () => {
  const LOCATIONS = FILES.filter((f) => /^location_example.*\.json$/.test(f));

  it.each(LOCATIONS)('%s: PUT is accepted and GET returns it unchanged', async (file) => {
    const loc = example(file);
    const put = await call('PUT', locUrl(loc), loc);
    expect(put.body.status_code, JSON.stringify(put.body)).toBe(1000);
    expect([200, 201]).toContain(put.status);
    const get = await call('GET', locUrl(loc));
    expect(get.body.data).toEqual(loc);
    expect(get.headers['ocpi-from-country-code']).toBe('DE');
    expect(get.headers['ocpi-to-party-id']).toBe('BEC');
  });

  it.each(FILES.filter((f) => /^location_(energymix|hours|regularhours)_.*\.json$/.test(f)))(
    '%s: as part of a location, round-trips',
    async (file) => {
      const fragment = example(file);
      const patch = 'twentyfourseven' in fragment ? { opening_times: fragment } : fragment;
      const loc = { ...example('location_example.json'), id: `FRAG-${file.slice(9, 30)}`, ...patch };
      expect((await call('PUT', locUrl(loc), loc)).body.status_code).toBe(1000);
      expect((await call('GET', locUrl(loc))).body.data).toEqual(loc);
    },
  );

  it('PATCH examples: status, location name, connector tariff, EVSE removal', async () => {
    const loc = example('location_example.json');
    await call('PUT', locUrl(loc), loc);
    const countsOf = async () =>
      (await h.db.db
        .selectFrom('locations')
        .selectAll()
        .where('id', '=', 'LOC1')
        .where('party_id', '=', 'BEC')
        .executeTakeFirstOrThrow()) as unknown as { evse_available: number; evse_occupied: number };
    const before = await countsOf();
    const status = await call('PATCH', locUrl(loc, '3256'), example('location_patch_example_status.json'));
    expect(status.body.status_code).toBe(1000);
    const evse = (await call('GET', locUrl(loc, '3256'))).body.data as Obj;
    expect(evse.status).toBe('CHARGING');
    expect(evse.last_updated).toBe('2019-06-24T12:39:09Z');
    // the map's search columns follow the status (network's applyEvseStatusChanges)
    const row = await h.db.db
      .selectFrom('locations')
      .selectAll()
      .where('country_code', '=', 'BE')
      .where('party_id', '=', 'BEC')
      .where('id', '=', 'LOC1')
      .executeTakeFirstOrThrow();
    expect(row.last_updated.toISOString()).toBe('2019-06-24T12:39:09.000Z');
    const after = await countsOf();
    expect(after.evse_available).toBe(before.evse_available - 1);
    expect(after.evse_occupied).toBe(before.evse_occupied + 1);

    expect((await call('PATCH', locUrl(loc), example('location_patch_example_location.json'))).body.status_code).toBe(
      1000,
    );
    expect(((await call('GET', locUrl(loc))).body.data as Obj).name).toBe('Interparking Gent Zuid');
    expect(
      (await call('PATCH', locUrl(loc, '3256', '1'), example('location_patch_example_tariff.json'))).body.status_code,
    ).toBe(1000);
    expect(((await call('GET', locUrl(loc, '3256', '1'))).body.data as Obj).tariff_ids).toEqual(['15']);
    expect(
      (await call('PATCH', locUrl(loc, '3256'), example('location_patch_example_remove_evse.json'))).body.status_code,
    ).toBe(1000);
    expect(((await call('GET', locUrl(loc, '3256'))).body.data as Obj).status).toBe('REMOVED');
  });

  it('an out-of-order PATCH (older last_updated) is ignored', async () => {
    const loc = { ...example('location_example.json'), id: 'ORDER-1' };
    await call('PUT', locUrl(loc), loc);
    await call('PATCH', locUrl(loc, '3256'), { status: 'CHARGING', last_updated: '2030-01-01T10:00:00Z' });
    const late = await call('PATCH', locUrl(loc, '3256'), {
      status: 'AVAILABLE',
      last_updated: '2030-01-01T09:59:59Z',
    });
    expect(late.body.status_code).toBe(1000);
    expect(late.body.status_message).toMatch(/Ignored/);
    expect(((await call('GET', locUrl(loc, '3256'))).body.data as Obj).status).toBe('CHARGING');
    // an older full PUT does not overwrite either
    const older = { ...loc, name: 'old name', last_updated: '2001-01-01T00:00:00Z' };
    await call('PUT', locUrl(loc), older);
    expect(((await call('GET', locUrl(loc))).body.data as Obj).name).not.toBe('old name');
  });

  it('EVSE and connector PUT; the spec example with an incomplete connector is 2001 and stores nothing', async () => {
    const loc = { ...example('location_example.json'), id: 'PUT-EVSE' };
    await call('PUT', locUrl(loc), loc);
    const before = (await call('GET', locUrl(loc, '3256'))).body.data;
    const bad = await call('PUT', locUrl(loc, '3256'), example('location_put_example_add_evse.json'));
    expect(bad.status).toBe(200);
    expect(bad.body.status_code).toBe(2001);
    expect(bad.body.status_message).toMatch(/connectors\[0\]\.power_type/);
    expect((await call('GET', locUrl(loc, '3256'))).body.data).toEqual(before);
    const evse = {
      uid: 'NEW-1',
      status: 'AVAILABLE',
      connectors: [
        {
          id: '1',
          standard: 'IEC_62196_T2',
          format: 'SOCKET',
          power_type: 'AC_3_PHASE',
          max_voltage: 230,
          max_amperage: 32,
          last_updated: '2030-01-02T00:00:00Z',
        },
      ],
      last_updated: '2030-01-02T00:00:00Z',
    };
    const put = await call('PUT', locUrl(loc, 'NEW-1'), evse);
    expect(put.status).toBe(201);
    expect((await call('GET', locUrl(loc, 'NEW-1'))).body.data).toEqual(evse);
    expect(((await call('GET', locUrl(loc))).body.data as Obj).last_updated).toBe('2030-01-02T00:00:00Z');
    const conn = { ...evse.connectors[0], max_amperage: 16, last_updated: '2030-01-03T00:00:00Z' };
    expect((await call('PUT', locUrl(loc, 'NEW-1', '1'), conn)).body.status_code).toBe(1000);
    expect((await call('GET', locUrl(loc, 'NEW-1', '1'))).body.data).toEqual(conn);
  });

  it('wrong party, mismatching body, malformed JSON, missing fields, bad token: spec answers, nothing stored', async () => {
    const loc: Obj = { ...example('location_example.json'), id: 'NEVER' };
    // a party that is not in the caller's credentials
    const other = await call('PUT', `/ocpi/2.2.1/locations/FR/XYZ/NEVER`, {
      ...loc,
      country_code: 'FR',
      party_id: 'XYZ',
    });
    expect(other.status).toBe(404);
    expect(other.body.status_code).toBe(2001);
    // URL party ≠ body party (both the caller's)
    const mismatch = await call('PUT', `/ocpi/2.2.1/locations/NL/ALF/NEVER`, loc);
    expect(mismatch.body.status_code).toBe(2001);
    // URL id ≠ body id
    expect((await call('PUT', `/ocpi/2.2.1/locations/BE/BEC/OTHER`, loc)).body.status_code).toBe(2001);
    // invalid JSON
    const json = await call('PUT', locUrl(loc), '{"id": ');
    expect(json.status).toBe(400);
    expect(json.body.status_code).toBe(2001);
    // a required field missing
    const { time_zone: _tz, ...noTz } = loc;
    const missing = await call('PUT', locUrl(loc), noTz);
    expect(missing.body.status_code).toBe(2001);
    expect(missing.body.status_message).toMatch(/time_zone: required/);
    // PATCH without last_updated
    expect((await call('PATCH', locUrl(example('location_example.json')), { name: 'x' })).body.status_code).toBe(2001);
    // bad tokens
    expect((await call('PUT', locUrl(loc), loc, { authorization: 'Token bm9wZQ==' })).status).toBe(401);
    expect((await call('PUT', locUrl(loc), loc, { authorization: '' })).status).toBe(401);
    // nothing stored
    const get = await call('GET', locUrl(loc));
    expect(get.status).toBe(404);
    expect(get.body.status_code).toBe(2003);
  });

  it('EVSE PATCH on an unknown location is 404 / 2003', async () => {
    const r = await call('PATCH', '/ocpi/2.2.1/locations/BE/BEC/NOPE/1', {
      status: 'AVAILABLE',
      last_updated: '2030-01-01T00:00:00Z',
    });
    expect(r.status).toBe(404);
    expect(r.body.status_code).toBe(2003);
  });
});

describe('EVSE status PATCHes at the same time (written in batches)', () => {
  const ts = (s: number) => `2030-01-01T10:00:0${s}Z`;
  const patch = (loc: Obj, uid: string, status: string, last_updated: string) =>
    call('PATCH', locUrl(loc, uid), { status, last_updated });

  it('every one is answered after it is stored; per EVSE the newest wins; the map counts follow', async () => {
    const loc = { ...example('location_example.json'), id: 'BURST-1' };
    expect((await call('PUT', locUrl(loc), loc)).body.status_code).toBe(1000);
    const before = { ...h.ctx.evseStatus.stats };
    const answers = await Promise.all([
      patch(loc, '3256', 'CHARGING', ts(1)),
      patch(loc, '3257', 'AVAILABLE', ts(5)),
      patch(loc, '3256', 'BLOCKED', ts(3)), // newest for 3256
      patch(loc, '3257', 'OUTOFORDER', ts(2)), // older than the one before: ignored
      patch(loc, '3256', 'INOPERATIVE', ts(2)),
      patch(loc, 'NOPE', 'AVAILABLE', ts(4)), // unknown EVSE: 2003 for this one only
    ]);
    expect(answers.map((a) => [a.status, a.body.status_code])).toEqual([
      [200, 1000],
      [200, 1000],
      [200, 1000],
      [200, 1000],
      [200, 1000],
      [404, 2003],
    ]);
    // they were written together, not one transaction each
    expect(h.ctx.evseStatus.stats.batches - before.batches).toBeLessThan(6);
    const stored = (await call('GET', locUrl(loc))).body.data as {
      last_updated: string;
      evses: { uid: string; status: string; last_updated: string }[];
    };
    expect(stored.evses.map((e) => [e.uid, e.status, e.last_updated])).toEqual([
      ['3256', 'BLOCKED', ts(3)],
      ['3257', 'AVAILABLE', ts(5)],
    ]);
    expect(stored.last_updated).toBe(ts(5));
    const row = (await h.db.db
      .selectFrom('locations')
      .selectAll()
      .where('country_code', '=', 'BE')
      .where('party_id', '=', 'BEC')
      .where('id', '=', 'BURST-1')
      .executeTakeFirstOrThrow()) as unknown as { evse_available: number; evse_occupied: number };
    expect([row.evse_available, row.evse_occupied]).toEqual([1, 1]);
    // an older PATCH afterwards does not overwrite either
    const late = await patch(loc, '3256', 'AVAILABLE', ts(2));
    expect(late.body.status_message).toMatch(/Ignored/);
    expect(((await call('GET', locUrl(loc, '3256'))).body.data as Obj).status).toBe('BLOCKED');
  });

  it('status PATCHes racing with PUTs of their location: all answered, the map columns match the stored object', async () => {
    const loc = { ...example('location_example.json'), id: 'RACE-1' };
    expect((await call('PUT', locUrl(loc), loc)).body.status_code).toBe(1000);
    const evses = (loc as Obj).evses as Obj[];
    const put = (s: number, status: string) =>
      call('PUT', locUrl(loc), {
        ...loc,
        evses: evses.map((e) => ({ ...e, status, last_updated: ts(s) })),
        last_updated: ts(s),
      });
    const answers = await Promise.all([
      patch(loc, '3256', 'CHARGING', ts(1)),
      put(2, 'OUTOFORDER'),
      patch(loc, '3257', 'AVAILABLE', ts(3)),
      patch(loc, '3256', 'AVAILABLE', ts(4)),
      put(5, 'BLOCKED'),
      patch(loc, '3257', 'CHARGING', ts(6)),
    ]);
    expect(answers.map((a) => a.body.status_code)).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
    const stored = (await call('GET', locUrl(loc))).body.data as Location;
    const columns = await sql<Record<string, unknown>>`select evse_total, evse_available, evse_occupied, max_power_w,
        std_names, std_max_w, std_available_w, available_max_w, always_open, evse_statuses from locations
      where country_code = 'BE' and party_id = 'BEC' and id = 'RACE-1'`.execute(h.db.db);
    expect(columns.rows[0]).toEqual(deriveSearchColumns(stored));
    // the newest PATCH of 3257 (ts 6) is newer than any PUT: whatever the order, it is what is stored
    expect(stored.evses?.find((e) => e.uid === '3257')?.status).toBe('CHARGING');
  });

  it('an item that makes its batch fail does not fail the others', async () => {
    const loc = { ...example('location_example.json'), id: 'BURST-2' };
    expect((await call('PUT', locUrl(loc), loc)).body.status_code).toBe(1000);
    const before = { ...h.ctx.evseStatus.stats };
    const answers = await Promise.all([
      patch(loc, '3256', 'CHARGING', ts(1)),
      // a valid OCPI DateTime that PostgreSQL cannot store (year 0): the batch's statement fails
      patch(loc, '3257', 'AVAILABLE', '0000-01-01T00:00:00Z'),
      patch(loc, '3256', 'OUTOFORDER', ts(2)),
    ]);
    expect(h.ctx.evseStatus.stats.failed - before.failed).toBeGreaterThan(0);
    // each is handled alone then: all accepted, the one older than what is stored ignored
    expect(answers.map((a) => [a.status, a.body.status_code])).toEqual([
      [200, 1000],
      [200, 1000],
      [200, 1000],
    ]);
    expect(answers[1]?.body.status_message).toMatch(/Ignored/);
    const stored = (await call('GET', locUrl(loc))).body.data as { evses: { uid: string; status: string }[] };
    expect(stored.evses.map((e) => [e.uid, e.status])).toEqual([
      ['3256', 'OUTOFORDER'],
      ['3257', 'RESERVED'],
    ]);
  });
});

describe('Tariffs receiver', () => {
  const TARIFFS = FILES.filter((f) => /^tariff.*\.json$/.test(f));
  const url = (t: Obj) => `/ocpi/2.2.1/tariffs/${t.country_code}/${t.party_id}/${t.id}`;

  // tariff_put_example.json has no last_updated (required in a Tariff): the one example that is not valid.
  it('tariff_put_example.json lacks last_updated: 2001, not stored', async () => {
    const t = example('tariff_put_example.json');
    const r = await call('PUT', url(t), t);
    expect(r.body.status_code).toBe(2001);
    expect(r.body.status_message).toMatch(/last_updated: required/);
    expect((await call('GET', url(t))).status).toBe(404);
  });

  it.each(TARIFFS.filter((f) => f !== 'tariff_put_example.json'))('%s: PUT, GET unchanged, DELETE', async (file) => {
    const t = example(file);
    const put = await call('PUT', url(t), t);
    expect(put.body.status_code, JSON.stringify(put.body)).toBe(1000);
    expect((await call('GET', url(t))).body.data).toEqual(t);
    expect((await call('DELETE', url(t))).body.status_code).toBe(1000);
    expect((await call('GET', url(t))).status).toBe(404);
  });

  it('an invalid tariff is 2001 with the path; an older one is ignored', async () => {
    const t = example('tariff_1_simple_2hour.json');
    const bad = await call('PUT', url(t), {
      ...t,
      elements: [{ price_components: [{ type: 'TIME', price: -1, step_size: 1 }] }],
    });
    expect(bad.body.status_code).toBe(2001);
    expect(bad.body.status_message).toMatch(/elements\[0\]\.price_components\[0\]\.price/);
    expect((await call('GET', url(t))).status).toBe(404);
    await call('PUT', url(t), t);
    const older = await call('PUT', url(t), { ...t, currency: 'SEK', last_updated: '2000-01-01T00:00:00Z' });
    expect(older.body.status_message).toMatch(/Ignored/);
    expect(((await call('GET', url(t))).body.data as Obj).currency).toBe('EUR');
  });
});

describe('Sessions receiver', () => {
  const url = (s: Obj) => `/ocpi/2.2.1/sessions/${s.country_code}/${s.party_id}/${s.id}`;

  it.each(['session_example_1_simple_start.json', 'session_example_2_short_finished.json'])(
    '%s: PUT, GET unchanged',
    async (file) => {
      const s = example(file);
      const put = await call('PUT', url(s), s);
      expect(put.body.status_code, JSON.stringify(put.body)).toBe(1000);
      expect((await call('GET', url(s))).body.data).toEqual(s);
    },
  );

  it('PATCH appends charging periods, replaces fields; older PATCH ignored; unknown session 404', async () => {
    const s = { ...example('session_example_1_simple_start.json'), id: 'S-PATCH' };
    await call('PUT', url(s), s);
    // the examples' timestamps (2019) predate the session example (2020): move them after it
    const p1 = { ...example('session_patch_example_charging_period.json'), last_updated: '2020-03-09T10:30:00Z' };
    expect((await call('PATCH', url(s), p1)).body.status_code).toBe(1000);
    const p2 = {
      ...p1,
      charging_periods: [{ start_date_time: '2019-06-23T08:20:00Z', dimensions: [{ type: 'ENERGY', volume: 1 }] }],
      last_updated: '2020-03-09T10:40:00Z',
    };
    await call('PATCH', url(s), p2);
    const got = (await call('GET', url(s))).body.data as Obj;
    expect(got.kwh).toBe(15);
    expect((got.charging_periods as unknown[]).length).toBe(2);
    const late = await call('PATCH', url(s), {
      ...example('session_patch_example_total_cost.json'),
      last_updated: '2020-03-09T10:35:00Z',
    });
    expect(late.body.status_message).toMatch(/Ignored/); // 10:35 < 10:40
    expect(((await call('GET', url(s))).body.data as Obj).total_cost).toEqual({ excl_vat: 0.8, incl_vat: 0.88 });
    const unknown = await call('PATCH', url({ ...s, id: 'NOPE' }), p1);
    expect(unknown.status).toBe(404);
    // PUT replaces the periods
    await call('PUT', url(s), { ...s, last_updated: '2020-03-10T00:00:00Z' });
    expect(((await call('GET', url(s))).body.data as Obj).charging_periods).toBeUndefined();
  });

  it('an invalid session is 2001 and not stored', async () => {
    const s = { ...example('session_example_1_simple_start.json'), id: 'S-BAD', status: 'RUNNING' };
    const r = await call('PUT', url(s), s);
    expect(r.body.status_code).toBe(2001);
    expect(r.body.status_message).toMatch(/status/);
    expect((await call('GET', url(s))).status).toBe(404);
  });
});

describe('CDRs receiver and audit', () => {
  it('POST → 201 with Location → GET there returns it unchanged; idempotent; immutable', async () => {
    const cdr = example('cdr_example.json');
    const r = await call('POST', '/ocpi/2.2.1/cdrs', cdr);
    expect(r.status).toBe(201);
    expect(r.body.status_code).toBe(1000);
    const location = String(r.headers.location);
    expect(location).toBe(`${h.url}/ocpi/2.2.1/cdrs/BE/BEC/12345`);
    const get = await call('GET', new URL(location).pathname);
    expect(get.body.data).toEqual(cdr);
    const again = await call('POST', '/ocpi/2.2.1/cdrs', cdr);
    expect(again.status).toBe(200);
    expect(again.headers.location).toBe(location);
    const changed = await call('POST', '/ocpi/2.2.1/cdrs', { ...cdr, total_cost: { excl_vat: 1, incl_vat: 1.1 } });
    expect(changed.body.status_code).toBe(2001);
    expect(((await call('GET', new URL(location).pathname)).body.data as Obj).total_cost).toEqual({
      excl_vat: 4,
      incl_vat: 4.4,
    });
  });

  it('audits the example CDR as correct (4.00 / 4.40 from its embedded tariff)', async () => {
    const row = await h.db.db
      .withTables<{ ocpi_cdrs: { id: string; audit_status: string } }>()
      .selectFrom('ocpi_cdrs')
      .select('audit_status')
      .where('id', '=', '12345')
      .executeTakeFirstOrThrow();
    expect(row.audit_status).toBe('OK');
  });

  it('a CDR that overcharges beyond the tolerance becomes a dispute with the breakdown', async () => {
    const cdr = { ...example('cdr_example.json'), id: 'OVER-1', total_cost: { excl_vat: 4.5, incl_vat: 4.95 } };
    expect((await call('POST', '/ocpi/2.2.1/cdrs', cdr)).status).toBe(201);
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/admin/cdr-disputes', headers: adminHeader });
    const d = list.json().disputes.find((x: Obj) => x.cdr_id === 'OVER-1');
    expect(d).toMatchObject({ kind: 'COST_MISMATCH', status: 'OPEN', currency: 'EUR' });
    expect(Number(d.claimed_total_excl)).toBe(4.5);
    expect(Number(d.expected_total_excl)).toBe(4);
    expect(Number(d.difference_excl)).toBe(0.5);
    expect(d.differences).toContainEqual({
      field: 'total_cost',
      vat: 'excl_vat',
      claimed: '4.5',
      expected: '4',
      difference: '0.5',
    });
    expect(d.breakdown.price.breakdown.periods[0].lines[0]).toMatchObject({ dimension: 'TIME', unit_price: '2' });
    const resolved = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/cdr-disputes/${d.id}/resolve`,
      headers: adminHeader,
    });
    expect(resolved.json().dispute.status).toBe('RESOLVED');
  });

  it('a CDR without embedded tariffs is audited against the stored tariff and the Location time zone', async () => {
    const t = { ...(example('cdr_example.json').tariffs as Obj[]) }[0] as Obj;
    await call('PUT', `/ocpi/2.2.1/tariffs/BE/BEC/12`, { ...t, last_updated: '2015-02-02T14:15:01Z' });
    const { tariffs: _t, ...cdr }: Obj = {
      ...example('cdr_example.json'),
      id: 'STORED-T',
      total_cost: { excl_vat: 4, incl_vat: 4.4 },
    };
    expect((await call('POST', '/ocpi/2.2.1/cdrs', cdr)).status).toBe(201);
    const row = await h.db.db
      .withTables<{ ocpi_cdrs: { id: string; audit_status: string } }>()
      .selectFrom('ocpi_cdrs')
      .select('audit_status')
      .where('id', '=', 'STORED-T')
      .executeTakeFirstOrThrow();
    expect(row.audit_status).toBe('OK');
  });

  it('a credit CDR is accepted as such (negative total, credit_reference_id) and not audited', async () => {
    const cdr = example('cdr_example.json');
    const credit = {
      ...cdr,
      id: '12345-C',
      credit: true,
      credit_reference_id: '12345',
      total_cost: { excl_vat: -4, incl_vat: -4.4 },
    };
    const r = await call('POST', '/ocpi/2.2.1/cdrs', credit);
    expect(r.status).toBe(201);
    const noRef = await call('POST', '/ocpi/2.2.1/cdrs', { ...credit, id: 'X-C', credit_reference_id: undefined });
    expect(noRef.body.status_code).toBe(2001);
    const row = await h.db.db
      .withTables<{ ocpi_cdrs: { id: string; audit_status: string; credit: boolean } }>()
      .selectFrom('ocpi_cdrs')
      .select(['audit_status', 'credit'])
      .where('id', '=', '12345-C')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ audit_status: 'SKIPPED', credit: true });
  });

  it('malformed CDR is 2001 and not stored; a CDR of another party is refused', async () => {
    const { cdr_location: _l, ...bad }: Obj = { ...example('cdr_example.json'), id: 'BAD-1' };
    const r = await call('POST', '/ocpi/2.2.1/cdrs', bad);
    expect(r.body.status_code).toBe(2001);
    expect((await call('GET', '/ocpi/2.2.1/cdrs/BE/BEC/BAD-1')).status).toBe(404);
    const foreign = await call('POST', '/ocpi/2.2.1/cdrs', {
      ...example('cdr_example.json'),
      id: 'F-1',
      country_code: 'FR',
      party_id: 'XYZ',
    });
    expect(foreign.body.status_code).toBe(2001);
  });
});
