// Roaming: Lataus as an OCPI 2.2.1 eMSP — partners and their credentials, CPO data received by push or pull
// (locations, tariffs, sessions, CDRs with tariff audit and disputes), our tokens and commands. Import only from here.
export { roamingAdminRoutes } from './admin.routes.ts';
export {
  CommandError,
  type CommandRecord,
  type CommandRequest,
  type CommandState,
  expireCommands,
  getCommand,
  receiveCommandResult,
  sendCommand,
} from './commands.service.ts';
export {
  type Authenticated,
  authenticate,
  createRoamingContext,
  PartnerAuthCache,
  type RoamingContext,
  type RoamingHooks,
} from './context.ts';
export { type AuditOutcome, auditCdrCosts, countryTimeZone } from './core/cdr-audit.ts';
export { endpointUrl } from './core/endpoints.ts';
export {
  type Cdr,
  type Credentials,
  LocationReferencesSchema,
  parseCdr,
  parseCredentials,
  parseSession,
  parseToken,
  type Session,
  type Token,
  TokenTypeSchema,
} from './core/ocpi-objects.schema.ts';
export {
  auditPendingCdrs,
  auditStoredCdr,
  cdrPriceKey,
  getLocationObject,
  type IngestResult,
  patchLocationObject,
  patchSession,
  postCdr,
  putLocation,
  putLocationObject,
  putSession,
  putTariff,
  readCdr,
  readSession,
  readTariff,
  removeTariff,
} from './ingest.service.ts';
export {
  findCdrForSession,
  findSessionByAuthorizationReference,
  partnerForParty,
  sessionsWithCdr,
  tokenPushCounts,
} from './lookups.service.ts';
export { type FetchLike, OcpiCallError, ocpiCall } from './ocpi-client.ts';
export { getPartner, listPartners, type Partner } from './partners.repository.ts';
export {
  acceptRegistration,
  acceptUnregistration,
  invitePartner,
  negotiateVersion,
  ourCredentials,
  RegistrationError,
  registerWithPartner,
  rotateToken,
  setSuspended,
  unregisterPartner,
  updateRegistration,
} from './registration.service.ts';
export { OCPI_VERSION, OUR_ENDPOINTS, ourUrls, type RoamingSettings, roamingSettingsFromEnv } from './settings.ts';
export { queueSync, runSyncStep, runSyncUntilIdle, SYNC_MODULES, scheduleSyncs, syncCursors } from './sync.service.ts';
export { authorizeToken, getToken, listTokens, runTokenPushes, saveToken, type TokenInput } from './tokens.service.ts';
export { type RoamingWorkers, startRoamingWorkers } from './workers.ts';
