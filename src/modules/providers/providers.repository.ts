// SQL of the providers module: the back office's view of parties (CPOs) and their locations.
// Locations themselves are written by the network module (upsertLocation); here we only read summaries.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface Provider {
  country_code: string;
  party_id: string;
  name: string;
  website: string | null;
  integrated: boolean;
  location_count: number;
}

export interface ProviderLocationSummary {
  id: string;
  name: string | null;
  city: string;
  /** EVSEs that are not REMOVED. */
  evse_count: number;
}

function selectProviders(db: Executor) {
  return db
    .selectFrom('parties')
    .select(['country_code', 'party_id', 'name', 'website', 'integrated'])
    .select((eb) =>
      eb
        .selectFrom('locations')
        .select(sql<string>`count(*)`.as('n'))
        .whereRef('locations.country_code', '=', 'parties.country_code')
        .whereRef('locations.party_id', '=', 'parties.party_id')
        .as('location_count'),
    );
}

// count(*) is int8: a string on both backends (see database.ts).
const toProvider = (r: Omit<Provider, 'location_count'> & { location_count: string | number | null }): Provider => ({
  country_code: r.country_code,
  party_id: r.party_id,
  name: r.name,
  website: r.website,
  integrated: r.integrated,
  location_count: Number(r.location_count ?? 0),
});

export async function listProviders(db: Executor): Promise<Provider[]> {
  const rows = await selectProviders(db).orderBy('country_code').orderBy('party_id').execute();
  return rows.map(toProvider);
}

export async function findProvider(db: Executor, countryCode: string, partyId: string): Promise<Provider | undefined> {
  const row = await selectProviders(db)
    .where('country_code', '=', countryCode)
    .where('party_id', '=', partyId)
    .executeTakeFirst();
  return row && toProvider(row);
}

/** Locks the party row for the rest of the transaction (so it cannot turn integrated under an import). */
export async function lockParty(
  trx: Transaction<Database>,
  countryCode: string,
  partyId: string,
): Promise<{ integrated: boolean } | undefined> {
  return trx
    .selectFrom('parties')
    .select('integrated')
    .where('country_code', '=', countryCode)
    .where('party_id', '=', partyId)
    .forShare()
    .executeTakeFirst();
}

/** Inserts a non-integrated CPO; undefined when the party already exists. */
export async function insertProvider(
  db: Executor,
  p: { country_code: string; party_id: string; name: string; website: string | null },
): Promise<Provider | undefined> {
  const row = await db
    .insertInto('parties')
    .values({ ...p, role: 'CPO', integrated: false })
    .onConflict((oc) => oc.columns(['country_code', 'party_id']).doNothing())
    .returning(['country_code', 'party_id', 'name', 'website', 'integrated'])
    .executeTakeFirst();
  return row && { ...row, location_count: 0 };
}

export async function listProviderLocations(
  db: Executor,
  countryCode: string,
  partyId: string,
): Promise<ProviderLocationSummary[]> {
  // evse_total (migrations/0002) is kept by the network repository on every write: the EVSEs not REMOVED.
  // Reading it avoids a join whose plan degrades badly right after a large import (stale statistics).
  const rows = await db
    .selectFrom('locations')
    .select(['id', 'name', 'city', sql<number>`evse_total`.as('evse_count')])
    .where('country_code', '=', countryCode)
    .where('party_id', '=', partyId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, city: r.city, evse_count: Number(r.evse_count) }));
}
