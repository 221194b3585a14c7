// All SQL of the network module: parties, locations (+ EVSEs, connectors), tariffs, search.
// Storage: each row keeps its OCPI object in `object` (a location's object without its EVSEs' contents, an EVSE's
// without its connectors; children are reassembled in `position` order on read), plus the columns queries need.
// The search columns of a location (0002) are derived from the object by core/search-columns.ts on every write.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { PREPARE } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Connector, Evse, Location } from './core/location.schema.ts';
import { utc } from './core/location.schema.ts';
import { connectorPowerW } from './core/power.ts';
import {
  deriveSearchColumns,
  type ListConnector,
  type LocationSearchColumns,
  listEvses,
  listTariffIds,
} from './core/search-columns.ts';

/** The search columns of migrations 0002, 0013 and 0015 (not in the platform's schema.ts). */
type NetworkTables = {
  locations: LocationSearchColumns;
  location_objects: { list_evses: string; list_tariff_ids: string[] };
  evses: { position: number };
  connectors: { position: number };
};
type NetworkDb = Database & NetworkTables;
type Db = Kysely<Database>;
type Trx = Transaction<NetworkDb>;

const net = (db: Db) => db.withTables<NetworkTables>();

/** Multi-row INSERT size: ~500 rows keeps statements well under PostgreSQL's 65,535 parameters. */
const CHUNK = 500;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs fn in a transaction, or inside the caller's transaction when `db` already is one. */
async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  const ndb = net(db);
  if (ndb.isTransaction) return fn(ndb as Trx);
  return ndb.transaction().execute(fn);
}

export interface PartyKey {
  country_code: string;
  party_id: string;
}
export interface LocationKey extends PartyKey {
  id: string;
}

// ---------------------------------------------------------------------------------------------- parties

export interface PartyInput extends PartyKey {
  name: string;
  role?: string;
  /** True for CPOs connected over OCPI; false for providers whose data is imported. */
  integrated?: boolean;
  website?: string | null;
}

export async function upsertParty(db: Db, party: PartyInput): Promise<void> {
  const row = {
    country_code: party.country_code.toUpperCase(),
    party_id: party.party_id.toUpperCase(),
    name: party.name,
    role: party.role ?? 'CPO',
    integrated: party.integrated ?? false,
    website: party.website ?? null,
  };
  await db
    .insertInto('parties')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['country_code', 'party_id']).doUpdateSet({
        name: row.name,
        role: row.role,
        integrated: row.integrated,
        website: row.website,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

export async function upsertParties(db: Db, parties: PartyInput[]): Promise<void> {
  for (const p of parties) await upsertParty(db, p);
}

export async function getParty(db: Db, key: PartyKey) {
  return (
    (await db
      .selectFrom('parties')
      .selectAll()
      .where('country_code', '=', key.country_code.toUpperCase())
      .where('party_id', '=', key.party_id.toUpperCase())
      .executeTakeFirst()) ?? null
  );
}

export async function listParties(db: Db) {
  return db.selectFrom('parties').selectAll().orderBy('country_code').orderBy('party_id').execute();
}

// ---------------------------------------------------------------------------------------------- locations (write)

export type UpsertLocationResult =
  | { ok: true }
  | { ok: false; code: 'OWNER_MISMATCH' | 'UNKNOWN_PARTY'; message: string };

/**
 * Stores a validated Location (see parseLocation) for the party `owner` — the party of the OCPI URL or the
 * importing provider — replacing its EVSEs and connectors, in one transaction.
 */
export async function upsertLocation(db: Db, location: Location, owner: PartyKey): Promise<UpsertLocationResult> {
  return (await upsertLocations(db, [location], owner))[0] ?? { ok: true };
}

/**
 * Stores many locations in one transaction with multi-row inserts (the demo seed, imports). `owner` restricts
 * them to one party; without it each location is stored for its own country_code/party_id.
 */
export async function upsertLocations(
  db: Db,
  locations: Location[],
  owner?: PartyKey,
): Promise<UpsertLocationResult[]> {
  if (locations.length === 0) return [];
  const results: UpsertLocationResult[] = locations.map((l) =>
    owner &&
    (l.country_code.toUpperCase() !== owner.country_code.toUpperCase() ||
      l.party_id.toUpperCase() !== owner.party_id.toUpperCase())
      ? {
          ok: false,
          code: 'OWNER_MISMATCH',
          message: `location ${l.id} belongs to ${l.country_code}*${l.party_id}, not to ${owner.country_code}*${owner.party_id}`,
        }
      : { ok: true },
  );
  await inTransaction(db, async (trx) => {
    const partyKeys = [...new Set(locations.map((l) => `${l.country_code.toUpperCase()}*${l.party_id.toUpperCase()}`))];
    const known = await trx
      .selectFrom('parties')
      .select(['country_code', 'party_id'])
      .where(sql<boolean>`(country_code || '*' || party_id) = any(${partyKeys}::text[])`)
      .execute();
    const knownSet = new Set(known.map((p) => `${p.country_code}*${p.party_id}`));
    const todo: Location[] = [];
    locations.forEach((l, i) => {
      if (!results[i]?.ok) return;
      if (!knownSet.has(`${l.country_code.toUpperCase()}*${l.party_id.toUpperCase()}`)) {
        results[i] = {
          ok: false,
          code: 'UNKNOWN_PARTY',
          message: `party ${l.country_code}*${l.party_id} is not known`,
        };
        return;
      }
      todo.push(l);
    });
    await writeLocations(trx, todo);
  });
  return results;
}

/** The stored object of a location: without EVSEs (they have their own rows). */
function locationObjectRow(l: Location) {
  const { evses, ...rest } = l;
  // The object keeps `evses: []` as a marker when the location had an EVSE list, so it round-trips exactly.
  const object = evses === undefined ? rest : { ...rest, evses: [] };
  return {
    country_code: l.country_code.toUpperCase(),
    party_id: l.party_id.toUpperCase(),
    id: l.id,
    object: JSON.stringify(object),
    list_evses: JSON.stringify(listEvses(l)),
    list_tariff_ids: listTariffIds(l),
  };
}

function locationRow(l: Location) {
  return {
    country_code: l.country_code.toUpperCase(),
    party_id: l.party_id.toUpperCase(),
    id: l.id,
    publish: l.publish,
    name: l.name ?? null,
    address: l.address,
    city: l.city,
    postal_code: l.postal_code ?? null,
    country: l.country,
    latitude: Number(l.coordinates.latitude),
    longitude: Number(l.coordinates.longitude),
    time_zone: l.time_zone,
    operator_name: l.operator?.name ?? null,
    opening_hours: l.opening_times ? JSON.stringify(l.opening_times) : null,
    last_updated_text: l.last_updated,
    last_updated: utc(l.last_updated),
    ...deriveSearchColumns(l),
  };
}

function evseRow(l: Location, e: Evse, position: number) {
  const { connectors: _connectors, ...object } = e;
  return {
    country_code: l.country_code.toUpperCase(),
    party_id: l.party_id.toUpperCase(),
    location_id: l.id,
    uid: e.uid,
    evse_id: e.evse_id ?? null,
    status: e.status,
    object: JSON.stringify(object),
    last_updated: utc(e.last_updated),
    position,
  };
}

function connectorRow(l: Location, e: Evse, c: Connector, position: number) {
  return {
    country_code: l.country_code.toUpperCase(),
    party_id: l.party_id.toUpperCase(),
    location_id: l.id,
    evse_uid: e.uid,
    id: c.id,
    standard: c.standard,
    format: c.format,
    power_type: c.power_type,
    max_voltage: c.max_voltage,
    max_amperage: c.max_amperage,
    max_electric_power: c.max_electric_power ?? null,
    power_w: connectorPowerW(c),
    tariff_ids: c.tariff_ids ?? [],
    object: JSON.stringify(c),
    last_updated: utc(c.last_updated),
    position,
  };
}

/** `(country_code, party_id, location_id)` of the given keys, as an unnest() table `k(cc, pid, id)`. */
function keyTable(keys: LocationKey[]): RawBuilder<unknown> {
  return sql`unnest(${keys.map((k) => k.country_code.toUpperCase())}::char(2)[], ${keys.map((k) => k.party_id.toUpperCase())}::text[], ${keys.map((k) => k.id)}::text[]) as k(cc, pid, id)`;
}

async function writeLocations(trx: Trx, locations: Location[]): Promise<void> {
  if (locations.length === 0) return;
  // Replace children: delete the stored EVSEs (connectors cascade), then insert the new ones.
  for (const part of chunks(locations, 5000)) {
    await sql`delete from evses e using ${keyTable(part)}
              where e.country_code = k.cc and e.party_id = k.pid and e.location_id = k.id`.execute(trx);
  }
  for (const part of chunks(locations.map(locationRow))) {
    await trx
      .insertInto('locations')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['country_code', 'party_id', 'id']).doUpdateSet((eb) => {
          const cols = Object.keys(part[0] ?? {}).filter((c) => !['country_code', 'party_id', 'id'].includes(c));
          return Object.fromEntries(cols.map((c) => [c, eb.ref(`excluded.${c}` as 'excluded.name')]));
        }),
      )
      .execute();
  }
  for (const part of chunks(locations.map(locationObjectRow))) {
    await trx
      .insertInto('location_objects')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['country_code', 'party_id', 'id']).doUpdateSet((eb) => ({
          object: eb.ref('excluded.object'),
          list_evses: eb.ref('excluded.list_evses'),
          list_tariff_ids: eb.ref('excluded.list_tariff_ids'),
        })),
      )
      .execute();
  }
  const evses = locations.flatMap((l) => (l.evses ?? []).map((e, i) => evseRow(l, e, i)));
  for (const part of chunks(evses)) await trx.insertInto('evses').values(part).execute();
  const connectors = locations.flatMap((l) =>
    (l.evses ?? []).flatMap((e) => e.connectors.map((c, i) => connectorRow(l, e, c, i))),
  );
  for (const part of chunks(connectors)) await trx.insertInto('connectors').values(part).execute();
}

// ---------------------------------------------------------------------------------------------- locations (read)

async function loadLocation(db: Kysely<NetworkDb>, key: LocationKey, forUpdate = false): Promise<Location | null> {
  const cc = key.country_code.toUpperCase();
  const pid = key.party_id.toUpperCase();
  let q = db
    .selectFrom('locations as l')
    .innerJoin('location_objects as o', (j) =>
      j
        .onRef('o.country_code', '=', 'l.country_code')
        .onRef('o.party_id', '=', 'l.party_id')
        .onRef('o.id', '=', 'l.id'),
    )
    .select(['o.object', 'l.last_updated_text'])
    .where('l.country_code', '=', cc)
    .where('l.party_id', '=', pid)
    .where('l.id', '=', key.id);
  if (forUpdate) q = q.forUpdate('l');
  const row = await q.executeTakeFirst();
  if (!row) return null;
  // An EVSE status change moves the location's last_updated without rewriting its object.
  const location = { ...(row.object as Location), last_updated: row.last_updated_text };
  if (location.evses === undefined) return location;
  const [evses, connectors] = await Promise.all([
    db
      .selectFrom('evses')
      .select(['uid', 'object'])
      .where('country_code', '=', cc)
      .where('party_id', '=', pid)
      .where('location_id', '=', key.id)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('connectors')
      .select(['evse_uid', 'object'])
      .where('country_code', '=', cc)
      .where('party_id', '=', pid)
      .where('location_id', '=', key.id)
      .orderBy('evse_uid')
      .orderBy('position')
      .execute(),
  ]);
  const byEvse = new Map<string, Connector[]>();
  for (const c of connectors) {
    const list = byEvse.get(c.evse_uid) ?? [];
    list.push(c.object as Connector);
    byEvse.set(c.evse_uid, list);
  }
  location.evses = evses.map((e) => ({ ...(e.object as object), connectors: byEvse.get(e.uid) ?? [] }) as Evse);
  return location;
}

/** The stored OCPI Location, exactly as it was stored (EVSEs and connectors in their order), or null. */
export async function getLocation(db: Db, key: LocationKey): Promise<Location | null> {
  return loadLocation(net(db), key);
}

/** The IANA time zone of a location (one column, not the whole object); null when there is no such location. */
/** getLocationTimeZone as a scalar subquery (null when the location is unknown), for another statement. */
export function locationTimeZoneSql(key: LocationKey) {
  return sql<string | null>`(select l.time_zone from locations l
    where l.country_code = ${key.country_code} and l.party_id = ${key.party_id} and l.id = ${key.id})`;
}

export async function getLocationTimeZone(db: Db, key: LocationKey): Promise<string | null> {
  const r = await net(db)
    .selectFrom('locations')
    .select('time_zone')
    .where('country_code', '=', key.country_code)
    .where('party_id', '=', key.party_id)
    .where('id', '=', key.id)
    .executeTakeFirst();
  return r?.time_zone ?? null;
}

/**
 * The parties that have a published location with this id (ids are unique per party only). Published: the CPO
 * publishes it and it was not hidden because the CPO's full list no longer shows it.
 */
export async function findLocationOwners(db: Db, id: string): Promise<PartyKey[]> {
  return db
    .selectFrom('locations')
    .select(['country_code', 'party_id'])
    .where('id', '=', id)
    .where('publish', '=', true)
    .orderBy('country_code')
    .orderBy('party_id')
    .execute();
}

// ---------------------------------------------------------------------------------------------- tariffs

export interface StoredTariff {
  country_code: string;
  party_id: string;
  id: string;
  currency: string;
  type?: string | null | undefined;
  start_date_time?: string | null | undefined;
  end_date_time?: string | null | undefined;
  last_updated?: string | null | undefined;
}

/** Stores a validated OCPI Tariff (see parseTariff of the tariffs module); `receivedAt` when it has no last_updated. */
export async function upsertTariff(db: Db, tariff: StoredTariff, receivedAt: Date = new Date()): Promise<void> {
  await upsertTariffs(db, [tariff], receivedAt);
}

export async function upsertTariffs(db: Db, tariffs: StoredTariff[], receivedAt: Date = new Date()): Promise<void> {
  for (const part of chunks(tariffs)) {
    const rows = part.map((t) => ({
      country_code: t.country_code.toUpperCase(),
      party_id: t.party_id.toUpperCase(),
      id: t.id,
      currency: t.currency,
      type: t.type ?? null,
      start_date_time: t.start_date_time ? utc(t.start_date_time) : null,
      end_date_time: t.end_date_time ? utc(t.end_date_time) : null,
      object: JSON.stringify(t),
      last_updated: t.last_updated ? utc(t.last_updated) : receivedAt,
    }));
    await db
      .insertInto('tariffs')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['country_code', 'party_id', 'id']).doUpdateSet((eb) => ({
          currency: eb.ref('excluded.currency'),
          type: eb.ref('excluded.type'),
          start_date_time: eb.ref('excluded.start_date_time'),
          end_date_time: eb.ref('excluded.end_date_time'),
          object: eb.ref('excluded.object'),
          last_updated: eb.ref('excluded.last_updated'),
        })),
      )
      .execute();
  }
}

export type TariffKey = LocationKey;

export async function getTariff(db: Db, key: TariffKey): Promise<StoredTariff | null> {
  const row = await db
    .selectFrom('tariffs')
    .select('object')
    .where('country_code', '=', key.country_code.toUpperCase())
    .where('party_id', '=', key.party_id.toUpperCase())
    .where('id', '=', key.id)
    .executeTakeFirst();
  return row ? (row.object as StoredTariff) : null;
}

/**
 * The stored JSON text of tariffs by key (`CC*PID*id`), in one query; missing ones are absent. For callers that keep
 * parsed tariffs across requests keyed by their text (any change of a stored tariff changes its text).
 */
export async function getTariffTexts(db: Db, keys: TariffKey[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  const rows = await sql<{ country_code: string; party_id: string; id: string; text: string }>`
    select t.country_code, t.party_id, t.id, t.object::text as text from ${keyTable(keys)}
    join tariffs t on t.country_code = k.cc and t.party_id = k.pid and t.id = k.id`.execute(db);
  for (const r of rows.rows) out.set(tariffKey(r), r.text);
  return out;
}

export const tariffKey = (t: { country_code: string; party_id: string; id: string }) =>
  `${t.country_code.toUpperCase()}*${t.party_id.toUpperCase()}*${t.id}`;

// ---------------------------------------------------------------------------------------------- counts

export interface NetworkCounts {
  parties: number;
  locations: number;
  evses: number;
  connectors: number;
  tariffs: number;
}

export async function countNetwork(db: Db): Promise<NetworkCounts> {
  const r = await sql<Record<keyof NetworkCounts, string>>`select
      (select count(*) from parties) as parties,
      (select count(*) from locations) as locations,
      (select count(*) from evses) as evses,
      (select count(*) from connectors) as connectors,
      (select count(*) from tariffs) as tariffs`.execute(db);
  const row = r.rows[0];
  return {
    parties: Number(row?.parties ?? 0),
    locations: Number(row?.locations ?? 0),
    evses: Number(row?.evses ?? 0),
    connectors: Number(row?.connectors ?? 0),
    tariffs: Number(row?.tariffs ?? 0),
  };
}

export async function hasParties(db: Db): Promise<boolean> {
  return (await db.selectFrom('parties').select('country_code').limit(1).executeTakeFirst()) !== undefined;
}

// ---------------------------------------------------------------------------------------------- search

export interface SearchFilter {
  bbox?: { minLon: number; minLat: number; maxLon: number; maxLat: number } | undefined;
  near?: { lat: number; lon: number; radius_m: number } | undefined;
  /** At least one connector of these standards … */
  standards?: string[] | undefined;
  /** … with at least this power … */
  min_power_w?: number | undefined;
  /** … on an AVAILABLE EVSE. */
  available?: boolean | undefined;
  q?: string | undefined;
  parties?: PartyKey[] | undefined;
}

export interface SearchRow {
  country_code: string;
  party_id: string;
  id: string;
  operator_name: string | null;
  name: string | null;
  address: string;
  city: string;
  postal_code: string | null;
  country: string;
  latitude: number;
  longitude: number;
  time_zone: string;
  opening_hours: unknown;
  always_open: boolean;
  evse_total: number;
  evse_available: number;
  evse_occupied: number;
  max_power_w: number;
  distance_m: number | null;
  /** With `connectors: true`: the status of each EVSE that has connectors, in order … */
  evse_statuses?: string[];
  /** … and, for each of them, its connectors [standard, power type, power W, tariff ids] in order. */
  list_evses?: ListConnector[][];
  /** With `connectors: true`: the distinct tariff ids of its connectors. */
  list_tariff_ids?: string[];
  /** With `connectors: true`, on the first row only: [country code, party id, id, stored JSON text] of the tariffs. */
  tariffs?: [string, string, string, string][] | null;
}

const EARTH_RADIUS_M = 6371008.8;

/** The bounding box of a circle (slightly larger at the box's poleward edge, never smaller). */
export function radiusBox(lat: number, lon: number, radiusM: number) {
  const dLat = ((radiusM / EARTH_RADIUS_M) * 180) / Math.PI;
  const poleward = Math.min(89.9, Math.abs(lat) + dLat);
  const dLon = Math.min(180, dLat / Math.cos((poleward * Math.PI) / 180));
  return {
    minLon: Math.max(-180, lon - dLon),
    minLat: Math.max(-90, lat - dLat),
    maxLon: Math.min(180, lon + dLon),
    maxLat: Math.min(90, lat + dLat),
  };
}

/**
 * The haversine term a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) of the distance to (lat, lon), from `l.geo`
 * (point(longitude, latitude)) so the covering search index answers it. The distance is 2R·asin(√a), which grows
 * with a: radius checks and ordering compare a, and only a page's distances are computed (see distanceFromHav).
 */
function haversineTerm(lat: number, lon: number): RawBuilder<number> {
  return sql<number>`(power(sin(radians(l.geo[1] - ${lat}::float8) / 2), 2)
    + cos(radians(${lat}::float8)) * cos(radians(l.geo[1])) * power(sin(radians(l.geo[0] - ${lon}::float8) / 2), 2))`;
}
const distanceFromHav = (hav: RawBuilder<unknown>) =>
  sql<number>`(2 * ${EARTH_RADIUS_M}::float8 * asin(least(1, sqrt(${hav}))))`;
/** The haversine term of a distance: distance ≤ radius ⇔ a ≤ havOf(radius) (radius ≤ πR). */
const havOf = (radiusM: number) => Math.sin(radiusM / (2 * EARTH_RADIUS_M)) ** 2;

/** The operator's name falls back to the party's (OCPI §4.2); a subquery, so no join for every candidate row. */
const PARTY_NAME = sql`(select p.name from parties p where p.country_code = l.country_code and p.party_id = l.party_id)`;

/** The power of the partial search index for fast charging (migration 0012). */
const FAST_POWER_W = 50_000;

/** WHERE conditions on `locations l`. Only published, not expired. */
function searchConditions(f: SearchFilter): RawBuilder<unknown> {
  const conds: RawBuilder<unknown>[] = [sql`l.publish`, sql`l.evse_total > 0`];
  const box = f.bbox ?? (f.near ? radiusBox(f.near.lat, f.near.lon, f.near.radius_m) : undefined);
  if (box) {
    // The GiST index on geo answers this; point(x=lon, y=lat).
    conds.push(
      sql`l.geo <@ box(point(${box.minLon}::float8, ${box.minLat}::float8), point(${box.maxLon}::float8, ${box.maxLat}::float8))`,
    );
  }
  const minW = f.min_power_w !== undefined && f.min_power_w > 0 ? f.min_power_w : undefined;
  const standards = f.standards?.length ? f.standards : undefined;
  if (minW !== undefined) {
    conds.push(sql`l.max_power_w >= ${minW}::int`);
    // A literal, so that generic plans can prove the partial index locations_search_fast (migration 0012) applies.
    if (minW >= FAST_POWER_W) conds.push(sql.raw(`l.max_power_w >= ${FAST_POWER_W}`));
  }
  if (f.available) conds.push(sql`l.evse_available > 0`);
  if (standards) {
    // The same connector has an asked-for standard, the power and (if asked) an AVAILABLE EVSE: one array lookup per
    // standard in the per-standard columns (migrations/0015); a standard the location lacks gives null.
    const column = sql.raw(f.available ? 'l.std_available_w' : 'l.std_max_w');
    const best = standards.map((s) => sql`${column}[array_position(l.std_names, ${s}::text)]`);
    conds.push(sql`${best.length === 1 ? best[0]! : sql`greatest(${sql.join(best)})`} >= ${minW ?? 0}::int`);
  } else if (f.available && minW !== undefined) {
    conds.push(sql`l.available_max_w >= ${minW}::int`);
  }
  if (f.q) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    conds.push(sql`(l.name ilike ${pattern} or l.address ilike ${pattern} or l.city ilike ${pattern}
      or l.postal_code ilike ${pattern} or l.id ilike ${pattern} or coalesce(l.operator_name, ${PARTY_NAME}) ilike ${pattern})`);
  }
  if (f.parties?.length) {
    conds.push(
      sql`(${sql.join(
        f.parties.map(
          (p) => sql`(l.country_code = ${p.country_code.toUpperCase()} and l.party_id = ${p.party_id.toUpperCase()})`,
        ),
        sql` or `,
      )})`,
    );
  }
  return sql.join(conds, sql` and `);
}

const SEARCH_COLUMNS = sql`l.country_code, l.party_id, l.id, l.name,
  l.address, l.city, l.postal_code, l.country, l.latitude, l.longitude, l.time_zone, l.opening_hours, l.always_open,
  l.evse_total, l.evse_available, l.evse_occupied, l.max_power_w`;

/** A paged nearby or bbox search counts its matches up to this many (or offset + limit when more), then says "more". */
export const LIST_COUNT_LIMIT = 1000;

/** The centre of a box (where a bbox list starts: nearest to the middle of the map view first). */
const boxCentre = (b: NonNullable<SearchFilter['bbox']>) => ({
  lat: (b.minLat + b.maxLat) / 2,
  lon: (b.minLon + b.maxLon) / 2,
});

/** The haversine term a of two points, as haversineTerm computes it in SQL. */
function havBetween(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  return (
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2
  );
}

/** A box that matches nothing (longitudes never exceed 180). */
const NO_BOX = { minLon: 1000, minLat: 1000, maxLon: 1000, maxLat: 1000 };

/**
 * A box well inside the circle of `radiusM` around (lat, lon): every point in it is within the radius with a 1 %
 * margin on the haversine term, so its points need no haversine check (see searchLocations). NO_BOX when there is
 * no such box worth having (near a pole or the antimeridian).
 */
export function inscribedBox(lat: number, lon: number, radiusM: number) {
  const hav = havOf(radiusM);
  const dLat = (0.7 * radiusM * 180) / (Math.PI * EARTH_RADIUS_M);
  const equatorward = Math.max(0, Math.abs(lat) - dLat); // the box's widest latitude
  const rest =
    (0.98 * hav - Math.sin((dLat * Math.PI) / 360) ** 2) /
    (Math.cos((lat * Math.PI) / 180) * Math.cos((equatorward * Math.PI) / 180));
  if (!(rest > 0 && rest < 1) || Math.abs(lat) + dLat > 80) return NO_BOX;
  const dLon = (2 * Math.asin(Math.sqrt(rest)) * 180) / Math.PI;
  const box = { minLon: lon - dLon, minLat: lat - dLat, maxLon: lon + dLon, maxLat: lat + dLat };
  if (box.minLon < -180 || box.maxLon > 180) return NO_BOX;
  // Every corner checked (the margin covers the rounding of the SQL evaluation).
  for (const [la, lo] of [
    [box.minLat, box.minLon],
    [box.minLat, box.maxLon],
    [box.maxLat, box.minLon],
    [box.maxLat, box.maxLon],
  ] as const)
    if (!(havBetween(lat, lon, la!, lo!) <= 0.99 * hav)) return NO_BOX;
  return box;
}

const boxSql = (b: { minLon: number; minLat: number; maxLon: number; maxLat: number }) =>
  sql`box(point(${b.minLon}::float8, ${b.minLat}::float8), point(${b.maxLon}::float8, ${b.maxLat}::float8))`;

/** The page's wide columns, EVSEs, connectors and tariffs, for the rows of `page` (key, hav), in `order`. */
function pageRows(near: boolean, connectors: boolean, order: (t: string) => RawBuilder<unknown>): RawBuilder<unknown> {
  // The page's EVSEs and connectors in the same statement, precomputed (migrations/0013): the statuses of the
  // location's EVSEs (kept by every status change) and, beside its object, their connectors (kept by every write of
  // the location). findLocations pairs them as it would pair pageConnectors' rows.
  // The arrays as JSON: node-postgres parses a text[] character by character (~1 KB of garbage per small array),
  // JSON with JSON.parse.
  const conns = connectors
    ? sql`, to_json(l.evse_statuses) as evse_statuses, o.list_evses, to_json(o.list_tariff_ids) as list_tariff_ids`
    : sql``;
  const objects = connectors
    ? sql`join location_objects o on o.country_code = l.country_code and o.party_id = l.party_id and o.id = l.id`
    : sql``;
  return sql`select ${SEARCH_COLUMNS},
        coalesce(l.operator_name, ${PARTY_NAME}) as operator_name,
        ${near ? distanceFromHav(sql`page.hav`) : sql`null::float8`} as distance_m, page.hav ${conns}
      from page
      join locations l on l.country_code = page.country_code and l.party_id = page.party_id and l.id = page.id
      ${objects}
      order by ${order('page')}`;
}

/**
 * One page of locations matching `f`, with the total.
 * - Nearby (f.near): within the radius, by distance. With a bbox: in the box, by distance from its centre (the
 *   middle of the map view first; distance_m stays null). Paged, both count up to max(LIST_COUNT_LIMIT or
 *   `countLimit`, offset + limit) — `more: true` when further locations match.
 * - Otherwise by name, counted exactly.
 * `page: 'all'` returns every match (for filters evaluated outside SQL, such as open_now), in the same order.
 */
export async function searchLocations(
  db: Db,
  f: SearchFilter,
  page: { limit: number; offset: number } | 'all',
  opts: { connectors?: boolean; countLimit?: number } = {},
): Promise<{ rows: SearchRow[]; total: number; more: boolean }> {
  const near = f.near;
  const centre = near ?? (f.bbox ? boxCentre(f.bbox) : undefined);
  if (centre && page !== 'all') return centredPage(db, f, centre, page, opts);
  const hav = centre ? haversineTerm(centre.lat, centre.lon) : sql<null>`null::float8`;
  const order = (t: string) =>
    centre
      ? sql`${sql.ref(`${t}.hav`)}, ${sql.ref(`${t}.country_code`)}, ${sql.ref(`${t}.party_id`)}, ${sql.ref(`${t}.id`)}`
      : sql`${sql.ref(`${t}.name`)} nulls last, ${sql.ref(`${t}.country_code`)}, ${sql.ref(`${t}.party_id`)}, ${sql.ref(`${t}.id`)}`;
  const paging = page === 'all' ? sql`` : sql`limit ${page.limit}::int offset ${page.offset}::int`;
  const inRadius = near ? sql`where hav <= ${havOf(near.radius_m)}::float8` : sql``;
  // Counting and ordering run over narrow rows (key, name, haversine term) of all matches, which the covering index
  // locations_search gives without reading the table (migration 0003); the wide columns are read for the page only.
  // One row comes back even for an empty page, carrying the total.
  const tariffs = opts.connectors ? tariffTexts(order) : sql``;
  const result = await sql<SearchRow & { total: string }>`${sql.raw(PREPARE)}
    with hits as (
      select * from (
        select l.country_code, l.party_id, l.id, l.name, ${hav} as hav
        from locations l
        where ${searchConditions(f)}
      ) m ${inRadius}
    ), page as (select * from hits as h order by ${order('h')} ${paging}),
    x as materialized (${pageRows(near !== undefined, opts.connectors === true, order)})
    select t.total, x.* ${tariffs}
    from (select count(*) as total from hits) t left join x on true
    order by ${order('x')}`.execute(db);
  return answer(result.rows, null);
}

/**
 * With connectors: the stored texts of every tariff the page's connectors name, once, on the first row (from the
 * connector lists already read, `x`).
 */
const tariffTexts = (
  order: (t: string) => RawBuilder<unknown>,
) => sql`, case when row_number() over (order by ${order('x')}) = 1 then (
    select coalesce(json_agg(json_build_array(t.country_code, t.party_id, t.id, t.object::text)), '[]'::json)
    from tariffs t where (t.country_code, t.party_id, t.id) in (
      select x2.country_code, x2.party_id, json_array_elements_text(x2.list_tariff_ids) from x x2)) end as tariffs`;

function answer(rows: (SearchRow & { total: string })[], countLimit: number | null) {
  const n = Number(rows[0]?.total ?? 0);
  const more = countLimit !== null && n > countLimit;
  const total = more && countLimit !== null ? countLimit : n;
  // The rows keep their `total` and `hav` columns: deleting properties would make every row a slow dictionary-mode
  // object for the code that reads them next.
  return { rows: rows.filter((r) => r.id !== null), total, more };
}

/**
 * A paged search ordered by distance from a centre (nearby: within a radius; bbox: in the box). Dense areas have
 * thousands of matches, and counting and ordering all of them was the search's cost:
 * - the count stops at `countLimit` + 1; within a radius, matches inside a box inscribed in the circle need no
 *   haversine check (about half of the box's index entries);
 * - the page comes from the circle of a quarter of the radius (bbox: of the largest circle around the centre that
 *   fits in the box) when that circle already holds offset + limit matches: every match outside it is farther than
 *   all inside, so its first offset + limit by (distance, key) are exactly those of all matches. Otherwise the page
 *   comes from all matches. Either branch runs only when its one-time condition holds;
 * - the haversine term is computed once per candidate (subqueries fenced with `offset 0`, or PostgreSQL would
 *   compute it in the filter and again for the output).
 */
async function centredPage(
  db: Db,
  f: SearchFilter,
  centre: { lat: number; lon: number },
  page: { limit: number; offset: number },
  opts: { connectors?: boolean; countLimit?: number },
): Promise<{ rows: SearchRow[]; total: number; more: boolean }> {
  const near = f.near;
  const hav = haversineTerm(centre.lat, centre.lon);
  const order = (t: string) =>
    sql`${sql.ref(`${t}.hav`)}, ${sql.ref(`${t}.country_code`)}, ${sql.ref(`${t}.party_id`)}, ${sql.ref(`${t}.id`)}`;
  const paging = sql`limit ${page.limit}::int offset ${page.offset}::int`;
  const wanted = page.offset + page.limit;
  const countLimit = Math.max(opts.countLimit ?? LIST_COUNT_LIMIT, wanted);
  // The inner circle: a quarter of the radius; for a box, a quarter of the largest circle around its centre inside it.
  let innerM: number;
  if (near) innerM = near.radius_m / 4;
  else {
    const b = f.bbox!;
    const rad = Math.PI / 180;
    const halfLat = ((b.maxLat - b.minLat) / 2) * rad;
    const halfLon = Math.min(Math.PI / 2, ((b.maxLon - b.minLon) / 2) * rad);
    innerM = (EARTH_RADIUS_M * Math.min(halfLat, Math.asin(Math.cos(centre.lat * rad) * Math.sin(halfLon)))) / 4;
  }
  innerM = Math.max(innerM, 0);
  const inner = { ...centre, radius_m: innerM };
  // Candidates of a circle: its bounding box (GiST index), then the haversine term.
  const innerBox = radiusBox(centre.lat, centre.lon, innerM);
  const innerConds = searchConditions({
    ...f,
    near: undefined,
    bbox: f.bbox
      ? {
          minLon: Math.max(f.bbox.minLon, innerBox.minLon),
          minLat: Math.max(f.bbox.minLat, innerBox.minLat),
          maxLon: Math.min(f.bbox.maxLon, innerBox.maxLon),
          maxLat: Math.min(f.bbox.maxLat, innerBox.maxLat),
        }
      : innerBox,
  });
  const innerHav = havOf(inner.radius_m);
  // Matching, as a condition: nearby, within the radius (points of the inscribed box without computing the term).
  const all = searchConditions(f);
  const matching = near
    ? sql`${all} and (l.geo <@ ${boxSql(inscribedBox(near.lat, near.lon, near.radius_m))}
        or ${hav} <= ${havOf(near.radius_m)}::float8)`
    : all;
  const innerMatching = sql`${innerConds} and (l.geo <@ ${boxSql(inscribedBox(centre.lat, centre.lon, innerM))}
        or ${hav} <= ${innerHav}::float8)`;
  const withHav = (conds: RawBuilder<unknown>, maxHav: number | null) => sql`select * from (
      select l.country_code, l.party_id, l.id, ${hav} as hav from locations l where ${conds} offset 0
    ) m ${maxHav === null ? sql`` : sql`where m.hav <= ${maxHav}::float8`}`;
  const tariffs = opts.connectors ? tariffTexts(order) : sql``;
  // Prepared (see PREPARE): planning this statement took ~1 ms, as long as running it for a typical query point.
  const result = await sql<SearchRow & { total: string }>`${sql.raw(PREPARE)}
    with inner_enough as (
      select count(*) >= ${wanted}::int as ok
      from (select 1 from locations l where ${innerMatching} limit ${wanted}::int) c
    ), page as (
      (select * from (${withHav(innerConds, innerHav)}) h where (select ok from inner_enough) order by ${order('h')} ${paging})
      union all
      (select * from (${withHav(all, near ? havOf(near.radius_m) : null)}) h where not (select ok from inner_enough)
        order by ${order('h')} ${paging})
    ),
    x as materialized (${pageRows(near !== undefined, opts.connectors === true, order)})
    select t.total, x.* ${tariffs}
    from (select count(*) as total from (select 1 from locations l where ${matching} limit ${countLimit + 1}::int) c) t
    left join x on true
    order by ${order('x')}`.execute(db);
  return answer(result.rows, countLimit);
}

export interface MarkerRow {
  country_code: string;
  party_id: string;
  id: string;
  name: string | null;
  latitude: number;
  longitude: number;
  evse_total: number;
  evse_available: number;
  evse_occupied: number;
  max_power_w: number;
  always_open: boolean;
  opening_hours: unknown;
  time_zone: string;
}

/** Map markers: one row per matching location with its precomputed figures, at most `limit`. */
export async function markerRows(
  db: Db,
  f: SearchFilter,
  limit: number | null,
  withHours = false,
): Promise<MarkerRow[]> {
  // Opening hours only when the caller evaluates open_now, and only for locations that can be closed.
  const hours = withHours ? sql`case when l.always_open then null else l.opening_hours end` : sql`null::jsonb`;
  const result = await sql<MarkerRow>`
    select l.country_code, l.party_id, l.id, l.name, l.latitude, l.longitude, l.evse_total, l.evse_available,
      l.evse_occupied, l.max_power_w, l.always_open, ${hours} as opening_hours, l.time_zone
    from locations l
    where ${searchConditions(f)}
    ${limit === null ? sql`` : sql`limit ${limit}::int`}`.execute(db);
  return result.rows;
}

/** A marker row `[lon, lat, party, id, status, available, total, max_power_kw]` as JSON text, from a row alias. */
const markerRowJson = (m: string) =>
  sql.raw(`'[' || ${m}.longitude::text || ',' || ${m}.latitude::text || ','
    || to_json(${m}.country_code || ${m}.party_id)::text || ',' || to_json(${m}.id)::text || ','
    || case when ${m}.evse_available > 0 then '"A"' when ${m}.evse_occupied > 0 then '"O"' else '"U"' end || ','
    || ${m}.evse_available::text || ',' || ${m}.evse_total::text || ','
    || ((round(${m}.max_power_w / 100.0) / 10)::float8)::text || ']'`);

const MARKER_HEAD = sql.raw(
  `'{"fields":["lon","lat","party","id","status","available","total","max_power_kw"],"markers":['`,
);
const CLUSTER_HEAD = sql.raw(`'],"cluster_fields":["lon","lat","count","available","occupied"],"clusters":['`);

/** The columns a marker needs, from `locations l`. */
const MARKER_COLUMNS = sql`l.country_code, l.party_id, l.id, l.latitude, l.longitude, l.evse_total, l.evse_available,
  l.evse_occupied, l.max_power_w`;

/**
 * The marker collection built by PostgreSQL as compact JSON text (no row parsing and re-serialising in Node: a city
 * viewport has thousands of markers). Must give what findMarkers builds from markerRows; a test compares the two.
 * Floats print in their shortest exact form (PostgreSQL 12+ with the default extra_float_digits).
 */
export async function markersJson(db: Db, f: SearchFilter, max: number): Promise<string> {
  const result = await sql<{ json: string }>`
    with m as (
      select ${MARKER_COLUMNS}
      from locations l
      where ${searchConditions(f)}
      limit ${max + 1}::int
    )
    select ${MARKER_HEAD}
      || coalesce((select string_agg(${markerRowJson('m')}, ',') from (select * from m limit ${max}::int) m), '')
      || ${CLUSTER_HEAD} || '],"truncated":'
      || case when (select count(*) from m) > ${max}::int then 'true' else 'false' end
      || '}' as json`.execute(db);
  // A select without FROM always gives one row.
  return result.rows[0]?.json ?? '';
}

/**
 * The marker collection of a viewport at a zoom level, built by PostgreSQL: up to `above` matches come back as
 * markers (never truncated); more are grouped by grid cell (core/marker-grid.ts) — a cell with one location gives
 * its marker, a cell with several a cluster [lon, lat, count, available, occupied] at the members' mean position
 * (5 decimals, half up). Must give what clusterCells gives from markerRows; a test compares the two.
 * Only the branch the count chooses runs (uncorrelated subqueries are evaluated when first needed).
 */
export async function clusteredMarkersJson(
  db: Db,
  f: SearchFilter,
  grid: { cellLon: number; cellLat: number },
  above: number,
): Promise<string> {
  const where = searchConditions(f);
  // One pass of hash aggregation over the matches (narrow aggregates: they cost more than reading the rows): per cell
  // its count, position sums, availability counts and its first row's ctid, which fetches the row of a cell that
  // holds one location (same statement, same snapshot). The mean is sum / count, as in clusterCells.
  const result = await sql<{ json: string }>`${sql.raw(PREPARE)}
    select ${MARKER_HEAD} || case
      when (select count(*) from (select 1 from locations l where ${where} limit ${above + 1}::int) x) <= ${above}::int
      then coalesce((select string_agg(${markerRowJson('l')}, ',') from locations l where ${where}), '') || ${CLUSTER_HEAD}
      else (
        select coalesce(string_agg(s.marker, ','), '') || ${CLUSTER_HEAD}
          || coalesce(string_agg('[' || (floor(g.sx / g.n * 100000::float8 + 0.5::float8) / 100000::float8)::text
            || ',' || (floor(g.sy / g.n * 100000::float8 + 0.5::float8) / 100000::float8)::text || ','
            || g.n::text || ',' || g.a::text || ',' || g.o::text || ']', ',') filter (where g.n > 1), '')
        from (
          select count(*) as n, sum(l.longitude) as sx, sum(l.latitude) as sy,
            count(*) filter (where l.evse_available > 0) as a,
            count(*) filter (where l.evse_available = 0 and l.evse_occupied > 0) as o, min(l.ctid) as t
          from locations l
          where ${where}
          group by floor(l.longitude / ${grid.cellLon}::float8), floor(l.latitude / ${grid.cellLat}::float8)
        ) g
        left join lateral (select ${markerRowJson('l')} as marker from locations l where g.n = 1 and l.ctid = g.t) s
          on true
      ) end
      || '],"truncated":false}' as json`.execute(db);
  return result.rows[0]?.json ?? '';
}

export interface PageConnectorRow {
  country_code: string;
  party_id: string;
  location_id: string;
  evse_uid: string;
  status: string;
  standard: string;
  power_type: string;
  power_w: number;
  tariff_ids: string[];
}

/** The EVSEs and connectors of the given locations (a result page), in order, in one query. */
export async function pageConnectors(db: Db, keys: LocationKey[]): Promise<PageConnectorRow[]> {
  if (keys.length === 0) return [];
  const result = await sql<PageConnectorRow>`
    select e.country_code, e.party_id, e.location_id, e.uid as evse_uid, e.status,
      c.standard, c.power_type, c.power_w, c.tariff_ids
    from ${keyTable(keys)}
    join evses e on e.country_code = k.cc and e.party_id = k.pid and e.location_id = k.id
    join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
      and c.location_id = e.location_id and c.evse_uid = e.uid
    order by e.country_code, e.party_id, e.location_id, e.position, c.position`.execute(db);
  return result.rows;
}

export interface OverviewCellRow {
  count: number;
  sum_lon: number;
  sum_lat: number;
  available: number;
  occupied: number;
  /** The marker row as JSON text when the cell holds one location. */
  marker: string | null;
}

/**
 * Every published location, grouped into cells of `cellDeg` degrees (aligned to 0°) and summed as the clustered
 * markers sum them; a cell holding one location also gives its marker (the same JSON as markersJson's rows).
 */
export async function overviewCells(db: Db, cellDeg: number): Promise<OverviewCellRow[]> {
  const result = await sql<OverviewCellRow>`
    select g.n as count, g.sx as sum_lon, g.sy as sum_lat, g.a as available, g.o as occupied, s.marker
    from (
      select count(*)::int as n, sum(l.longitude) as sx, sum(l.latitude) as sy,
        (count(*) filter (where l.evse_available > 0))::int as a,
        (count(*) filter (where l.evse_available = 0 and l.evse_occupied > 0))::int as o, min(l.ctid) as t
      from locations l
      where ${searchConditions({})}
      group by floor(l.longitude / ${cellDeg}::float8), floor(l.latitude / ${cellDeg}::float8)
    ) g
    left join lateral (select ${markerRowJson('l')} as marker from locations l where g.n = 1 and l.ctid = g.t) s
      on true`.execute(db);
  return result.rows;
}
