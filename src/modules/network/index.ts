// The partner charging network: parties, locations, EVSEs, connectors, tariffs, station search.
// PLACEHOLDER until the network module lands.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

export function networkRoutes(_deps: { db: Kysely<Database> }): FastifyPluginAsync {
  return async () => {};
}

export async function seedDemoNetworkIfEmpty(
  _db: Kysely<Database>,
  _opts: { locations: number; seed: number; log: (msg: string) => void },
): Promise<void> {}
