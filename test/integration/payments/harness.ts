import {
  type RunningPayoneSimulator,
  type StartOptions,
  startPayoneSimulator,
} from '../../../simulators/payone/server.ts';
import { createPaymentsModule, payoneProviderFromConfig } from '../../../src/modules/payments/index.ts';
import type { PaymentsService, PaymentsServiceOptions } from '../../../src/modules/payments/payments.service.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { freePort } from '../../helpers/net.ts';

export const ADMIN = 'test-admin-token';
export const PORTAL_KEY = 'lataus-sim-portal-key';
export const CARDS = {
  visa: '9410010000000411111',
  mastercard: '9410010000000550004',
  challenge: '9410010000000403220',
  declined: '9410010000000400002',
} as const;

export interface Harness {
  t: TestDatabase;
  sim: RunningPayoneSimulator;
  app: App;
  appUrl: string;
  payments: ReturnType<typeof createPaymentsModule>;
  service: PaymentsService;
  close(): Promise<void>;
}

export function testConfig(simApiUrl: string, appPort: number) {
  return {
    PAYONE_API_URL: simApiUrl,
    PAYONE_MID: '10000',
    PAYONE_AID: '10001',
    PAYONE_PORTAL_ID: '2000000',
    PAYONE_KEY: PORTAL_KEY,
    PAYONE_MODE: 'test' as const,
    PAYONE_HASH: 'md5' as const,
    PAYONE_NOTIFY_IPS: undefined,
    PUBLIC_URL: `http://127.0.0.1:${appPort}`,
    PORT: appPort,
    adminToken: ADMIN,
  };
}

export async function startHarness(
  opts: {
    sim?: StartOptions;
    hash?: 'md5' | 'sha2-384';
    wrapService?: (s: PaymentsService) => PaymentsService;
    startWorker?: boolean;
    providerTimeoutMs?: number;
    /** Attempts per PSP request before a job gives up (default 8). */
    maxAttempts?: number;
    /** Runs after each PSP call, before its answer is recorded. */
    afterProviderCall?: PaymentsServiceOptions['afterProviderCall'];
  } = {},
): Promise<Harness> {
  const t = await openTestDatabase();
  const appPort = await freePort();
  const sim = await startPayoneSimulator({
    port: 0,
    quiet: true,
    paidDelayMs: 50,
    pendingDelayMs: 100,
    retryScheduleMs: [100, 200, 400, 800],
    notifyTimeoutMs: 3000,
    notifyUrl: `http://127.0.0.1:${appPort}/payone/transaction-status`,
    ...opts.sim,
  });
  const config = { ...testConfig(sim.apiUrl, appPort), PAYONE_HASH: opts.hash ?? 'md5' };
  const payments = createPaymentsModule({
    db: t.db,
    config,
    worker: { pollMs: 20 },
    service: {
      ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
      ...(opts.afterProviderCall ? { afterProviderCall: opts.afterProviderCall } : {}),
    },
    ...(opts.providerTimeoutMs ? { provider: payoneProviderFromConfig(config, opts.providerTimeoutMs) } : {}),
  });
  const service = opts.wrapService ? opts.wrapService(payments.service) : payments.service;
  const { payoneNotificationRoutes, paymentsAdminRoutes } = await import(
    '../../../src/modules/payments/payments.routes.ts'
  );
  const { Secret } = await import('../../../src/payone/secret.ts');
  const app = await buildApp({
    logLevel: 'silent',
    rateLimitMax: 100_000,
    modules: [paymentsAdminRoutes({ service, adminToken: ADMIN, defaultReturnBase: config.PUBLIC_URL })],
    rootModules: [
      payoneNotificationRoutes({
        service,
        auth: { portalKey: new Secret(PORTAL_KEY), portalId: '2000000', aid: '10001', allowedCidrs: [] },
        onStored: () => payments.worker.wake(),
      }),
    ],
    ready: async () => ({ ok: true }),
  });
  await app.listen({ port: appPort, host: '127.0.0.1' });
  if (opts.startWorker !== false) payments.worker.start();
  return {
    t,
    sim,
    app,
    appUrl: `http://127.0.0.1:${appPort}`,
    payments,
    service,
    async close() {
      await payments.worker.stop();
      await sim.close();
      await app.close();
      await t.close();
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const returnUrls = {
  successUrl: 'http://127.0.0.1:9/ok',
  errorUrl: 'http://127.0.0.1:9/error',
  backUrl: 'http://127.0.0.1:9/back',
};

export { freePort };
