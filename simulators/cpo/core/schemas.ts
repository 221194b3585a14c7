// Schemas of what the simulated CPO receives: tokens pushed by the eMSP, commands, credentials, version
// information and real-time authorization answers. Unknown fields are accepted (forward compatibility).
import { z } from 'zod';
import { parseOcpiDateTime } from './ocpi.ts';

const ci = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x20-\x7E]*$/, 'only printable ASCII');
const dateTime = z.string().refine((s) => !Number.isNaN(parseOcpiDateTime(s)), 'must be an OCPI DateTime');
const displayText = z.looseObject({ language: z.string().max(2), text: z.string().max(512) });

export const TokenTypeSchema = z.enum(['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']);
export type TokenType = z.infer<typeof TokenTypeSchema>;
export const WhitelistTypeSchema = z.enum(['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER']);
export const ProfileTypeSchema = z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']);

const tokenShape = {
  country_code: ci(2),
  party_id: ci(3),
  uid: ci(36),
  type: TokenTypeSchema,
  contract_id: ci(36),
  visual_number: z.string().max(64).nullish(),
  issuer: z.string().max(64),
  group_id: ci(36).nullish(),
  valid: z.boolean(),
  whitelist: WhitelistTypeSchema,
  language: z.string().max(2).nullish(),
  default_profile_type: ProfileTypeSchema.nullish(),
  energy_contract: z
    .looseObject({ supplier_name: z.string().max(64), contract_id: z.string().max(64).nullish() })
    .nullish(),
  last_updated: dateTime,
};
export const TokenSchema = z.looseObject(tokenShape);
export type Token = z.infer<typeof TokenSchema>;
export const TokenPatchSchema = z.looseObject(tokenShape).partial().required({ last_updated: true });

const responseUrl = z.url({ protocol: /^https?$/ }).max(255);

export const StartSessionSchema = z.looseObject({
  response_url: responseUrl,
  token: TokenSchema,
  location_id: ci(36),
  evse_uid: ci(36).nullish(),
  connector_id: ci(36).nullish(),
  authorization_reference: ci(36).nullish(),
  /** Simulator extension (not OCPI): the car. */
  sim_vehicle: z
    .looseObject({
      battery_kwh: z.number().positive().optional(),
      start_soc: z.number().min(0).max(100).optional(),
      target_soc: z.number().min(0).max(100).optional(),
      max_kw: z.number().positive().optional(),
    })
    .optional(),
});
export type StartSession = z.infer<typeof StartSessionSchema>;

export const StopSessionSchema = z.looseObject({ response_url: responseUrl, session_id: ci(36) });
export const ReserveNowSchema = z.looseObject({
  response_url: responseUrl,
  token: TokenSchema,
  expiry_date: dateTime,
  reservation_id: ci(36),
  location_id: ci(36),
  evse_uid: ci(36).nullish(),
  authorization_reference: ci(36).nullish(),
});
export type ReserveNow = z.infer<typeof ReserveNowSchema>;
export const CancelReservationSchema = z.looseObject({ response_url: responseUrl, reservation_id: ci(36) });
export const UnlockConnectorSchema = z.looseObject({
  response_url: responseUrl,
  location_id: ci(36),
  evse_uid: ci(36),
  connector_id: ci(36),
});

export const CommandTypeSchema = z.enum([
  'CANCEL_RESERVATION',
  'RESERVE_NOW',
  'START_SESSION',
  'STOP_SESSION',
  'UNLOCK_CONNECTOR',
]);
export type CommandType = z.infer<typeof CommandTypeSchema>;

export const RoleSchema = z.enum(['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP']);
export const CredentialsRoleSchema = z.looseObject({
  role: RoleSchema,
  business_details: z.looseObject({ name: z.string().max(100) }),
  party_id: ci(3),
  country_code: ci(2),
});
export const CredentialsSchema = z.looseObject({
  token: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\x21-\x7E]+$/, 'printable non-whitespace ASCII'),
  url: z.url().max(255),
  roles: z.array(CredentialsRoleSchema).min(1),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

export const VersionsSchema = z.array(z.looseObject({ version: z.string(), url: z.string() }));
export const EndpointSchema = z.looseObject({
  identifier: z.string(),
  role: z.string(),
  url: z.string(),
});
export type Endpoint = z.infer<typeof EndpointSchema>;
export const VersionDetailsSchema = z.looseObject({ version: z.string(), endpoints: z.array(EndpointSchema) });

export const AllowedTypeSchema = z.enum(['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED']);
export const AuthorizationInfoSchema = z.looseObject({
  allowed: AllowedTypeSchema,
  token: TokenSchema,
  location: z.looseObject({ location_id: z.string(), evse_uids: z.array(z.string()).nullish() }).nullish(),
  authorization_reference: ci(36).nullish(),
  info: displayText.nullish(),
});
export type AuthorizationInfo = z.infer<typeof AuthorizationInfoSchema>;

export const ChargingPreferencesSchema = z.looseObject({
  profile_type: ProfileTypeSchema,
  departure_time: dateTime.nullish(),
  energy_need: z.number().nullish(),
  discharge_allowed: z.boolean().nullish(),
});

/** `path: message` lines of a zod error. */
export function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
