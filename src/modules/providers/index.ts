// Non-integrated providers: CPOs without an OCPI link, created in the back office, with their locations entered
// as OCPI JSON or imported from CSV/JSON — all or nothing. Locations are validated and stored by the network module.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { type Location, parseLocation, upsertLocations } from '../network/index.ts';
import { providerRoutesWith } from './providers.routes.ts';
import type { LocationStore } from './providers.service.ts';

export { CSV_COLUMNS, REQUIRED_COLUMNS } from './core/csv-locations.ts';
export type { RowError } from './core/import-types.ts';
export type { ImportSummary } from './providers.service.ts';

/** The network module's validation and writer, as the providers service needs them. */
export const networkLocationStore: LocationStore<Location> = {
  parseLocation,
  upsertLocations: async (db, locations, owner) =>
    (await upsertLocations(db, locations, owner)).map((r) => (r.ok ? r : { ok: false, message: r.message })),
};

export interface ProviderRoutesDeps {
  db: Kysely<Database>;
  adminToken: string;
  /** The clock stamping `last_updated` of imported objects; tests pass a fixed one. */
  clock?: () => Date;
  /** Replaceable for tests (e.g. a writer that fails half-way, to prove the rollback). */
  locations?: LocationStore<Location>;
}

/** The admin API under /api/v1/admin/providers (all routes need the admin bearer token). */
export function providerRoutes(deps: ProviderRoutesDeps): FastifyPluginAsync {
  return providerRoutesWith({
    db: deps.db,
    adminToken: deps.adminToken,
    clock: deps.clock ?? (() => new Date()),
    locations: deps.locations ?? networkLocationStore,
  });
}
