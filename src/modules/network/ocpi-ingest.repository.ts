// Small additions for OCPI ingest (owned by the roaming/OCPI work, kept apart from network.repository.ts):
// row locks that order concurrent pushes to one location, and deleting a tariff (OCPI Tariffs DELETE).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { LocationKey } from './network.repository.ts';

type Db = Kysely<Database>;

/**
 * Locks the location row (FOR UPDATE; call inside a transaction) and returns its last_updated and, when
 * `evse_uid` is given, that EVSE's — so a push can be compared with what is stored before writing.
 * Always locks the location first: the same order as the status function (applyEvseStatusChanges), so concurrent
 * pushes cannot deadlock.
 * The EVSE is read by a second statement, after the lock: a statement that waited for the lock still sees the
 * other rows as they were when it started (READ COMMITTED re-reads only the locked row), so reading the EVSE in
 * the locking statement could return what a writer that held the lock has just changed.
 */
export async function lockLocationForIngest(
  db: Db,
  key: LocationKey & { evse_uid?: string },
): Promise<{ location_last_updated: Date; evse_last_updated: Date | null; evse_exists: boolean } | null> {
  const cc = key.country_code.toUpperCase();
  const pid = key.party_id.toUpperCase();
  const r = await sql<{ last_updated: Date }>`
    select l.last_updated from locations l
    where l.country_code = ${cc} and l.party_id = ${pid} and l.id = ${key.id}
    for update`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  if (key.evse_uid === undefined)
    return { location_last_updated: row.last_updated, evse_last_updated: null, evse_exists: false };
  const e = await sql<{ last_updated: Date }>`
    select e.last_updated from evses e
    where e.country_code = ${cc} and e.party_id = ${pid} and e.location_id = ${key.id}
      and upper(e.uid) = upper(${key.evse_uid})`.execute(db);
  return {
    location_last_updated: row.last_updated,
    evse_last_updated: e.rows[0]?.last_updated ?? null,
    evse_exists: e.rows.length > 0,
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
