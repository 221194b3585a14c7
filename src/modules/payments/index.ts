// Payments: one PAYONE card payment per charging session (later per invoice) — preauthorize, capture, refund —
// with a pure state machine, an outbox worker for PSP calls, TransactionStatus intake and an event log.
import type { Kysely } from 'kysely';
import { parseCidrs } from '../../payone/notification.ts';
import { PayoneProvider } from '../../payone/provider.ts';
import { Secret } from '../../payone/secret.ts';
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { PaymentProvider } from './core/provider.ts';
import { paymentsAdminRoutes, payoneNotificationRoutes } from './payments.routes.ts';
import { createPaymentsService, type PaymentsServiceOptions } from './payments.service.ts';
import { PaymentsWorker } from './payments.worker.ts';
import { createStoredCardsService } from './stored-cards.service.ts';

export { PAYMENT_STATES, type PaymentState } from './core/payment.ts';
export type { PaymentProvider } from './core/provider.ts';
export type {
  PaymentError,
  PaymentErrorCode,
  PaymentsService,
  PaymentView,
  PreauthorizeInput,
} from './payments.service.ts';
export { createPaymentsService } from './payments.service.ts';
export { PaymentsWorker } from './payments.worker.ts';
export { createStoredCardsService, type StoredCardView } from './stored-cards.service.ts';

type PayoneConfig = Pick<
  Config,
  | 'PAYONE_API_URL'
  | 'PAYONE_MID'
  | 'PAYONE_AID'
  | 'PAYONE_PORTAL_ID'
  | 'PAYONE_KEY'
  | 'PAYONE_MODE'
  | 'PAYONE_HASH'
  | 'PAYONE_NOTIFY_IPS'
  | 'PUBLIC_URL'
  | 'PORT'
  | 'adminToken'
>;

export function payoneProviderFromConfig(config: PayoneConfig, timeoutMs?: number): PayoneProvider {
  return new PayoneProvider(
    {
      mid: config.PAYONE_MID,
      aid: config.PAYONE_AID,
      portalId: config.PAYONE_PORTAL_ID,
      portalKey: new Secret(config.PAYONE_KEY),
      mode: config.PAYONE_MODE,
      hash: config.PAYONE_HASH,
      encoding: 'UTF-8',
      refundRequest: 'debit',
    },
    { url: config.PAYONE_API_URL, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}

export interface PaymentsModuleOptions {
  db: Kysely<Database>;
  config: PayoneConfig;
  provider?: PaymentProvider;
  service?: Partial<Omit<PaymentsServiceOptions, 'db' | 'provider'>>;
  worker?: { pollMs?: number; concurrency?: number };
  log?: { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

/** Wires the module: service, worker, admin routes (under /api/v1) and the notification route (at the root). */
export function createPaymentsModule(opts: PaymentsModuleOptions) {
  const provider = opts.provider ?? payoneProviderFromConfig(opts.config);
  const service = createPaymentsService({ db: opts.db, provider, ...opts.service });
  const worker = new PaymentsWorker({
    service,
    pollMs: opts.worker?.pollMs ?? 250,
    concurrency: opts.worker?.concurrency ?? 8,
    onError: (e) => opts.log?.error({ err: e }, 'payments worker error'),
  });
  const cards = createStoredCardsService(opts.db);
  const base = opts.config.PUBLIC_URL ?? `http://127.0.0.1:${opts.config.PORT}`;
  return {
    service,
    worker,
    cards,
    routes: paymentsAdminRoutes({ service, adminToken: opts.config.adminToken, defaultReturnBase: base }),
    rootRoutes: payoneNotificationRoutes({
      service,
      auth: {
        portalKey: new Secret(opts.config.PAYONE_KEY),
        portalId: opts.config.PAYONE_PORTAL_ID,
        aid: opts.config.PAYONE_AID,
        allowedCidrs: parseCidrs(opts.config.PAYONE_NOTIFY_IPS),
      },
      onStored: () => worker.wake(),
      log: (msg, extra) => opts.log?.warn(extra ?? {}, msg),
    }),
  };
}
