// OCPI 2.2.1 Location / EVSE / Connector (mod_locations) as zod schemas, with JSON-path errors.
//
// Unknown fields: OCPI asks receivers to ignore unknown fields (forward compatibility), so objects are *loose*:
// an unknown field is accepted and kept in the stored object, so it round-trips. A misspelled *required* field
// is still rejected, because the required one is then missing (e.g. `time-zone` → "time_zone: required field is
// missing"). Optional fields may be `null` (common in partner data; treated as absent by our code).
import { z } from 'zod';
import { ciString, DateTimeSchema, opt, text, type ValidationIssue } from '../../../ocpi/core/primitives.ts';

export type { ValidationIssue };

/** A short label that partners often send as a JSON number (e.g. `"physical_reference": 3`); kept as a string. */
const label = (max: number) => z.union([text(max), z.number().transform((n) => String(n))]).pipe(text(max));

export { DateTimeSchema };

const validZones = new Map<string, boolean>();
/** True when Intl knows the IANA time zone (memoised). */
export function isValidTimeZone(tz: string): boolean {
  let ok = validZones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    validZones.set(tz, ok);
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------- enums (§4.5)

export const EvseStatusSchema = z.enum([
  'AVAILABLE',
  'BLOCKED',
  'CHARGING',
  'INOPERATIVE',
  'OUTOFORDER',
  'PLANNED',
  'REMOVED',
  'RESERVED',
  'UNKNOWN',
]);
export type EvseStatus = z.infer<typeof EvseStatusSchema>;

export const CapabilitySchema = z.enum([
  'CHARGING_PROFILE_CAPABLE',
  'CHARGING_PREFERENCES_CAPABLE',
  'CHIP_CARD_SUPPORT',
  'CONTACTLESS_CARD_SUPPORT',
  'CREDIT_CARD_PAYABLE',
  'DEBIT_CARD_PAYABLE',
  'PED_TERMINAL',
  'REMOTE_START_STOP_CAPABLE',
  'RESERVABLE',
  'RFID_READER',
  'START_SESSION_CONNECTOR_REQUIRED',
  'TOKEN_GROUP_CAPABLE',
  'UNLOCK_CAPABLE',
]);
export type Capability = z.infer<typeof CapabilitySchema>;

export const CONNECTOR_TYPES = [
  'CHADEMO',
  'CHAOJI',
  'DOMESTIC_A',
  'DOMESTIC_B',
  'DOMESTIC_C',
  'DOMESTIC_D',
  'DOMESTIC_E',
  'DOMESTIC_F',
  'DOMESTIC_G',
  'DOMESTIC_H',
  'DOMESTIC_I',
  'DOMESTIC_J',
  'DOMESTIC_K',
  'DOMESTIC_L',
  'DOMESTIC_M',
  'DOMESTIC_N',
  'DOMESTIC_O',
  'GBT_AC',
  'GBT_DC',
  'IEC_60309_2_single_16',
  'IEC_60309_2_three_16',
  'IEC_60309_2_three_32',
  'IEC_60309_2_three_64',
  'IEC_62196_T1',
  'IEC_62196_T1_COMBO',
  'IEC_62196_T2',
  'IEC_62196_T2_COMBO',
  'IEC_62196_T3A',
  'IEC_62196_T3C',
  'NEMA_5_20',
  'NEMA_6_30',
  'NEMA_6_50',
  'NEMA_10_30',
  'NEMA_10_50',
  'NEMA_14_30',
  'NEMA_14_50',
  'PANTOGRAPH_BOTTOM_UP',
  'PANTOGRAPH_TOP_DOWN',
  'TESLA_R',
  'TESLA_S',
] as const;
export const ConnectorTypeSchema = z.enum(CONNECTOR_TYPES);
export type ConnectorType = z.infer<typeof ConnectorTypeSchema>;
export const ConnectorFormatSchema = z.enum(['SOCKET', 'CABLE']);
export const PowerTypeSchema = z.enum(['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC']);
export type PowerType = z.infer<typeof PowerTypeSchema>;
export const ParkingTypeSchema = z.enum([
  'ALONG_MOTORWAY',
  'PARKING_GARAGE',
  'PARKING_LOT',
  'ON_DRIVEWAY',
  'ON_STREET',
  'UNDERGROUND_GARAGE',
]);
export const ParkingRestrictionSchema = z.enum(['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES']);
export const FacilitySchema = z.enum([
  'HOTEL',
  'RESTAURANT',
  'CAFE',
  'MALL',
  'SUPERMARKET',
  'SPORT',
  'RECREATION_AREA',
  'NATURE',
  'MUSEUM',
  'BIKE_SHARING',
  'BUS_STOP',
  'TAXI_STAND',
  'TRAM_STOP',
  'METRO_STATION',
  'TRAIN_STATION',
  'AIRPORT',
  'PARKING_LOT',
  'CARPOOL_PARKING',
  'FUEL_STATION',
  'WIFI',
]);
export type Facility = z.infer<typeof FacilitySchema>;
export const ImageCategorySchema = z.enum(['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER']);
export const TokenTypeSchema = z.enum(['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']);

// ---------------------------------------------------------------------------------------------- classes (§3.6, §4.5)

export const DisplayTextSchema = z.looseObject({
  language: z.string().length(2, 'must be an ISO 639-1 language code (2 characters)'),
  text: text(512),
});
export type DisplayText = z.infer<typeof DisplayTextSchema>;

const LATITUDE = /^-?[0-9]{1,2}\.[0-9]{5,7}$/;
const LONGITUDE = /^-?[0-9]{1,3}\.[0-9]{5,7}$/;
// The spec says string(10)/string(11), but its own regex allows one more character ("-33.8688000"): the regex wins.
export const GeoLocationSchema = z.looseObject({
  latitude: z
    .string()
    .regex(LATITUDE, 'must match -?[0-9]{1,2}\\.[0-9]{5,7} (a string, e.g. "51.047599")')
    .refine((s) => Math.abs(Number(s)) <= 90, 'must be between -90 and 90'),
  longitude: z
    .string()
    .regex(LONGITUDE, 'must match -?[0-9]{1,3}\\.[0-9]{5,7} (a string, e.g. "3.729944")')
    .refine((s) => Math.abs(Number(s)) <= 180, 'must be between -180 and 180'),
});
export type GeoLocation = z.infer<typeof GeoLocationSchema>;

export const AdditionalGeoLocationSchema = z.looseObject({
  ...GeoLocationSchema.shape,
  name: opt(DisplayTextSchema),
});

export const ImageSchema = z.looseObject({
  url: text(255).min(1, 'must not be empty'),
  thumbnail: opt(text(255)),
  category: ImageCategorySchema,
  type: ciString(4),
  width: opt(z.number().int().nonnegative().max(99999)),
  height: opt(z.number().int().nonnegative().max(99999)),
});

export const BusinessDetailsSchema = z.looseObject({
  name: text(100).min(1, 'must not be empty'),
  website: opt(text(255)),
  logo: opt(ImageSchema),
});
export type BusinessDetails = z.infer<typeof BusinessDetailsSchema>;

const TIME_OF_DAY = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
/** period_end may also be "24:00" (end of day): seen in partner data and produced by our own importers. */
const END_TIME_OF_DAY = /^(([0-1][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

export const RegularHoursSchema = z.looseObject({
  weekday: z.number().int('must be an integer').min(1, 'must be 1 (Monday) … 7 (Sunday)').max(7, 'must be 1 … 7'),
  period_begin: z.string().regex(TIME_OF_DAY, 'must be a local time "HH:MM" (00:00-23:59)'),
  // A period_end not after period_begin is read as running past midnight into the next day (lenient; see
  // core/opening-hours.ts). The spec asks for a later time on the same day.
  period_end: z.string().regex(END_TIME_OF_DAY, 'must be a local time "HH:MM" (00:00-24:00)'),
});
export type RegularHours = z.infer<typeof RegularHoursSchema>;

export const ExceptionalPeriodSchema = z
  .looseObject({ period_begin: DateTimeSchema, period_end: DateTimeSchema })
  .refine((p) => Date.parse(utc(p.period_end)) > Date.parse(utc(p.period_begin)), {
    message: 'period_end must be after period_begin',
    path: ['period_end'],
  });
export type ExceptionalPeriod = z.infer<typeof ExceptionalPeriodSchema>;

/** OCPI DateTimes may omit the `Z`; they are UTC all the same. */
export function utc(dateTime: string): string {
  return dateTime.endsWith('Z') ? dateTime : `${dateTime}Z`;
}

export const HoursSchema = z
  .looseObject({
    twentyfourseven: z.boolean(),
    regular_hours: opt(z.array(RegularHoursSchema)),
    exceptional_openings: opt(z.array(ExceptionalPeriodSchema)),
    exceptional_closings: opt(z.array(ExceptionalPeriodSchema)),
  })
  .superRefine((h, ctx) => {
    if (!h.twentyfourseven && (h.regular_hours ?? []).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['regular_hours'],
        message: 'at least one period is required when twentyfourseven is false',
      });
    }
  });
export type Hours = z.infer<typeof HoursSchema>;

export const EnergyMixSchema = z.looseObject({
  is_green_energy: z.boolean(),
  energy_sources: opt(
    z.array(
      z.looseObject({
        source: z.enum(['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER']),
        percentage: z.number().min(0).max(100),
      }),
    ),
  ),
  environ_impact: opt(
    z.array(z.looseObject({ category: z.enum(['NUCLEAR_WASTE', 'CARBON_DIOXIDE']), amount: z.number().nonnegative() })),
  ),
  supplier_name: opt(text(64)),
  energy_product_name: opt(text(64)),
});

export const PublishTokenTypeSchema = z
  .looseObject({
    uid: opt(ciString(36)),
    type: opt(TokenTypeSchema),
    visual_number: opt(text(64)),
    issuer: opt(text(64)),
    group_id: opt(ciString(36)),
  })
  .superRefine((p, ctx) => {
    if (!p.uid && !p.visual_number && !p.group_id)
      ctx.addIssue({ code: 'custom', message: 'one of uid, visual_number or group_id is required' });
    if (p.uid && !p.type) ctx.addIssue({ code: 'custom', path: ['type'], message: 'required when uid is given' });
    if (p.visual_number && !p.issuer)
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'required when visual_number is given' });
  });

export const StatusScheduleSchema = z.looseObject({
  period_begin: DateTimeSchema,
  period_end: opt(DateTimeSchema),
  status: EvseStatusSchema,
});

// ---------------------------------------------------------------------------------------------- objects (§4.2-4.4)

const connectorShape = {
  id: ciString(36),
  standard: ConnectorTypeSchema,
  format: ConnectorFormatSchema,
  power_type: PowerTypeSchema,
  max_voltage: z.number().int('must be an integer (volts)').nonnegative('must not be negative'),
  max_amperage: z.number().int('must be an integer (amperes)').nonnegative('must not be negative'),
  max_electric_power: opt(z.number().int('must be an integer (watts)').nonnegative('must not be negative')),
  tariff_ids: opt(z.array(ciString(36))),
  terms_and_conditions: opt(text(255)),
  last_updated: DateTimeSchema,
};
export const ConnectorSchema = z.looseObject(connectorShape);
export type Connector = z.infer<typeof ConnectorSchema>;

const uniqueBy =
  <T>(key: (t: T) => string, field: string, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item).toUpperCase(); // CiString: case-insensitive
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i, field], message: `duplicate ${what} "${key(item)}"` });
      seen.add(k);
    });
  };

const evseShape = {
  uid: ciString(36),
  evse_id: opt(ciString(48)),
  status: EvseStatusSchema,
  status_schedule: opt(z.array(StatusScheduleSchema)),
  capabilities: opt(z.array(CapabilitySchema)),
  connectors: z
    .array(ConnectorSchema)
    .min(1, 'an EVSE has at least one connector')
    .superRefine(uniqueBy((c) => c.id, 'id', 'connector id')),
  floor_level: opt(label(4)),
  coordinates: opt(GeoLocationSchema),
  physical_reference: opt(label(16)),
  directions: opt(z.array(DisplayTextSchema)),
  parking_restrictions: opt(z.array(ParkingRestrictionSchema)),
  images: opt(z.array(ImageSchema)),
  last_updated: DateTimeSchema,
};
export const EvseSchema = z.looseObject(evseShape);
export type Evse = z.infer<typeof EvseSchema>;

const locationShape = {
  country_code: z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code'),
  party_id: z.string().regex(/^[A-Za-z0-9]{3}$/, 'must be a 3-character party id'),
  id: ciString(36),
  publish: z.boolean(),
  publish_allowed_to: opt(z.array(PublishTokenTypeSchema)),
  name: opt(text(255)),
  address: text(255),
  city: text(45),
  postal_code: opt(text(10)),
  state: opt(text(45)),
  country: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 country code'),
  coordinates: GeoLocationSchema,
  related_locations: opt(z.array(AdditionalGeoLocationSchema)),
  parking_type: opt(ParkingTypeSchema),
  evses: opt(z.array(EvseSchema).superRefine(uniqueBy((e) => e.uid, 'uid', 'EVSE uid'))),
  directions: opt(z.array(DisplayTextSchema)),
  operator: opt(BusinessDetailsSchema),
  suboperator: opt(BusinessDetailsSchema),
  owner: opt(BusinessDetailsSchema),
  facilities: opt(z.array(FacilitySchema)),
  time_zone: text(255).refine(isValidTimeZone, 'must be a known IANA time zone, e.g. "Europe/Berlin"'),
  opening_times: opt(HoursSchema),
  charging_when_closed: opt(z.boolean()),
  images: opt(z.array(ImageSchema)),
  energy_mix: opt(EnergyMixSchema),
  last_updated: DateTimeSchema,
};
export const LocationSchema = z.looseObject(locationShape);
export type Location = z.infer<typeof LocationSchema>;

// PATCH bodies (§3.1): only changed fields, but always `last_updated`. Lists of children (`evses`,
// `connectors`) in a PATCH hold partial children that are merged by uid/id (see core/location-patch.ts).
export const ConnectorPatchSchema = z.looseObject(connectorShape).partial().required({ last_updated: true });
export const EvsePatchSchema = z
  .looseObject({ ...evseShape, connectors: z.array(ConnectorPatchSchema.partial()) })
  .partial()
  .required({ last_updated: true });
export const LocationPatchSchema = z
  .looseObject({ ...locationShape, evses: z.array(EvsePatchSchema.partial()) })
  .partial()
  .required({ last_updated: true });
export type ConnectorPatch = z.infer<typeof ConnectorPatchSchema>;
export type EvsePatch = z.infer<typeof EvsePatchSchema>;
export type LocationPatch = z.infer<typeof LocationPatchSchema>;

// ---------------------------------------------------------------------------------------------- parsing

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'invalid_value' && issue.values.length > 0)
      return { path, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    if (issue.code === 'invalid_type' && issue.input === undefined)
      return { path, message: 'required field is missing' };
    return { path, message: issue.message };
  });
}

export type ParseLocationResult = { ok: true; location: Location } | { ok: false; errors: ValidationIssue[] };

/** Validates a full OCPI 2.2.1 Location (as in a PUT); country_code and party_id are upper-cased. */
export function parseLocation(json: unknown): ParseLocationResult {
  const r = LocationSchema.safeParse(json);
  if (!r.success) return { ok: false, errors: toValidationIssues(r.error) };
  const location = r.data;
  location.country_code = location.country_code.toUpperCase();
  location.party_id = location.party_id.toUpperCase();
  return { ok: true, location };
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

function parseWith<T>(schema: z.ZodType<T>, json: unknown): ParseResult<T> {
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: toValidationIssues(r.error) };
}

export const parseEvse = (json: unknown) => parseWith(EvseSchema, json);
export const parseConnector = (json: unknown) => parseWith(ConnectorSchema, json);
export const parseLocationPatch = (json: unknown) => parseWith(LocationPatchSchema, json);
export const parseEvsePatch = (json: unknown) => parseWith(EvsePatchSchema, json);
export const parseConnectorPatch = (json: unknown) => parseWith(ConnectorPatchSchema, json);
