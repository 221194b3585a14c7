// The partner charging network: parties (CPOs), OCPI locations with EVSEs and connectors, their tariffs,
// the demo network, and station search for the map. Other modules import only from here.

export { generateDemoNetwork } from './core/demo-network.ts';
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
export { chooseTariff, priceSummary, type TariffLike } from './core/location-summary.ts';
export { isOpenAt } from './core/opening-hours.ts';
export { connectorPowerW } from './core/power.ts';
export type { LocationDetail, LocationSummary, MarkerCollection, PriceSummary } from './core/search.schema.ts';
export { type EvseAtLocation, findEvseByEvseId } from './evse-lookup.ts';
export {
  applyEvseStatusChanges,
  type EvseStatusChange,
  type EvseStatusOutcome,
} from './evse-status.repository.ts';
export {
  countNetwork,
  findLocationOwners,
  getLocation,
  getLocationTimeZone,
  getParty,
  getTariff,
  hasParties,
  type LocationKey,
  listParties,
  locationTimeZoneSql,
  type NetworkCounts,
  type PartyInput,
  type PartyKey,
  type StoredTariff,
  type UpsertLocationResult,
  upsertLocation,
  upsertLocations,
  upsertParties,
  upsertParty,
  upsertTariff,
  upsertTariffs,
} from './network.repository.ts';
export { type NetworkRouteDeps, networkRoutes } from './network.routes.ts';
export { seedDemoNetworkIfEmpty } from './network.seed.ts';
export { deleteTariff, lockLocationForIngest } from './ocpi-ingest.repository.ts';
