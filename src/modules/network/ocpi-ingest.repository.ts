// Small additions for OCPI ingest (owned by the roaming/OCPI work, kept apart from network.repository.ts):
// row locks that order concurrent pushes to one location, and deleting a tariff (OCPI Tariffs DELETE).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { LocationKey } from './network.repository.ts';

type Db = Kysely<Database>;

/**
 * Locks the location row (FOR UPDATE; call inside a transaction) and returns its last_updated and, when
 * `evse_uid` is given, that EVSE's — so a push can be compared with what is stored before writing.
 * Always locks the location first: the same order as updateEvseStatus, so concurrent pushes cannot deadlock.
 */
export async function lockLocationForIngest(
  db: Db,
  key: LocationKey & { evse_uid?: string },
): Promise<{ location_last_updated: Date; evse_last_updated: Date | null; evse_exists: boolean } | null> {
  const cc = key.country_code.toUpperCase();
  const pid = key.party_id.toUpperCase();
  const r = await sql<{ last_updated: Date }>`
    select last_updated from locations where country_code = ${cc} and party_id = ${pid} and id = ${key.id} for update`.execute(
    db,
  );
  const loc = r.rows[0];
  if (!loc) return null;
  if (key.evse_uid === undefined)
    return { location_last_updated: loc.last_updated, evse_last_updated: null, evse_exists: false };
  const e = await sql<{ last_updated: Date }>`
    select last_updated from evses
    where country_code = ${cc} and party_id = ${pid} and location_id = ${key.id} and upper(uid) = upper(${key.evse_uid})`.execute(
    db,
  );
  const evse = e.rows[0];
  return {
    location_last_updated: loc.last_updated,
    evse_last_updated: evse?.last_updated ?? null,
    evse_exists: !!evse,
  };
}

/** Deletes a tariff; true when it existed. */
export async function deleteTariff(db: Db, key: LocationKey): Promise<boolean> {
  const r = await db
    .deleteFrom('tariffs')
    .where('country_code', '=', key.country_code.toUpperCase())
    .where('party_id', '=', key.party_id.toUpperCase())
    .where('id', '=', key.id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Ids of a party's locations (for a full pull: what the partner no longer lists). */
export async function listLocationIds(db: Db, party: { country_code: string; party_id: string }): Promise<string[]> {
  const rows = await db
    .selectFrom('locations')
    .select('id')
    .where('country_code', '=', party.country_code.toUpperCase())
    .where('party_id', '=', party.party_id.toUpperCase())
    .execute();
  return rows.map((r) => r.id);
}
