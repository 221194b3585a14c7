// Test harness for charging: a test database (PGlite, or PostgreSQL with DATABASE_URL), Lataus with every module
// a charge needs listening on an ephemeral port, the PAYONE simulator and the CPO simulator in-process, the CPO
// registered with Lataus over real OCPI HTTP and its network pushed.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type RunningCpoSimulator, startCpoSimulator } from '../../../simulators/cpo/server.ts';
import { type RunningPayoneSimulator, startPayoneSimulator } from '../../../simulators/payone/server.ts';
import { type ChargingModule, createChargingModule } from '../../../src/modules/charging/index.ts';
import { createIdentityModule, driverOf } from '../../../src/modules/identity/index.ts';
import { createInvoicingModule } from '../../../src/modules/invoicing/index.ts';
import { createMailModule } from '../../../src/modules/mail/index.ts';
import { networkRoutes } from '../../../src/modules/network/index.ts';
import {
  createPaymentsModule,
  type PaymentProvider,
  type PaymentsService,
  payoneProviderFromConfig,
} from '../../../src/modules/payments/index.ts';
import {
  type Cdr,
  createRoamingContext,
  type RoamingContext,
  roamingAdminRoutes,
  roamingSettingsFromEnv,
  runTokenPushes,
} from '../../../src/modules/roaming/index.ts';
import { ocpiRoutes } from '../../../src/ocpi/index.ts';
import { loadConfig } from '../../../src/platform/config.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { freePort } from '../../helpers/net.ts';

export const ADMIN = 'charging-test-admin';
export const admin = { authorization: `Bearer ${ADMIN}` };
export const CSRF = { 'x-requested-with': 'lataus' };

/** Test cards of the PAYONE simulator (pseudo card PANs). */
export const CARDS = {
  visa: {
    pseudocardpan: '9410010000000411111',
    truncatedcardpan: '411111XXXXXX1111',
    cardtype: 'V',
    cardexpiredate: '3012',
  },
  mastercard: {
    pseudocardpan: '9410010000000550004',
    truncatedcardpan: '550000XXXXXX0004',
    cardtype: 'M',
    cardexpiredate: '3012',
  },
  challenge: {
    pseudocardpan: '9410010000000403220',
    truncatedcardpan: '400000XXXXXX3220',
    cardtype: 'V',
    cardexpiredate: '3012',
  },
  declined: {
    pseudocardpan: '9410010000000400002',
    truncatedcardpan: '400000XXXXXX0002',
    cardtype: 'V',
    cardexpiredate: '3012',
  },
} as const;

export interface Harness {
  t: TestDatabase;
  app: App;
  url: string;
  roaming: RoamingContext;
  charging: ChargingModule;
  payments: ReturnType<typeof createPaymentsModule>;
  payone: RunningPayoneSimulator;
  cpo: RunningCpoSimulator;
  partnerId: string;
  /** fetch against Lataus (real HTTP). */
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  cpo?: Parameters<typeof startCpoSimulator>[0];
  paymentsMaxAttempts?: number;
  ocpiTimeoutMs?: number;
  /** How long we wait for a PAYONE answer (default 45 s). */
  payoneTimeoutMs?: number;
  /** Wraps the payment provider (benchmarks time the gateway). */
  wrapProvider?: (p: PaymentProvider) => PaymentProvider;
  /** Wraps the payments service charging uses (benchmarks time the capture). */
  wrapPayments?: (s: PaymentsService) => PaymentsService;
  logLevel?: string;
  /**
   * Benchmarks: start the PAYONE simulator elsewhere (e.g. its own process) instead of in this process; gets the
   * TransactionStatus URL. Only `url`, `apiUrl` and `close` of `Harness.payone` exist then.
   */
  externalPayone?: (notifyUrl: string) => Promise<{ url: string; apiUrl: string; close(): Promise<void> }>;
  /** PostgreSQL connections (default 10). */
  poolSize?: number;
  /**
   * Benchmarks: the workers poll at the modules' production defaults (payments 250 ms, charging sweep 1 s) instead
   * of the tests' quick 50 / 150 ms.
   */
  productionPolling?: boolean;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const t = await openTestDatabase(opts.poolSize);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const notifyUrl = `${url}/payone/transaction-status`;
  const payone = opts.externalPayone
    ? ((await opts.externalPayone(notifyUrl)) as RunningPayoneSimulator)
    : await startPayoneSimulator({
        port: 0,
        quiet: true,
        paidDelayMs: 50,
        pendingDelayMs: 100,
        retryScheduleMs: [100, 200, 400, 800],
        notifyTimeoutMs: 3000,
        notifyUrl,
      });
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: url,
    PAYONE_API_URL: payone.apiUrl,
    ADMIN_TOKEN: ADMIN,
    SESSION_SECRET: 'charging-test-session-secret-0123456789abcdef',
    SEED: 'none',
    ...opts.env,
  });
  const roaming = createRoamingContext(
    t.db,
    roamingSettingsFromEnv(config, { OCPI_WORKERS: 'false', OCPI_HTTP_TIMEOUT_MS: String(opts.ocpiTimeoutMs ?? 5000) }),
  );
  const mail = createMailModule({ db: t.db, config });
  const identity = createIdentityModule({
    db: t.db,
    mailer: mail.mailer,
    config,
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
  });
  const invoicing = createInvoicingModule({ db: t.db, config });
  const payments = createPaymentsModule({
    db: t.db,
    config,
    service: { maxAttempts: opts.paymentsMaxAttempts ?? 8 },
    ...(opts.productionPolling ? {} : { worker: { pollMs: 50 } }),
    provider: (opts.wrapProvider ?? ((p) => p))(payoneProviderFromConfig(config, opts.payoneTimeoutMs)),
  });
  const charging = createChargingModule({
    db: t.db,
    config,
    roaming,
    payments: opts.wrapPayments ? { ...payments, service: opts.wrapPayments(payments.service) } : payments,
    invoicing,
    mailer: mail.mailer,
    identity: { requireDriver: identity.requireDriver, driverOf },
    ...(opts.productionPolling ? {} : { pollMs: 150 }),
    log: { error: (o, m) => (opts.logLevel === 'silent' ? undefined : console.error(m, o)) },
  });
  const app = await buildApp({
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    rateLimitMax: 1_000_000,
    modules: [
      networkRoutes({ db: t.db }),
      payments.routes,
      roamingAdminRoutes(roaming, { adminToken: ADMIN }),
      identity.routes,
      mail.routes,
      invoicing.routes,
      charging.routes,
    ],
    rootModules: [payments.rootRoutes, ocpiRoutes(roaming)],
    ready: async () => ({ ok: true }),
  });
  await app.listen({ port, host: '127.0.0.1' });
  payments.worker.start();
  charging.worker.start();

  const cpo = await startCpoSimulator({ port: 0, locations: 3, speed: 60, commandDelayMs: 20, ...opts.cpo });
  const invite = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/partners',
    headers: admin,
    payload: { action: 'invite', name: 'CPO simulator' },
  });
  if (invite.statusCode !== 201) throw new Error(`invite: ${invite.body}`);
  const { token_a, versions_url } = invite.json() as { token_a: string; versions_url: string };
  const reg = await cpo.registerWith(versions_url, token_a);
  if (!reg.ok) throw new Error(`registration: ${reg.message}`);
  await cpo.idle();
  const evses = [...cpo.sim.locations.values()].reduce((n, l) => n + (l.evses?.length ?? 0), 0);
  await until('the pushed network', async () => {
    const r = await t.db
      .selectFrom('evses')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    return Number(r?.n) >= evses;
  });
  const partner = await app.inject({ method: 'GET', url: '/api/v1/admin/partners', headers: admin });
  const partnerId = (partner.json() as { partners: { id: string }[] }).partners[0]!.id;

  const http = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'manual',
    });

  return {
    t,
    app,
    url,
    roaming,
    charging,
    payments,
    payone,
    cpo,
    partnerId,
    http,
    async close() {
      await cpo.close();
      await charging.worker.stop();
      await payments.worker.stop();
      await app.close();
      await mail.close();
      await payone.close();
      await t.close();
    },
  };
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await fn().catch((e) => {
      last = e;
      return null;
    });
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An AVAILABLE EVSE of the simulator (with its first connector) that Lataus knows. */
export function availableEvse(h: Harness, skip: string[] = []): { evse_id: string; connector_id: string; uid: string } {
  for (const loc of h.cpo.sim.locations.values()) {
    for (const e of loc.evses ?? []) {
      if (e.status === 'AVAILABLE' && e.evse_id && !skip.includes(e.evse_id))
        return { evse_id: e.evse_id, connector_id: e.connectors[0]!.id, uid: e.uid };
    }
  }
  throw new Error('no available EVSE');
}

export const newKey = () => randomUUID();

/** A JSON body as the tests read it. */
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the assertions themselves
export type Json = any;
export const json = async (r: Response): Promise<Json> => r.json();

export interface ChargeBody {
  id: string;
  status: string;
  failure_reason: string | null;
  kwh: string;
  final: { excl_vat: string; incl_vat: string; currency: string } | null;
  payment: { state: string; held_minor: number; captured_minor: number } | null;
  receipt_url: string | null;
  pay_again_url: string | null;
  cost_so_far: { incl_vat: string; currency: string; at_least: boolean } | null;
  [k: string]: unknown;
}

export async function getCharge(h: Harness, id: string, token: string | null, headers: Record<string, string> = {}) {
  const r = await h.http(
    'GET',
    `/api/v1/charges/${id}${token ? `?t=${encodeURIComponent(token)}` : ''}`,
    undefined,
    headers,
  );
  if (r.status !== 200) throw new Error(`GET charge ${r.status}: ${await r.text()}`);
  return (await r.json()) as ChargeBody;
}

export async function waitStatus(
  h: Harness,
  id: string,
  token: string | null,
  statuses: string[],
  ms = 20_000,
  headers: Record<string, string> = {},
): Promise<ChargeBody> {
  return until(
    `charge ${id} in ${statuses.join('/')}`,
    async () => {
      const c = await getCharge(h, id, token, headers);
      return statuses.includes(c.status) ? c : null;
    },
    ms,
  );
}

/** Pushes our tokens to the CPO now (the OCPI workers are off in tests). */
export async function pushTokens(h: Harness): Promise<void> {
  while ((await runTokenPushes(h.roaming)) > 0) {}
}

export { freePort };

/** One real ad-hoc charge over HTTP: started, charging for a second, stopped, PAID. Its id and access token. */
export async function paidCharge(h: Harness, email: string): Promise<{ charge_id: string; access_token: string }> {
  const evse = availableEvse(h);
  const start = await json(
    await h.http('POST', '/api/v1/charges', {
      evse_id: evse.evse_id,
      connector_id: evse.connector_id,
      idempotency_key: newKey(),
      email,
      card: CARDS.visa,
    }),
  );
  if (!start.charge_id) throw new Error(`charge not started: ${JSON.stringify(start)}`);
  await waitStatus(h, start.charge_id, start.access_token, ['CHARGING']);
  await new Promise((r) => setTimeout(r, 1000));
  await h.http('POST', `/api/v1/charges/${start.charge_id}/stop?t=${start.access_token}`);
  await waitStatus(h, start.charge_id, start.access_token, ['PAID']);
  return { charge_id: start.charge_id, access_token: start.access_token };
}

/** One real ad-hoc charge from start to PAID: its charge row and its CDR are templates for copies. */
export async function paidTemplateCharge(
  h: Harness,
  email: string,
): Promise<{ template: Record<string, unknown>; cdr: Cdr }> {
  const start = await paidCharge(h, email);
  const template = (
    await sql<Record<string, unknown>>`select * from charges where id = ${start.charge_id}`.execute(h.t.db)
  ).rows[0]!;
  const cdr = (
    await sql<{ object: Cdr }>`select object from ocpi_cdrs where session_id = ${template.ocpi_session_id}`.execute(
      h.t.db,
    )
  ).rows[0]!.object;
  return { template, cdr };
}

/**
 * Copies of a template charge in CHARGING, each with its own hold (a real preauthorization's payment id), OCPI
 * session id and token, as if started and running; inserted directly, 200 per statement.
 */
export async function insertChargingCopies(
  h: Harness,
  template: Record<string, unknown>,
  copies: Array<{ id: string; ref: string; paymentId: string; tokenUid: string; sessionId: string; updatedAt?: Date }>,
): Promise<void> {
  const rows = copies.map((c) => ({
    ...template,
    id: c.id,
    idempotency_key: `copy-${c.id}`,
    authorization_reference: c.ref,
    token_uid: c.tokenUid,
    payment_id: c.paymentId,
    status: 'CHARGING',
    ocpi_session_id: c.sessionId,
    cdr_id: null,
    cpo_price: null,
    driver_price: null,
    amount_minor: null,
    invoice_number: null,
    receipt_mail: null,
    paid_at: null,
    status_history: JSON.stringify([]),
    offer: JSON.stringify(template.offer),
    session: null,
    card: JSON.stringify(template.card),
    flags: [],
    updated_at: c.updatedAt ?? new Date(),
  }));
  for (let i = 0; i < rows.length; i += 200)
    await h.t.db
      .insertInto('charges' as never)
      .values(rows.slice(i, i + 200) as never)
      .execute();
}
