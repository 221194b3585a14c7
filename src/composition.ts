// Composition root: configuration → database → modules → HTTP app. Used by main.ts and by tests.

import { type ChargingModule, createChargingModule } from './modules/charging/index.ts';
import { createIdentityModule, driverOf, type IdentityModule } from './modules/identity/index.ts';
import { createInvoicingModule, type InvoicingModule } from './modules/invoicing/index.ts';
import { createMailModule, type MailModule } from './modules/mail/index.ts';
import { networkRoutes, seedDemoNetworkIfEmpty } from './modules/network/index.ts';
import { createPaymentsModule } from './modules/payments/index.ts';
import { providerRoutes } from './modules/providers/index.ts';
import {
  createRoamingContext,
  type RoamingWorkers,
  roamingAdminRoutes,
  roamingSettingsFromEnv,
  startRoamingWorkers,
} from './modules/roaming/index.ts';
import { ocpiRoutes } from './ocpi/index.ts';
import type { Config } from './platform/config.ts';
import { type DatabaseHandle, openDatabase } from './platform/db/database.ts';
import { migrate } from './platform/db/migrations.ts';
import { type App, buildApp } from './platform/http/app.ts';
import { configRoutes } from './platform/http/config.routes.ts';

export interface Lataus {
  app: App;
  database: DatabaseHandle;
  payments: ReturnType<typeof createPaymentsModule>;
  mail: MailModule;
  identity: IdentityModule;
  invoicing: InvoicingModule;
  charging: ChargingModule;
  close(): Promise<void>;
}

export async function createLataus(
  config: Config,
  opts: { onSeedProgress?: (msg: string) => void } = {},
): Promise<Lataus> {
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(database);
    let seeded = config.SEED === 'none';
    const payments = createPaymentsModule({ db: database.db, config });
    const mail = createMailModule({ db: database.db, config, log: { error: (o, m) => app.log.error(o, m) } });
    const identity = createIdentityModule({ db: database.db, mailer: mail.mailer, config });
    const invoicing = createInvoicingModule({ db: database.db, config });
    const roamingSettings = roamingSettingsFromEnv(config);
    const roaming = createRoamingContext(database.db, roamingSettings);
    const charging = createChargingModule({
      db: database.db,
      config,
      roaming,
      payments,
      invoicing,
      mailer: mail.mailer,
      identity: { requireDriver: identity.requireDriver, driverOf },
      log: { error: (o, m) => app.log.error(o, m) },
    });
    let roamingWorkers: RoamingWorkers | null = null;
    const app = await buildApp({
      logLevel: config.LOG_LEVEL,
      rateLimitMax: config.RATE_LIMIT_MAX,
      rateLimitWindow: config.RATE_LIMIT_WINDOW,
      bodyLimit: config.BODY_LIMIT_BYTES,
      trustProxy: config.TRUST_PROXY,
      staticRoot: config.STATIC_ROOT,
      modules: [
        configRoutes(config),
        networkRoutes({ db: database.db }),
        providerRoutes({ db: database.db, adminToken: config.adminToken }),
        payments.routes,
        identity.routes,
        mail.routes,
        invoicing.routes,
        charging.routes,
        roamingAdminRoutes(roaming, { adminToken: config.adminToken }),
      ],
      rootModules: [payments.rootRoutes, ocpiRoutes(roaming)],
      ready: async () => {
        await database.db.selectFrom('parties').select('country_code').limit(1).execute();
        return seeded ? { ok: true } : { ok: false, detail: 'seeding the demo network' };
      },
    });
    if (!seeded) {
      await seedDemoNetworkIfEmpty(database.db, {
        locations: config.DEMO_LOCATIONS,
        seed: config.DEMO_SEED,
        log: opts.onSeedProgress ?? ((m) => app.log.info(m)),
      });
      seeded = true;
    }
    payments.worker.start();
    mail.worker.start();
    charging.worker.start();
    if (roamingSettings.workers)
      roamingWorkers = startRoamingWorkers(roaming, { onError: (err) => app.log.error({ err }, 'OCPI worker failed') });
    return {
      app,
      database,
      payments,
      mail,
      identity,
      invoicing,
      charging,
      async close() {
        await app.close();
        await charging.worker.stop();
        await payments.worker.stop();
        await mail.close();
        await roamingWorkers?.stop();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
