// OCPI 2.2.1 objects this module owns as zod schemas: Session, CDR, Token (ours), Credentials, version
// information, LocationReferences, commands. Objects are loose (unknown fields are kept and round-trip, as
// OCPI asks receivers to ignore them); required fields, types and enums are checked with JSON paths.
import { z } from 'zod';
import { ciString, DateTimeSchema, opt, text, type ValidationIssue } from '../../../ocpi/core/primitives.ts';
import { ConnectorTypeSchema } from '../../network/index.ts';
import { parseTariff } from '../../tariffs/index.ts';

export type { ValidationIssue };
export { DateTimeSchema };

export const CountryCodeSchema = z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code');
export const PartyIdSchema = z.string().regex(/^[A-Za-z0-9]{3}$/, 'must be a 3-character party id');
const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code');

export const TokenTypeSchema = z.enum(['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']);
export type TokenType = z.infer<typeof TokenTypeSchema>;
export const WhitelistTypeSchema = z.enum(['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER']);
export const AuthMethodSchema = z.enum(['AUTH_REQUEST', 'COMMAND', 'WHITELIST']);
export const SessionStatusSchema = z.enum(['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION']);
export const ProfileTypeSchema = z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']);
export const RoleSchema = z.enum(['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP']);
export const CdrDimensionTypeSchema = z.enum([
  'CURRENT',
  'ENERGY',
  'ENERGY_EXPORT',
  'ENERGY_IMPORT',
  'MAX_CURRENT',
  'MIN_CURRENT',
  'MAX_POWER',
  'MIN_POWER',
  'PARKING_TIME',
  'POWER',
  'RESERVATION_TIME',
  'STATE_OF_CHARGE',
  'TIME',
]);

const DisplayTextSchema = z.looseObject({ language: z.string().length(2), text: text(512) });
const PriceSchema = z.looseObject({ excl_vat: z.number().finite(), incl_vat: opt(z.number().finite()) });
const GeoLocationSchema = z.looseObject({
  latitude: z.string().regex(/^-?[0-9]{1,2}\.[0-9]{5,7}$/, 'must match -?[0-9]{1,2}\\.[0-9]{5,7}'),
  longitude: z.string().regex(/^-?[0-9]{1,3}\.[0-9]{5,7}$/, 'must match -?[0-9]{1,3}\\.[0-9]{5,7}'),
});

export const CdrTokenSchema = z.looseObject({
  country_code: CountryCodeSchema,
  party_id: PartyIdSchema,
  uid: ciString(36),
  type: TokenTypeSchema,
  contract_id: ciString(36),
});

export const ChargingPeriodSchema = z.looseObject({
  start_date_time: DateTimeSchema,
  dimensions: z
    .array(z.looseObject({ type: CdrDimensionTypeSchema, volume: z.number().finite() }))
    .min(1, 'a charging period has at least one dimension'),
  tariff_id: opt(ciString(36)),
});

// ---------------------------------------------------------------------------------------------- Session (§6.1)

const sessionShape = {
  country_code: CountryCodeSchema,
  party_id: PartyIdSchema,
  id: ciString(36),
  start_date_time: DateTimeSchema,
  end_date_time: opt(DateTimeSchema),
  kwh: z.number().finite(),
  cdr_token: CdrTokenSchema,
  auth_method: AuthMethodSchema,
  authorization_reference: opt(ciString(36)),
  location_id: ciString(36),
  evse_uid: ciString(36),
  connector_id: ciString(36),
  meter_id: opt(text(255)),
  currency: CurrencySchema,
  charging_periods: opt(z.array(ChargingPeriodSchema)),
  total_cost: opt(PriceSchema),
  status: SessionStatusSchema,
  last_updated: DateTimeSchema,
};
export const SessionSchema = z.looseObject(sessionShape);
export type Session = z.infer<typeof SessionSchema>;
export const SessionPatchSchema = z.looseObject(sessionShape).partial().required({ last_updated: true });
export type SessionPatch = z.infer<typeof SessionPatchSchema>;

// ---------------------------------------------------------------------------------------------- CDR (§7.1)

export const CdrLocationSchema = z.looseObject({
  id: ciString(36),
  name: opt(text(255)),
  address: text(255),
  city: text(45),
  postal_code: opt(text(10)),
  state: opt(text(45)),
  country: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 country code'),
  coordinates: GeoLocationSchema,
  evse_uid: ciString(36),
  evse_id: ciString(48),
  connector_id: ciString(36),
  connector_standard: z.union([ConnectorTypeSchema, z.literal('#NA')]),
  connector_format: z.enum(['SOCKET', 'CABLE', '#NA']),
  connector_power_type: z.enum(['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC', '#NA']),
});

export const CdrSchema = z
  .looseObject({
    country_code: CountryCodeSchema,
    party_id: PartyIdSchema,
    id: ciString(39),
    start_date_time: DateTimeSchema,
    end_date_time: DateTimeSchema,
    session_id: opt(ciString(36)),
    cdr_token: CdrTokenSchema,
    auth_method: AuthMethodSchema,
    authorization_reference: opt(ciString(36)),
    cdr_location: CdrLocationSchema,
    meter_id: opt(text(255)),
    currency: CurrencySchema,
    tariffs: opt(z.array(z.unknown())),
    charging_periods: z.array(ChargingPeriodSchema).min(1, 'a CDR has at least one charging period'),
    signed_data: opt(z.looseObject({ encoding_method: ciString(36), signed_values: z.array(z.unknown()).min(1) })),
    total_cost: PriceSchema,
    total_fixed_cost: opt(PriceSchema),
    total_energy: z.number().finite(),
    total_energy_cost: opt(PriceSchema),
    total_time: z.number().finite(),
    total_time_cost: opt(PriceSchema),
    total_parking_time: opt(z.number().finite()),
    total_parking_cost: opt(PriceSchema),
    total_reservation_cost: opt(PriceSchema),
    remark: opt(text(255)),
    invoice_reference_id: opt(ciString(39)),
    credit: opt(z.boolean()),
    credit_reference_id: opt(ciString(39)),
    home_charging_compensation: opt(z.boolean()),
    last_updated: DateTimeSchema,
  })
  .superRefine((c, ctx) => {
    if (c.credit && !c.credit_reference_id)
      ctx.addIssue({ code: 'custom', path: ['credit_reference_id'], message: 'required for a credit CDR' });
    if (!c.credit && c.id.length > 36)
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'at most 36 characters (39 only for credit CDRs)' });
  });
export type Cdr = z.infer<typeof CdrSchema>;

// ---------------------------------------------------------------------------------------------- Token (§8.1)

export const TokenSchema = z.looseObject({
  country_code: CountryCodeSchema,
  party_id: PartyIdSchema,
  uid: ciString(36),
  type: TokenTypeSchema,
  contract_id: ciString(36),
  visual_number: opt(text(64)),
  issuer: text(64).min(1),
  group_id: opt(ciString(36)),
  valid: z.boolean(),
  whitelist: WhitelistTypeSchema,
  language: opt(z.string().length(2)),
  default_profile_type: opt(ProfileTypeSchema),
  energy_contract: opt(z.looseObject({ supplier_name: text(64), contract_id: opt(text(64)) })),
  last_updated: DateTimeSchema,
});
export type Token = z.infer<typeof TokenSchema>;

export const LocationReferencesSchema = z.looseObject({
  location_id: ciString(36),
  evse_uids: opt(z.array(ciString(36))),
});
export type LocationReferences = z.infer<typeof LocationReferencesSchema>;

// ---------------------------------------------------------------------------------------------- credentials, versions

export const BusinessDetailsSchema = z.looseObject({
  name: text(100).min(1),
  website: opt(text(255)),
  logo: opt(z.looseObject({ url: text(255) })),
});

export const CredentialsRoleSchema = z.looseObject({
  role: RoleSchema,
  business_details: BusinessDetailsSchema,
  party_id: PartyIdSchema,
  country_code: CountryCodeSchema,
});
export type CredentialsRole = z.infer<typeof CredentialsRoleSchema>;

export const CredentialsSchema = z.looseObject({
  token: z.string().regex(/^[\x21-\x7E]{1,64}$/, 'printable non-whitespace ASCII, at most 64 characters'),
  url: z.string().url('must be an absolute URL').max(255),
  roles: z.array(CredentialsRoleSchema).min(1, 'at least one role is required'),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

export const VersionSchema = z.looseObject({ version: z.string().min(1), url: z.string().url() });
export const VersionListSchema = z.array(VersionSchema);
export const EndpointSchema = z.looseObject({
  identifier: z.string().min(1),
  role: z.enum(['SENDER', 'RECEIVER']),
  url: z.string().url(),
});
export type Endpoint = z.infer<typeof EndpointSchema>;
export const VersionDetailsSchema = z.looseObject({ version: z.string().min(1), endpoints: z.array(EndpointSchema) });
export type VersionDetails = z.infer<typeof VersionDetailsSchema>;

// ---------------------------------------------------------------------------------------------- commands (§9)

export const CommandTypeSchema = z.enum([
  'CANCEL_RESERVATION',
  'RESERVE_NOW',
  'START_SESSION',
  'STOP_SESSION',
  'UNLOCK_CONNECTOR',
]);
export type CommandType = z.infer<typeof CommandTypeSchema>;
export const CommandResponseSchema = z.looseObject({
  result: z.enum(['NOT_SUPPORTED', 'REJECTED', 'ACCEPTED', 'UNKNOWN_SESSION']),
  timeout: z.number().int().nonnegative(),
  message: opt(z.array(DisplayTextSchema)),
});
export type CommandResponse = z.infer<typeof CommandResponseSchema>;
export const CommandResultSchema = z.looseObject({
  result: z.enum([
    'ACCEPTED',
    'CANCELED_RESERVATION',
    'EVSE_OCCUPIED',
    'EVSE_INOPERATIVE',
    'FAILED',
    'NOT_SUPPORTED',
    'REJECTED',
    'TIMEOUT',
    'UNKNOWN_RESERVATION',
  ]),
  message: opt(z.array(DisplayTextSchema)),
});
export type CommandResult = z.infer<typeof CommandResultSchema>;

// ---------------------------------------------------------------------------------------------- parsing

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out;
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'invalid_value' && issue.values.length > 0)
      return { path, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    if (issue.code === 'invalid_type' && issue.input === undefined)
      return { path, message: 'required field is missing' };
    return { path, message: issue.message };
  });
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

export function parseWith<T>(schema: z.ZodType<T>, json: unknown): Parsed<T> {
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: toIssues(r.error) };
}

export const parseSession = (json: unknown) => parseWith(SessionSchema, json);
export const parseSessionPatch = (json: unknown) => parseWith(SessionPatchSchema, json);
export const parseToken = (json: unknown) => parseWith(TokenSchema, json);
export const parseCredentials = (json: unknown) => parseWith(CredentialsSchema, json);

/** A full CDR; embedded tariffs are validated with the tariff engine's schema. */
export function parseCdr(json: unknown): Parsed<Cdr> {
  const r = parseWith(CdrSchema, json);
  if (!r.ok) return r;
  const errors: ValidationIssue[] = [];
  (r.value.tariffs ?? []).forEach((t, i) => {
    const p = parseTariff(t, { mode: 'pricing' });
    if (!p.ok)
      for (const e of p.errors) errors.push({ path: `tariffs[${i}]${e.path ? `.${e.path}` : ''}`, message: e.message });
  });
  return errors.length ? { ok: false, errors } : r;
}
