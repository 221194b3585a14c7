// Finding a charge point by its printed EVSE id (QR codes, `/c/{evse_id}`): the EVSE with its location (stored
// OCPI objects) and the tariffs of its connectors, for the charging module's offer.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Evse, Location } from './core/location.schema.ts';
import { getLocation, getTariff, type StoredTariff } from './network.repository.ts';

export interface EvseAtLocation {
  country_code: string;
  party_id: string;
  location: Location;
  evse: Evse;
  /** Tariffs named by the EVSE's connectors that we hold, by id. */
  tariffs: Map<string, StoredTariff>;
}

/** Normalised for comparison: EVSE ids are case-insensitive and the `*` separators optional (eMI3). */
const norm = (s: string) => s.toUpperCase().replaceAll('*', '');

/** The published EVSE with this EVSE id (e.g. `DE*SIM*E000001*1`), or null. */
export async function findEvseByEvseId(db: Kysely<Database>, evseId: string): Promise<EvseAtLocation | null> {
  const rows = await db
    .selectFrom('evses as e')
    .innerJoin('locations as l', (j) =>
      j
        .onRef('l.country_code', '=', 'e.country_code')
        .onRef('l.party_id', '=', 'e.party_id')
        .onRef('l.id', '=', 'e.location_id'),
    )
    .select(['e.country_code', 'e.party_id', 'e.location_id', 'e.uid', 'e.evse_id'])
    .where('e.evse_id', '=', evseId)
    .where('l.publish', '=', true)
    .limit(2)
    .execute();
  const row = rows.find((r) => r.evse_id !== null && norm(r.evse_id) === norm(evseId));
  if (!row) return null;
  const location = await getLocation(db, {
    country_code: row.country_code,
    party_id: row.party_id,
    id: row.location_id,
  });
  const evse = location?.evses?.find((e) => e.uid === row.uid);
  if (!location || !evse) return null;
  const tariffs = new Map<string, StoredTariff>();
  for (const id of new Set(evse.connectors.flatMap((c) => c.tariff_ids ?? []))) {
    const t = await getTariff(db, { country_code: row.country_code, party_id: row.party_id, id });
    if (t) tariffs.set(id, t);
  }
  return { country_code: row.country_code, party_id: row.party_id, location, evse, tariffs };
}
