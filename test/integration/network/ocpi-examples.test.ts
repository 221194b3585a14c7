// Every OCPI 2.2.1 example location and tariff loads into the database and reads back as stored.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyLocationPatch,
  getLocation,
  getTariff,
  type Location,
  parseLocation,
  upsertLocation,
  upsertParty,
  upsertTariff,
} from '../../../src/modules/network/index.ts';
import { parseTariff } from '../../../src/modules/tariffs/index.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

const DIR = 'test/fixtures/ocpi-examples';
const EXAMPLES = fs.existsSync(DIR) ? fs.readdirSync(DIR).sort() : [];
const read = (f: string): unknown => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));
const byKind = (re: RegExp) => EXAMPLES.filter((f) => re.test(f));

const FULL = byKind(/^location_example.*\.json$/);
const PATCHES = byKind(/^location_(patch|put)_.*\.json$/);
const FRAGMENTS = byKind(/^location_(energymix|hours|regularhours)_.*\.json$/);
const TARIFFS = byKind(/^tariff.*\.json$/);

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

async function store(location: Location) {
  await upsertParty(db.db, { country_code: location.country_code, party_id: location.party_id, name: 'Example CPO' });
  const r = await upsertLocation(db.db, location, location);
  expect(r).toEqual({ ok: true });
  const back = await getLocation(db.db, location);
  expect(back).toEqual(location);
  return back;
}

function base(): Location {
  const r = parseLocation(read('location_example.json'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.location;
}

describe('OCPI example locations', () => {
  it('finds the example files', () => {
    expect(FULL.length).toBeGreaterThanOrEqual(6);
    expect(PATCHES.length).toBeGreaterThanOrEqual(5);
    expect(TARIFFS.length).toBeGreaterThanOrEqual(18);
  });

  it.each(FULL)('%s: validates, stores and round-trips', async (file) => {
    const json = read(file);
    const r = parseLocation(json);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.location).toEqual(json); // nothing dropped or changed by validation
    await store(r.location);
  });

  it.each(FRAGMENTS)('%s: as part of a location, validates, stores and round-trips', async (file) => {
    const fragment = read(file) as Record<string, unknown>;
    // Hours examples are bare Hours objects; the others are {energy_mix}/{opening_times} fragments.
    const patch = 'twentyfourseven' in fragment ? { opening_times: fragment } : fragment;
    const location = { ...base(), id: `FRAG-${file.slice(9, 40)}`, ...patch };
    const r = parseLocation(location);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (r.ok) await store(r.location);
  });

  const targets: Record<string, { evse_uid?: string; connector_id?: string }> = {
    location_patch_example_location: {},
    location_patch_example_remove_evse: { evse_uid: '3256' },
    location_patch_example_status: { evse_uid: '3256' },
    location_patch_example_tariff: { evse_uid: '3256', connector_id: '1' },
    location_put_example_add_evse: { evse_uid: '3256' },
  };
  it.each(PATCHES)('%s: applies as a PATCH body to the stored example and round-trips', async (file) => {
    const target = targets[file.replace('.json', '')];
    expect(target, `no PATCH target known for ${file}`).toBeDefined();
    const stored = await store({ ...base(), id: `P-${file.slice(9, 40)}` });
    const r = applyLocationPatch(stored!, read(file), target);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    await store(r.location);
    expect(r.location.last_updated).toBe('2019-06-24T12:39:09Z'); // propagated to the location
  });

  it('rejects a location with a misspelled required field, naming it', () => {
    const { time_zone, ...rest } = base();
    const r = parseLocation({ ...rest, timezone: time_zone });
    expect(r).toEqual({ ok: false, errors: [{ path: 'time_zone', message: 'required field is missing' }] });
  });

  it('keeps unknown fields (forward compatibility)', async () => {
    const r = parseLocation({ ...base(), id: 'UNKNOWN-FIELDS', x_vendor: { a: 1 } });
    expect(r.ok).toBe(true);
    if (r.ok) expect((await store(r.location)) as Record<string, unknown>).toMatchObject({ x_vendor: { a: 1 } });
  });
});

describe('OCPI example tariffs', () => {
  it.each(TARIFFS)('%s: validates, stores and round-trips', async (file) => {
    const json = read(file);
    // tariff_put_example.json has no last_updated: parse it in the tariff engine's lenient mode.
    const r = parseTariff(json, { mode: file === 'tariff_put_example.json' ? 'pricing' : 'strict' });
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    const t = r.tariff as typeof r.tariff & { country_code: string; party_id: string };
    await upsertTariff(db.db, t);
    expect(await getTariff(db.db, t)).toEqual(json);
  });
});
