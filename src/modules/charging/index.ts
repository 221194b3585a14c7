// Charging: a driver's charge at one EVSE connector — price before the start (CPO tariff + markup), card hold,
// START/STOP over OCPI, live session, CDR priced twice, capture of exactly the receipt's total, receipt by mail.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { InvoicingModule } from '../invoicing/index.ts';
import type { Mailer } from '../mail/index.ts';
import type { createStoredCardsService, PaymentsService } from '../payments/index.ts';
import type { RoamingContext } from '../roaming/index.ts';
import { chargingRoutes } from './charging.routes.ts';
import { type ChargingService, type ChargingSettings, createChargingService, type Driver } from './charging.service.ts';

export { chargingRoutes } from './charging.routes.ts';
export {
  type CardInput,
  type ChargingService,
  type ChargingSettings,
  createChargingService,
  type StartInput,
  type StartResult,
} from './charging.service.ts';
export type { Offer } from './core/offer.ts';
export {
  driverFinalPrice,
  driverSummary,
  holdAmount,
  type MarkupConfig,
  markUpAmount,
  markUpTag,
} from './core/pricing.ts';
export {
  CHARGE_STATUSES,
  type ChargeEvent,
  type ChargeStatus,
  FAILURE_REASONS,
  STATUS_TEXT,
  transition,
} from './core/status.ts';
export type { ChargeView } from './core/view.ts';

type ChargingConfig = Pick<
  Config,
  | 'ADHOC_MARKUP_PERCENT'
  | 'ADHOC_MARKUP_FEE'
  | 'ADHOC_MARKUP_VAT'
  | 'ADHOC_HOLD_MIN'
  | 'CHARGE_HOLD_STOP_PERCENT'
  | 'CDR_WAIT_MINUTES'
  | 'CHARGE_REDIRECT_TIMEOUT_MINUTES'
  | 'CHARGE_START_TIMEOUT_SECONDS'
  | 'PAYONE_CARD_PAGE_URL'
  | 'PAYONE_API_URL'
  | 'PUBLIC_URL'
  | 'PORT'
  | 'NODE_ENV'
  | 'adminToken'
  | 'sessionSecret'
>;

/** Charging settings from configuration; `publicUrl` defaults to the roaming module's (PUBLIC_URL or localhost). */
export function chargingSettingsFromConfig(config: ChargingConfig, publicUrl: () => string): ChargingSettings {
  return {
    publicUrl,
    markup: { percent: config.ADHOC_MARKUP_PERCENT, fee: config.ADHOC_MARKUP_FEE, vat: config.ADHOC_MARKUP_VAT },
    holdMin: config.ADHOC_HOLD_MIN,
    holdStopPercent: config.CHARGE_HOLD_STOP_PERCENT,
    cdrWaitMs: config.CDR_WAIT_MINUTES * 60_000,
    redirectTimeoutMs: config.CHARGE_REDIRECT_TIMEOUT_MINUTES * 60_000,
    startTimeoutMs: config.CHARGE_START_TIMEOUT_SECONDS * 1000,
    cardPageUrl: config.PAYONE_CARD_PAGE_URL ?? new URL('/hosted/card', config.PAYONE_API_URL).toString(),
    secret: config.sessionSecret,
  };
}

export interface ChargingModuleOptions {
  db: Kysely<Database>;
  config: ChargingConfig;
  roaming: RoamingContext;
  payments: { service: PaymentsService; cards: ReturnType<typeof createStoredCardsService> };
  invoicing: InvoicingModule;
  mailer: Mailer;
  identity: {
    requireDriver: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
    driverOf: (req: FastifyRequest) => Driver;
  };
  /** Overrides (tests): settings, the sweep interval. */
  settings?: Partial<ChargingSettings>;
  pollMs?: number;
  clock?: () => Date;
  log?: { error: (obj: object, msg: string) => void };
}

/** Sweeps open charges every `pollMs`: the durable path behind the roaming hooks and the page's polls. */
export class ChargingWorker {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly service: ChargingService,
    private readonly pollMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.busy = this.busy.then(() => this.service.sweep().catch(this.onError));
    }, this.pollMs);
    this.timer.unref();
  }
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
    await this.service.idle();
  }
}

/** Wires the module: service, routes (under /api/v1), roaming hooks and the sweep worker. */
export function createChargingModule(opts: ChargingModuleOptions) {
  const settings = {
    ...chargingSettingsFromConfig(opts.config, () => opts.roaming.settings.publicUrl),
    ...opts.settings,
  };
  const service = createChargingService({
    db: opts.db,
    roaming: opts.roaming,
    payments: opts.payments.service,
    cards: opts.payments.cards,
    invoicing: opts.invoicing,
    mailer: opts.mailer,
    settings,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  opts.roaming.hooks = { ...opts.roaming.hooks, ...service.hooks };
  const worker = new ChargingWorker(service, opts.pollMs ?? 1000, (e) =>
    opts.log?.error({ err: e }, 'charging sweep failed'),
  );
  const dev = opts.config.NODE_ENV !== 'production';
  const routes = chargingRoutes({
    service,
    cards: opts.payments.cards,
    adminToken: opts.config.adminToken,
    requireDriver: opts.identity.requireDriver,
    driverOf: opts.identity.driverOf,
    publicUrl: settings.publicUrl,
    // In development the web app may run on Vite's own port.
    allowedReturnOrigins: () => (dev ? ['http://localhost:5173', 'http://127.0.0.1:5173'] : []),
  });
  return { service, routes, worker, settings };
}
export type ChargingModule = ReturnType<typeof createChargingModule>;
