// Configuration from environment variables, validated once at start and frozen.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** `demo` seeds the generated demo network on first start; `none` starts empty. */
  SEED: z.enum(['demo', 'none']).default('demo'),
  DEMO_LOCATIONS: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  DEMO_SEED: z.coerce.number().int().default(42),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_WINDOW: z.string().default('1 minute'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  MAP_STYLE_URL: z.string().url().optional(),
  ADMIN_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  STATIC_ROOT: z.string().default('./dist-web'),
  BUILD_WEB: bool.default(true),
  TRUST_PROXY: bool.default(false),
  /** The address drivers and partners reach this deployment at (links in mails, OCPI and PAYONE callbacks). */
  PUBLIC_URL: z.string().url().optional(),
  // PAYONE Server API, named as PAYONE names them. The defaults point at the bundled simulator (npm run sim:payone).
  PAYONE_API_URL: z
    .string()
    .url()
    .regex(/^https?:\/\//i, 'must be an http(s) URL')
    .default('http://127.0.0.1:4100/post-gateway/'),
  PAYONE_MID: z.string().regex(/^\d+$/, 'must be digits').default('10000'),
  PAYONE_PORTAL_ID: z.string().regex(/^\d+$/, 'must be digits').default('2000000'),
  PAYONE_AID: z.string().regex(/^\d+$/, 'must be digits').default('10001'),
  PAYONE_KEY: z.string().min(1).default('lataus-sim-portal-key'),
  PAYONE_MODE: z.enum(['test', 'live']).default('test'),
  /** How the request `key` is formed from the portal key: md5, or sha384 ("sha2-384"), per the PAYONE digest. */
  PAYONE_HASH: z.enum(['md5', 'sha2-384']).default('md5'),
  /** Optional comma-separated IPv4 CIDRs allowed to send TransactionStatus notifications. */
  PAYONE_NOTIFY_IPS: z.string().optional(),
  /** SMTP server for mail (smtp:// or smtps:// URL). Without it, mails land in the local outbox (back office). */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Lataus <no-reply@lataus.localhost>'),
  /** Signs session cookies; at least 32 characters. Required in production. */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // The seller on receipts and invoices.
  SELLER_NAME: z.string().min(1).default('Lataus Demo eMSP GmbH'),
  SELLER_ADDRESS: z.string().min(1).default('Musterstraße 1, 10115 Berlin, Germany'),
  SELLER_VAT_ID: z.string().min(1).default('DE000000000'),
  // Charging (docs/charging.md): the eMSP's markup on the CPO's price and the card hold before a start.
  /** Percentage added to the CPO's price (excl. VAT), e.g. "10" for 10 %; "0" for none. */
  ADHOC_MARKUP_PERCENT: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,4})?$/, 'a decimal percentage such as 10 or 7.5')
    .default('10'),
  /** Fee per session excl. VAT in the tariff's currency (major units), e.g. "0.50"; "0" for none. */
  ADHOC_MARKUP_FEE: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,4})?$/, 'a decimal amount such as 0.50')
    .default('0.50'),
  /** VAT rate (percent) on the markup. */
  ADHOC_MARKUP_VAT: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?$/, 'a decimal percentage such as 19')
    .default('19'),
  /** Smallest amount held on the card before a start (major units); the hold is at least the estimate. */
  ADHOC_HOLD_MIN: z
    .string()
    .regex(/^\d{1,5}(\.\d{1,2})?$/, 'a decimal amount such as 50')
    .default('50'),
  /** A live charge is stopped when its cost so far reaches this percentage of the hold, so the capture fits. */
  CHARGE_HOLD_STOP_PERCENT: z.coerce.number().int().min(50).max(100).default(90),
  /** After a session ended, how long to wait for its CDR before the charge is flagged for the back office. */
  CDR_WAIT_MINUTES: z.coerce.number().positive().max(100_000).default(60),
  /** A charge waiting for 3-D Secure this long is given up (nothing was reserved). */
  CHARGE_REDIRECT_TIMEOUT_MINUTES: z.coerce.number().positive().max(1440).default(15),
  /** A START_SESSION without a session after this long fails and the hold is released. */
  CHARGE_START_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  /** The hosted card page (PAYONE's in production); default: /hosted/card at PAYONE_API_URL's origin (simulator). */
  PAYONE_CARD_PAGE_URL: z.string().url().optional(),
  INVOICE_NUMBER_PREFIX: z
    .string()
    .regex(/^[A-Z0-9-]{0,12}$/, 'up to 12 of A-Z, 0-9 and -')
    .default('LAT-'),
});

export type Config = Readonly<z.infer<typeof schema>> & {
  /** True when ADMIN_TOKEN was not set and a development token is in use. */
  readonly adminTokenIsDefault: boolean;
  readonly adminToken: string;
  readonly sessionSecret: string;
};

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  if (c.NODE_ENV === 'production') {
    const missing = (['ADMIN_TOKEN', 'SESSION_SECRET'] as const).filter((k) => !c[k]);
    if (missing.length)
      throw new ConfigError(
        `Invalid configuration:\n${missing.map((k) => `  ${k}: required when NODE_ENV=production`).join('\n')}`,
      );
  }
  return Object.freeze({
    ...c,
    DATA_DIR: path.resolve(c.DATA_DIR),
    STATIC_ROOT: path.resolve(c.STATIC_ROOT),
    adminToken: c.ADMIN_TOKEN ?? 'lataus-dev-admin',
    adminTokenIsDefault: !c.ADMIN_TOKEN,
    sessionSecret: c.SESSION_SECRET ?? 'lataus-development-session-secret-do-not-use',
  });
}
