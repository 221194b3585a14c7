// The partner charging network: parties (CPOs), OCPI locations with EVSEs and connectors, their tariffs,
// the demo network, and station search for the map. Other modules import only from here.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

export {
  type Connector,
  ConnectorSchema,
  ConnectorTypeSchema,
  type Evse,
  EvseSchema,
  type EvseStatus,
  EvseStatusSchema,
  type Hours,
  HoursSchema,
  type Location,
  LocationSchema,
  type ParseLocationResult,
  parseConnector,
  parseConnectorPatch,
  parseEvse,
  parseEvsePatch,
  parseLocation,
  parseLocationPatch,
  type ValidationIssue,
} from './core/location.schema.ts';
export { applyLocationPatch, type PatchTarget } from './core/location-patch.ts';
export { isOpenAt } from './core/opening-hours.ts';
export { connectorPowerW } from './core/power.ts';
export {
  countNetwork,
  findLocationOwners,
  getLocation,
  getParty,
  getTariff,
  hasParties,
  type LocationKey,
  listParties,
  type NetworkCounts,
  type PartyInput,
  type PartyKey,
  type StoredTariff,
  type UpdateEvseStatusResult,
  type UpsertLocationResult,
  updateEvseStatus,
  upsertLocation,
  upsertLocations,
  upsertParties,
  upsertParty,
  upsertTariff,
  upsertTariffs,
} from './network.repository.ts';

export function networkRoutes(_deps: { db: Kysely<Database> }): FastifyPluginAsync {
  return async () => {};
}

export async function seedDemoNetworkIfEmpty(
  _db: Kysely<Database>,
  _opts: { locations: number; seed: number; log: (msg: string) => void },
): Promise<void> {}
