// All SQL of the network module: parties, locations (+ EVSEs, connectors), tariffs, search.
// Storage: each row keeps its OCPI object in `object` (a location's object without its EVSEs' contents, an EVSE's
// without its connectors; children are reassembled in `position` order on read), plus the columns queries need.
// The search columns of a location (0002) are derived from the object by core/search-columns.ts on every write.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Connector, Evse, EvseStatus, Location } from './core/location.schema.ts';
import { utc } from './core/location.schema.ts';
import { connectorPowerW } from './core/power.ts';
import { deriveSearchColumns, type LocationSearchColumns } from './core/search-columns.ts';

/** The columns migrations/0002 adds (not in the platform's schema.ts). */
type NetworkTables = {
  locations: { [K in keyof LocationSearchColumns]: LocationSearchColumns[K] };
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

function locationRow(l: Location) {
  const { evses, ...rest } = l;
  // The object keeps `evses: []` as a marker when the location had an EVSE list, so it round-trips exactly.
  const object = evses === undefined ? rest : { ...rest, evses: [] };
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
    object: JSON.stringify(object),
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
  const evses = locations.flatMap((l) => (l.evses ?? []).map((e, i) => evseRow(l, e, i)));
  for (const part of chunks(evses)) await trx.insertInto('evses').values(part).execute();
  const connectors = locations.flatMap((l) =>
    (l.evses ?? []).flatMap((e) => e.connectors.map((c, i) => connectorRow(l, e, c, i))),
  );
  for (const part of chunks(connectors)) await trx.insertInto('connectors').values(part).execute();
}

export type UpdateEvseStatusResult =
  | { ok: true; location: Location }
  | { ok: false; code: 'NOT_FOUND'; message: string };

/**
 * Sets an EVSE's status (the OCPI status PATCH, the hot path): updates the EVSE row and its object, bumps the
 * location's last_updated when newer, and re-derives the location's search columns — one transaction.
 */
export async function updateEvseStatus(
  db: Db,
  key: LocationKey & { evse_uid: string },
  status: EvseStatus,
  lastUpdated: string,
): Promise<UpdateEvseStatusResult> {
  return inTransaction(db, async (trx) => {
    const location = await loadLocation(trx, key, true);
    const evse = location?.evses?.find((e) => e.uid.toUpperCase() === key.evse_uid.toUpperCase());
    if (!location || !evse) {
      return {
        ok: false,
        code: 'NOT_FOUND',
        message: `unknown EVSE ${key.country_code}*${key.party_id} ${key.id}/${key.evse_uid}`,
      };
    }
    evse.status = status;
    if (Date.parse(utc(lastUpdated)) > Date.parse(utc(evse.last_updated))) evse.last_updated = lastUpdated;
    if (Date.parse(utc(lastUpdated)) > Date.parse(utc(location.last_updated))) location.last_updated = lastUpdated;
    const pos = location.evses?.indexOf(evse) ?? 0;
    const er = evseRow(location, evse, pos);
    await trx
      .updateTable('evses')
      .set({ status: er.status, object: er.object, last_updated: er.last_updated })
      .where('country_code', '=', er.country_code)
      .where('party_id', '=', er.party_id)
      .where('location_id', '=', er.location_id)
      .where('uid', '=', evse.uid)
      .execute();
    const { country_code, party_id, id, ...lr } = locationRow(location);
    await trx
      .updateTable('locations')
      .set(lr)
      .where('country_code', '=', country_code)
      .where('party_id', '=', party_id)
      .where('id', '=', id)
      .execute();
    return { ok: true, location };
  });
}

// ---------------------------------------------------------------------------------------------- locations (read)

async function loadLocation(db: Kysely<NetworkDb>, key: LocationKey, forUpdate = false): Promise<Location | null> {
  const cc = key.country_code.toUpperCase();
  const pid = key.party_id.toUpperCase();
  let q = db
    .selectFrom('locations')
    .select('object')
    .where('country_code', '=', cc)
    .where('party_id', '=', pid)
    .where('id', '=', key.id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) return null;
  const location = row.object as Location;
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

/** The parties that have a location with this id (ids are unique per party only). */
export async function findLocationOwners(db: Db, id: string): Promise<PartyKey[]> {
  return db
    .selectFrom('locations')
    .select(['country_code', 'party_id'])
    .where('id', '=', id)
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
  [field: string]: unknown;
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

/** Tariffs by key, in one query; missing ones are absent from the map (key `CC*PID*id`). */
export async function getTariffs(db: Db, keys: TariffKey[]): Promise<Map<string, StoredTariff>> {
  const out = new Map<string, StoredTariff>();
  if (keys.length === 0) return out;
  const rows = await sql<{ object: StoredTariff }>`
    select t.object from ${keyTable(keys)}
    join tariffs t on t.country_code = k.cc and t.party_id = k.pid and t.id = k.id`.execute(db);
  for (const r of rows.rows) out.set(tariffKey(r.object), r.object);
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
