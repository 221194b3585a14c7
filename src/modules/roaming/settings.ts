// Roaming settings: our own OCPI identity and knobs, read from the environment beside the platform config.
// (OCPI_* variables; PUBLIC_URL and PORT come from the platform config.)
import { z } from 'zod';

const schema = z.object({
  OCPI_COUNTRY_CODE: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .default('DE')
    .transform((s) => s.toUpperCase()),
  OCPI_PARTY_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{3}$/)
    .default('LAT')
    .transform((s) => s.toUpperCase()),
  OCPI_BUSINESS_NAME: z.string().min(1).max(100).default('Lataus'),
  OCPI_BUSINESS_WEBSITE: z.string().url().optional(),
  /** X-Limit of our Sender endpoints (tokens). */
  OCPI_PAGE_LIMIT: z.coerce.number().int().min(1).max(1000).default(100),
  /** Largest CDR cost difference (per field, excl. and incl. VAT, in currency units) that is not disputed. */
  OCPI_AUDIT_TOLERANCE: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .default('0.01'),
  OCPI_SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).default(60),
  OCPI_WORKERS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  OCPI_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
});

export interface RoamingSettings {
  publicUrl: string;
  countryCode: string;
  partyId: string;
  businessName: string;
  businessWebsite?: string | undefined;
  pageLimit: number;
  auditTolerance: string;
  syncIntervalMinutes: number;
  workers: boolean;
  httpTimeoutMs: number;
}

export function roamingSettingsFromEnv(
  base: { PUBLIC_URL?: string | undefined; PORT: number },
  env: NodeJS.ProcessEnv = process.env,
): RoamingSettings {
  const r = schema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid OCPI configuration:\n${lines.join('\n')}`);
  }
  const c = r.data;
  return {
    publicUrl: (base.PUBLIC_URL ?? `http://localhost:${base.PORT}`).replace(/\/+$/, ''),
    countryCode: c.OCPI_COUNTRY_CODE,
    partyId: c.OCPI_PARTY_ID,
    businessName: c.OCPI_BUSINESS_NAME,
    businessWebsite: c.OCPI_BUSINESS_WEBSITE,
    pageLimit: c.OCPI_PAGE_LIMIT,
    auditTolerance: c.OCPI_AUDIT_TOLERANCE,
    syncIntervalMinutes: c.OCPI_SYNC_INTERVAL_MINUTES,
    workers: c.OCPI_WORKERS,
    httpTimeoutMs: c.OCPI_HTTP_TIMEOUT_MS,
  };
}

export const OCPI_VERSION = '2.2.1';

/** Our URLs, all derived from PUBLIC_URL. */
export const ourUrls = (s: RoamingSettings) => ({
  versions: `${s.publicUrl}/ocpi/versions`,
  details: `${s.publicUrl}/ocpi/${OCPI_VERSION}`,
  module: (m: string) => `${s.publicUrl}/ocpi/${OCPI_VERSION}/${m}`,
});

/** The modules we offer and our role in each (published in our version details). */
export const OUR_ENDPOINTS = [
  { identifier: 'credentials', role: 'SENDER' },
  { identifier: 'locations', role: 'RECEIVER' },
  { identifier: 'tariffs', role: 'RECEIVER' },
  { identifier: 'sessions', role: 'RECEIVER' },
  { identifier: 'cdrs', role: 'RECEIVER' },
  { identifier: 'tokens', role: 'SENDER' },
  { identifier: 'commands', role: 'SENDER' },
] as const;
