// Non-integrated providers: CPOs without an OCPI link, their locations, CSV/JSON import.
// PLACEHOLDER until the providers module lands.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

export function providerRoutes(_deps: { db: Kysely<Database>; adminToken: string }): FastifyPluginAsync {
  return async () => {};
}
