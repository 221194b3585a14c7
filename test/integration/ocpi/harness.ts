// Test harness: Lataus's OCPI interface and partner admin API on a fresh test database (PGlite, or PostgreSQL
// when DATABASE_URL is set), listening on an ephemeral port so partners can call back over real HTTP.

import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { networkRoutes } from '../../../src/modules/network/index.ts';
import {
  createRoamingContext,
  type RoamingContext,
  type RoamingSettings,
  roamingAdminRoutes,
} from '../../../src/modules/roaming/index.ts';
import { authorizationHeader } from '../../../src/ocpi/core/auth.ts';
import { ocpiRoutes } from '../../../src/ocpi/routes.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

export const ADMIN = 'test-admin-token';
export const EXAMPLES = 'test/fixtures/ocpi-examples';
export const example = (f: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')) as Record<string, unknown>;

export interface Harness {
  db: TestDatabase;
  ctx: RoamingContext;
  app: App;
  url: string;
  settings: RoamingSettings;
  close(): Promise<void>;
}

export async function startLataus(opts: { network?: boolean } = {}): Promise<Harness> {
  const db = await openTestDatabase();
  const settings: RoamingSettings = {
    publicUrl: 'http://127.0.0.1:0',
    countryCode: 'DE',
    partyId: 'LAT',
    businessName: 'Lataus Test',
    pageLimit: 2,
    auditTolerance: '0.01',
    syncIntervalMinutes: 60,
    workers: false,
    httpTimeoutMs: 5000,
  };
  const ctx = createRoamingContext(db.db, settings);
  const app = await buildApp({
    logLevel: 'silent',
    rateLimitMax: 100_000,
    modules: [roamingAdminRoutes(ctx, { adminToken: ADMIN }), ...(opts.network ? [networkRoutes({ db: db.db })] : [])],
    rootModules: [ocpiRoutes(ctx)],
    ready: async () => ({ ok: true }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  settings.publicUrl = `http://127.0.0.1:${port}`;
  return {
    db,
    ctx,
    app,
    url: settings.publicUrl,
    settings,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export const tokenHeader = (token: string) => ({ authorization: authorizationHeader(token) });
export const adminHeader = { authorization: `Bearer ${ADMIN}` };
