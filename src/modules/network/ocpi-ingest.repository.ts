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
  // One round trip: lock the location row and read the EVSE's last_updated beside it.
  const r = await sql<{ last_updated: Date; evse_last_updated: Date | null; evse_exists: boolean }>`
    select l.last_updated, e.last_updated as evse_last_updated, (e.uid is not null) as evse_exists
    from locations l
    left join evses e on e.country_code = l.country_code and e.party_id = l.party_id and e.location_id = l.id
      and upper(e.uid) = upper(${key.evse_uid ?? ''})
    where l.country_code = ${cc} and l.party_id = ${pid} and l.id = ${key.id}
    for update of l`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  return {
    location_last_updated: row.last_updated,
    evse_last_updated: key.evse_uid === undefined ? null : row.evse_last_updated,
    evse_exists: key.evse_uid !== undefined && row.evse_exists,
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
