// The network repository on PGlite or PostgreSQL: one-transaction upserts, derived columns, status updates, seed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSearchColumns } from '../../../src/modules/network/core/search-columns.ts';
import {
  applyEvseStatusChanges,
  countNetwork,
  type EvseStatus,
  generateDemoNetwork,
  getLocation,
  type Location,
  lockLocationForIngest,
  seedDemoNetworkIfEmpty,
  upsertLocation,
} from '../../../src/modules/network/index.ts';
import { type SearchFilter, searchLocations } from '../../../src/modules/network/network.repository.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import {
  CCS,
  CHADEMO,
  FIXTURE_LOCATIONS,
  fixtureEvse,
  fixtureLocation,
  seedFixtureNetwork,
  T2_22,
} from './fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
  await seedFixtureNetwork(db.db);
});
afterAll(async () => {
  await db?.close();
});

const L1 = FIXTURE_LOCATIONS[0] as Location;
const key = { country_code: 'DE', party_id: 'AAA', id: 'L1' };

async function searchColumns(k: typeof key, on = db) {
  const r = await sql<
    Record<string, unknown>
  >`select evse_total, evse_available, evse_occupied, max_power_w, std_names, std_max_w, std_available_w, available_max_w, always_open, evse_statuses from locations
    where country_code = ${k.country_code} and party_id = ${k.party_id} and id = ${k.id}`.execute(on.db);
  return r.rows[0];
}

describe('upsertLocation', () => {
  it('replaces the EVSEs and connectors of a location and stores the derived power', async () => {
    const one = { ...structuredClone(L1), id: 'R1', evses: [structuredClone(L1.evses![0]!)] };
    await upsertLocation(db.db, { ...structuredClone(L1), id: 'R1' }, one);
    expect((await getLocation(db.db, { ...key, id: 'R1' }))?.evses).toHaveLength(2);
    await upsertLocation(db.db, one, one);
    expect(await getLocation(db.db, { ...key, id: 'R1' })).toEqual(one);
    const rows = await db.db
      .selectFrom('connectors')
      .select(['evse_uid', 'power_w'])
      .where('location_id', '=', 'R1')
      .execute();
    expect(rows).toEqual([{ evse_uid: 'L1-1', power_w: 22000 }]);
    expect(await searchColumns({ ...key, id: 'R1' })).toMatchObject({
      evse_total: 1,
      evse_available: 1,
      max_power_w: 22000,
    });
  });

  it('refuses a location of another party, or of an unknown party, and writes nothing', async () => {
    const before = await countNetwork(db.db);
    expect(await upsertLocation(db.db, { ...L1, id: 'X1' }, { country_code: 'FR', party_id: 'BBB' })).toMatchObject({
      ok: false,
      code: 'OWNER_MISMATCH',
    });
    const stranger = { ...L1, id: 'X2', country_code: 'SE', party_id: 'ZZZ' };
    expect(await upsertLocation(db.db, stranger, stranger)).toMatchObject({ ok: false, code: 'UNKNOWN_PARTY' });
    expect(await countNetwork(db.db)).toEqual(before);
  });
});

describe('a single status change (applyEvseStatusChanges with one change)', () => {
  const one = (k: typeof key, evse_uid: string, status: EvseStatus, last_updated: string) =>
    applyEvseStatusChanges(db.db, [{ ...k, location_id: k.id, evse_uid, status, last_updated }]);

  it('updates the EVSE, bumps last_updated and re-derives the search columns', async () => {
    expect(await one(key, 'L1-1', 'CHARGING', '2026-11-27T10:00:00Z')).toEqual(['updated']);
    const stored = await getLocation(db.db, key);
    expect(stored?.evses?.[0]).toMatchObject({ status: 'CHARGING', last_updated: '2026-11-27T10:00:00Z' });
    expect(stored?.last_updated).toBe('2026-11-27T10:00:00Z');
    expect(await searchColumns(key)).toEqual(deriveSearchColumns(stored!));
    expect(await searchColumns(key)).toMatchObject({ evse_available: 0, evse_occupied: 2 });
    const evseRow = await db.db
      .selectFrom('evses')
      .select('status')
      .where('location_id', '=', 'L1')
      .where('uid', '=', 'L1-1')
      .executeTakeFirst();
    expect(evseRow?.status).toBe('CHARGING');
    expect(await one(key, 'L1-1', 'AVAILABLE', '2026-11-27T10:05:00Z')).toEqual(['updated']);
    expect(await searchColumns(key)).toMatchObject({ evse_available: 1 });
  });

  it('keeps the search columns equal to the derivation from the object through any status', async () => {
    const k = { country_code: 'DE', party_id: 'AAA', id: 'L4' };
    for (const [i, status] of (['REMOVED', 'OUTOFORDER', 'RESERVED', 'AVAILABLE', 'CHARGING'] as const).entries()) {
      expect(await one(k, 'L4-1', status, `2026-11-28T10:0${i}:00Z`)).toEqual(['updated']);
      const stored = await getLocation(db.db, k);
      expect(stored?.evses?.[0]?.status).toBe(status);
      expect(await searchColumns(k)).toEqual(deriveSearchColumns(stored!));
    }
    // An older last_updated changes nothing.
    expect(await one(k, 'L4-1', 'AVAILABLE', '2020-01-01T00:00:00Z')).toEqual(['ignored']);
    const stored = await getLocation(db.db, k);
    expect([stored?.evses?.[0]?.status, stored?.evses?.[0]?.last_updated, stored?.last_updated]).toEqual([
      'CHARGING',
      '2026-11-28T10:04:00Z',
      '2026-11-28T10:04:00Z',
    ]);
  });

  it('reports an unknown EVSE', async () => {
    expect(await one(key, 'NOPE', 'CHARGING', '2026-11-27T10:00:00Z')).toEqual(['not_found']);
  });
});

describe('applyEvseStatusChanges (status PATCHes in one batch)', () => {
  const change = (loc: string, uid: string, status: EvseStatus, last_updated: string, cc = 'DE', pid = 'AAA') => ({
    country_code: cc,
    party_id: pid,
    location_id: loc,
    evse_uid: uid,
    status,
    last_updated,
  });
  const evseOf = async (cc: string, pid: string, id: string, uid: string) => {
    const l = await getLocation(db.db, { country_code: cc, party_id: pid, id });
    return { location: l!, evse: l!.evses!.find((e) => e.uid === uid)! };
  };

  it('newest last_updated wins per EVSE, older ones are ignored, unknown ones reported; counts re-derived', async () => {
    const outcomes = await applyEvseStatusChanges(db.db, [
      change('L2', 'L2-1', 'AVAILABLE', '2026-12-01T10:00:00Z'),
      change('L2', 'L2-1', 'CHARGING', '2026-12-01T09:00:00Z'), // older than the one before: ignored
      change('L9', 'L9-1', 'AVAILABLE', '2026-12-01T08:00:00Z'),
      change('L3', 'L3-1', 'CHARGING', '2020-01-01T00:00:00Z', 'fr', 'bbb'), // older than the stored EVSE
      change('L2', 'L2-1', 'OUTOFORDER', '2026-12-01T11:00:00Z'), // newest: wins
      change('NOPE', 'X', 'AVAILABLE', '2026-12-01T08:00:00Z'),
      change('L9', 'NOPE', 'AVAILABLE', '2026-12-01T08:00:00Z'),
      change('DUP1', 'D1-1', 'BLOCKED', '2026-12-01T12:00:00Z'),
      change('DUP1', 'D1-1', 'RESERVED', '2026-12-01T12:00:00Z'), // same instant, sent later: wins
    ]);
    expect(outcomes).toEqual([
      'updated',
      'ignored',
      'updated',
      'ignored',
      'updated',
      'not_found',
      'not_found',
      'updated',
      'updated',
    ]);
    const l2 = await evseOf('DE', 'AAA', 'L2', 'L2-1');
    expect([l2.evse.status, l2.evse.last_updated, l2.location.last_updated]).toEqual([
      'OUTOFORDER',
      '2026-12-01T11:00:00Z',
      '2026-12-01T11:00:00Z',
    ]);
    expect(await searchColumns({ ...key, id: 'L2' })).toEqual(deriveSearchColumns(l2.location));
    expect(await searchColumns({ ...key, id: 'L2' })).toMatchObject({ evse_available: 0, evse_occupied: 0 });
    const l9 = await evseOf('DE', 'AAA', 'L9', 'L9-1');
    expect([l9.evse.status, l9.location.last_updated]).toEqual(['AVAILABLE', '2026-12-01T08:00:00Z']);
    expect(await searchColumns({ ...key, id: 'L9' })).toEqual(deriveSearchColumns(l9.location));
    expect(await searchColumns({ ...key, id: 'L9' })).toMatchObject({ evse_available: 1 });
    const l3 = await evseOf('FR', 'BBB', 'L3', 'L3-1');
    expect([l3.evse.status, l3.evse.last_updated]).toEqual(['AVAILABLE', '2026-11-01T00:00:00Z']);
    const d1 = await evseOf('DE', 'AAA', 'DUP1', 'D1-1');
    expect(d1.evse.status).toBe('RESERVED');
    expect(await searchColumns({ ...key, id: 'DUP1' })).toEqual(deriveSearchColumns(d1.location));
    // the other party's location with the same id is untouched
    expect((await evseOf('NL', 'CCC', 'DUP1', 'D2-1')).evse.status).toBe('AVAILABLE');
  });

  it('a later batch with an older last_updated does not overwrite; an equal one is applied again', async () => {
    expect(await applyEvseStatusChanges(db.db, [change('L2', 'L2-1', 'AVAILABLE', '2026-12-01T10:30:00Z')])).toEqual([
      'ignored',
    ]);
    expect((await evseOf('DE', 'AAA', 'L2', 'L2-1')).evse.status).toBe('OUTOFORDER');
    expect(await applyEvseStatusChanges(db.db, [change('L2', 'L2-1', 'CHARGING', '2026-12-01T11:00:00Z')])).toEqual([
      'updated',
    ]);
    const l2 = await evseOf('DE', 'AAA', 'L2', 'L2-1');
    expect(l2.evse.status).toBe('CHARGING');
    expect(await searchColumns({ ...key, id: 'L2' })).toMatchObject({ evse_occupied: 1 });
  });
});

describe('lockLocationForIngest', () => {
  it('reads the EVSE after taking the lock: a change committed by the lock holder is seen', async () => {
    const k = { country_code: 'DE', party_id: 'AAA', id: 'L5' };
    let locked!: () => void;
    let release!: () => void;
    const lockedNow = new Promise<void>((r) => (locked = r));
    const held = new Promise<void>((r) => (release = r));
    const writer = db.db.transaction().execute(async (trx) => {
      await lockLocationForIngest(trx, k);
      locked();
      await held;
      await applyEvseStatusChanges(trx, [
        { ...k, location_id: k.id, evse_uid: 'L5-1', status: 'CHARGING', last_updated: '2026-12-24T00:00:00Z' },
      ]);
    });
    await lockedNow;
    // starts while the writer holds the lock (on PostgreSQL its statement waits for it)
    const reader = db.db.transaction().execute((trx) => lockLocationForIngest(trx, { ...k, evse_uid: 'L5-1' }));
    await new Promise((r) => setTimeout(r, 200));
    release();
    await writer;
    const seen = await reader;
    expect([seen?.evse_exists, seen?.evse_last_updated?.toISOString()]).toEqual([true, '2026-12-24T00:00:00.000Z']);
  });
});

describe('seedDemoNetworkIfEmpty', () => {
  it('seeds an empty database once, and every stored location reads back as generated', async () => {
    const fresh = await openTestDatabase();
    try {
      const logs: string[] = [];
      expect(await seedDemoNetworkIfEmpty(fresh.db, { locations: 300, seed: 7, log: (m) => logs.push(m) })).toBe(true);
      const counts = await countNetwork(fresh.db);
      const net = generateDemoNetwork({ locations: 300, seed: 7 });
      const generated = [...net.batches(300)].flat();
      expect(counts).toEqual({
        parties: net.parties.length,
        locations: 300,
        evses: generated.reduce((n, l) => n + (l.evses?.length ?? 0), 0),
        connectors: generated.reduce((n, l) => n + (l.evses ?? []).reduce((m, e) => m + e.connectors.length, 0), 0),
        tariffs: net.tariffs.length,
      });
      for (const l of generated.filter((_, i) => i % 37 === 0)) {
        expect(await getLocation(fresh.db, l)).toEqual(l);
        expect(await searchColumns(l, fresh)).toEqual(deriveSearchColumns(l));
      }
      expect(logs.at(-1)).toMatch(/seeded demo network/);
      // A second start does not seed again.
      expect(await seedDemoNetworkIfEmpty(fresh.db, { locations: 300, seed: 8, log: () => {} })).toBe(false);
      expect(await countNetwork(fresh.db)).toEqual(counts);
    } finally {
      await fresh.close();
    }
  });
});

describe('connector filters (per-standard columns, migrations/0015)', () => {
  it('need the standard, the power and an AVAILABLE EVSE on the same connector, through status changes', async () => {
    // Munich, away from the fixture network: a free AC point, a busy 150 kW CCS point, a free 50 kW CHAdeMO point.
    const mix = fixtureLocation('DE', 'AAA', 'MIX', 'Mixed', 48.137, 11.575, [
      fixtureEvse('MIX-1', 'AVAILABLE', [T2_22()]),
      fixtureEvse('MIX-2', 'CHARGING', [CCS(150_000)]),
      fixtureEvse('MIX-3', 'AVAILABLE', [CHADEMO]),
    ]);
    expect((await upsertLocation(db.db, mix, mix)).ok).toBe(true);
    const found = async (f: Omit<SearchFilter, 'near'>) =>
      (await searchLocations(db.db, { near: { lat: 48.137, lon: 11.575, radius_m: 1000 }, ...f }, 'all')).rows.map(
        (r) => r.id,
      );
    const ccs = ['IEC_62196_T2_COMBO'];
    expect(await found({ standards: ccs })).toEqual(['MIX']);
    expect(await found({ standards: ccs, available: true })).toEqual([]); // free EVSEs, but not the CCS one
    expect(await found({ standards: [...ccs, 'CHADEMO'], min_power_w: 50_000, available: true })).toEqual(['MIX']);
    expect(await found({ standards: [...ccs, 'CHADEMO'], min_power_w: 100_000, available: true })).toEqual([]);
    expect(await found({ standards: ['IEC_62196_T2'], min_power_w: 50_000 })).toEqual([]);
    expect(await found({ min_power_w: 100_000 })).toEqual(['MIX']);
    expect(await found({ min_power_w: 100_000, available: true })).toEqual([]);

    const change = (uid: string, status: EvseStatus, minute: number) => ({
      country_code: 'DE',
      party_id: 'AAA',
      location_id: 'MIX',
      evse_uid: uid,
      status,
      last_updated: `2026-12-02T10:${String(minute).padStart(2, '0')}:00Z`,
    });
    expect(await applyEvseStatusChanges(db.db, [change('MIX-2', 'AVAILABLE', 1)])).toEqual(['updated']);
    expect(await found({ standards: ccs, min_power_w: 150_000, available: true })).toEqual(['MIX']);
    expect(await found({ min_power_w: 100_000, available: true })).toEqual(['MIX']);
    // a REMOVED EVSE's connectors no longer count
    expect(await applyEvseStatusChanges(db.db, [change('MIX-2', 'REMOVED', 2)])).toEqual(['updated']);
    expect(await found({ standards: ccs })).toEqual([]);
    expect(await found({ min_power_w: 100_000 })).toEqual([]);
    const stored = await getLocation(db.db, { country_code: 'DE', party_id: 'AAA', id: 'MIX' });
    expect(await searchColumns({ country_code: 'DE', party_id: 'AAA', id: 'MIX' })).toEqual(
      deriveSearchColumns(stored!),
    );
  });
});
