// OCPI 2.2.1 wire layer of Lataus as an eMSP: HTTP routes under /ocpi and the pure protocol helpers
// (envelope, Authorization header, pagination, last_updated rules). Business rules live in modules/roaming.
export { authorizationHeader, tokenCandidates } from './core/auth.ts';
export { envelope, OcpiError, OcpiStatus } from './core/envelope.ts';
export { ocpiRoutes } from './routes.ts';
