// OCPI 2.2.1 Tariff object (mod_tariffs) as zod schemas, plus a lenient CDR-input schema for pricing.
// Objects are strict: an unknown or misspelled field (e.g. `dayOfWeek`) is an error with its JSON path.
import { z } from 'zod';

/** CiString: case-insensitive printable ASCII. */
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
const ciString = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .regex(PRINTABLE_ASCII, 'only printable ASCII characters are allowed');
const text = (max: number) => z.string().max(max, `at most ${max} characters`);

/** OCPI DateTime: RFC 3339 in UTC, `Z` or no zone designator, optional fractional seconds. */
const DATE_TIME_UTC = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?Z?$/;
/** Lenient form for CDR input: additionally accepts `+hh:mm` offsets (seen in the wild, not valid OCPI). */
const DATE_TIME_LENIENT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] ?? 0);
}

function dateTime(pattern: RegExp, hint: string) {
  return z.string().refine(
    (s) => {
      const m = pattern.exec(s);
      return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
    },
    { message: `must be an OCPI DateTime (${hint})` },
  );
}
export const DateTimeSchema = dateTime(DATE_TIME_UTC, 'YYYY-MM-DDTHH:MM:SS[.fff][Z], UTC').check(
  z.maxLength(25, 'at most 25 characters'),
);
const LenientDateTimeSchema = dateTime(DATE_TIME_LENIENT, 'YYYY-MM-DDTHH:MM:SS[.fff][Z|±hh:mm]');

export const TimeOfDaySchema = z
  .string()
  .regex(/^([0-1][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time "HH:MM" (00:00-23:59)');
export const LocalDateSchema = z.string().refine(
  (s) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  },
  { message: 'must be a calendar date "YYYY-MM-DD"' },
);

const nonNegative = (what: string) => z.number().finite().nonnegative(`${what} must not be negative`);
const nonNegativeInt = (what: string) =>
  z.number().int(`${what} must be an integer`).nonnegative(`${what} must not be negative`);

export const TariffDimensionTypeSchema = z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']);
export type TariffDimensionType = z.infer<typeof TariffDimensionTypeSchema>;
export const TariffTypeSchema = z.enum(['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR']);
export type TariffType = z.infer<typeof TariffTypeSchema>;
export const DayOfWeekSchema = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);
export type DayOfWeek = z.infer<typeof DayOfWeekSchema>;
export const ReservationRestrictionTypeSchema = z.enum(['RESERVATION', 'RESERVATION_EXPIRES']);
export type ReservationRestrictionType = z.infer<typeof ReservationRestrictionTypeSchema>;

export const DisplayTextSchema = z.strictObject({
  language: z.string().length(2, 'must be an ISO 639-1 language code (2 characters)'),
  text: text(512),
});

export const PriceSchema = z.strictObject({
  excl_vat: nonNegative('excl_vat'),
  incl_vat: nonNegative('incl_vat').optional(),
});
export type Price = z.infer<typeof PriceSchema>;

export const PriceComponentSchema = z.strictObject({
  type: TariffDimensionTypeSchema,
  /** Price per unit excl. VAT (kWh, hour, or the fee for FLAT). */
  price: nonNegative('price'),
  /** VAT percentage; absent = no VAT applicable (different from 0). */
  vat: nonNegative('vat').max(100, 'vat is a percentage (0-100)').optional(),
  /** Wh for ENERGY, seconds for TIME/PARKING_TIME, meaningless for FLAT. */
  step_size: nonNegativeInt('step_size'),
});
export type PriceComponent = z.infer<typeof PriceComponentSchema>;

export const TariffRestrictionsSchema = z.strictObject({
  start_time: TimeOfDaySchema.optional(),
  end_time: TimeOfDaySchema.optional(),
  start_date: LocalDateSchema.optional(),
  end_date: LocalDateSchema.optional(),
  min_kwh: nonNegative('min_kwh').optional(),
  max_kwh: nonNegative('max_kwh').optional(),
  min_current: nonNegative('min_current').optional(),
  max_current: nonNegative('max_current').optional(),
  min_power: nonNegative('min_power').optional(),
  max_power: nonNegative('max_power').optional(),
  min_duration: nonNegativeInt('min_duration').optional(),
  max_duration: nonNegativeInt('max_duration').optional(),
  day_of_week: z.array(DayOfWeekSchema).optional(),
  reservation: ReservationRestrictionTypeSchema.optional(),
});
export type TariffRestrictions = z.infer<typeof TariffRestrictionsSchema>;

export const TariffElementSchema = z.strictObject({
  price_components: z.array(PriceComponentSchema).min(1, 'at least one price component is required'),
  restrictions: TariffRestrictionsSchema.optional(),
});
export type TariffElement = z.infer<typeof TariffElementSchema>;

export const EnergyMixSchema = z.strictObject({
  is_green_energy: z.boolean(),
  energy_sources: z
    .array(
      z.strictObject({
        source: z.enum(['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER']),
        percentage: z.number().min(0).max(100),
      }),
    )
    .optional(),
  environ_impact: z
    .array(z.strictObject({ category: z.enum(['NUCLEAR_WASTE', 'CARBON_DIOXIDE']), amount: nonNegative('amount') }))
    .optional(),
  supplier_name: text(64).optional(),
  energy_product_name: text(64).optional(),
});

const tariffShape = {
  country_code: ciString(2),
  party_id: ciString(3),
  id: ciString(36),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code (3 upper-case letters)'),
  type: TariffTypeSchema.optional(),
  tariff_alt_text: z.array(DisplayTextSchema).optional(),
  tariff_alt_url: text(255).optional(),
  min_price: PriceSchema.optional(),
  max_price: PriceSchema.optional(),
  elements: z.array(TariffElementSchema).min(1, 'at least one tariff element is required'),
  start_date_time: DateTimeSchema.optional(),
  end_date_time: DateTimeSchema.optional(),
  energy_mix: EnergyMixSchema.optional(),
  last_updated: DateTimeSchema,
};

/** The full OCPI 2.2.1 Tariff object (all required fields required, unknown fields rejected). */
export const TariffSchema = z.strictObject(tariffShape);

/**
 * Same as TariffSchema, but the identity/bookkeeping fields that pricing does not need
 * (country_code, party_id, last_updated) may be absent. Used for tariffs embedded in CDRs and
 * for the CLI, where partner data is often trimmed. The pricing-relevant content is as strict.
 */
export const PricingTariffSchema = z.strictObject({
  ...tariffShape,
  country_code: tariffShape.country_code.optional(),
  party_id: tariffShape.party_id.optional(),
  last_updated: tariffShape.last_updated.optional(),
});

/** A Tariff as accepted for pricing (a full Tariff is one). */
export type Tariff = z.infer<typeof PricingTariffSchema>;
/** A complete OCPI Tariff (as stored/pushed). */
export type OcpiTariff = z.infer<typeof TariffSchema>;

export interface ValidationIssue {
  /** JSON path like `elements[0].restrictions.dayOfWeek`; empty string for the root. */
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Turns zod issues into `{path, message}`; unknown keys get one issue each, at the key's own path. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...issue.path, key]), message: `unknown field "${key}"` });
      }
    } else if (issue.code === 'invalid_value' && issue.values.length > 0) {
      out.push({
        path: formatPath(issue.path),
        message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ path: formatPath(issue.path), message: 'required field is missing' });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

export interface ParseTariffOptions {
  /**
   * `strict` (default): the full OCPI Tariff object. `pricing`: country_code, party_id and
   * last_updated may be absent (see PricingTariffSchema).
   */
  mode?: 'strict' | 'pricing';
}

export type ParseTariffResult = { ok: true; tariff: Tariff } | { ok: false; errors: ValidationIssue[] };

/** Validates one OCPI 2.2.1 Tariff; errors carry the JSON path and the reason. */
export function parseTariff(json: unknown, options: ParseTariffOptions = {}): ParseTariffResult {
  const schema = options.mode === 'pricing' ? PricingTariffSchema : TariffSchema;
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, tariff: r.data };
  return { ok: false, errors: toValidationIssues(r.error) };
}

// ---------------------------------------------------------------------------------------------
// Lenient CDR input: only what pricing needs is required; unknown fields are allowed (a full CDR
// or Session passes), but the fields pricing reads are validated.

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
export type CdrDimensionType = z.infer<typeof CdrDimensionTypeSchema>;

export const CdrDimensionSchema = z.looseObject({
  type: CdrDimensionTypeSchema,
  volume: z.number().finite(),
});
export type CdrDimension = z.infer<typeof CdrDimensionSchema>;

export const ChargingPeriodSchema = z.looseObject({
  start_date_time: LenientDateTimeSchema,
  dimensions: z.array(CdrDimensionSchema),
  tariff_id: z.string().max(36).optional().nullable(),
});
export type ChargingPeriod = z.infer<typeof ChargingPeriodSchema>;

const OptionalPriceSchema = z.looseObject({ excl_vat: z.number().finite(), incl_vat: z.number().finite().optional() });

/** The pricing-relevant part of an OCPI CDR (also fits a Session with `end_date_time`). */
export const CdrInputSchema = z.looseObject({
  start_date_time: LenientDateTimeSchema,
  end_date_time: LenientDateTimeSchema,
  currency: z.string().length(3).optional(),
  charging_periods: z.array(ChargingPeriodSchema),
  tariffs: z.array(z.unknown()).optional().nullable(),
  total_cost: OptionalPriceSchema.optional(),
  total_fixed_cost: OptionalPriceSchema.optional().nullable(),
  total_energy: z.number().finite().optional(),
  total_energy_cost: OptionalPriceSchema.optional().nullable(),
  total_time: z.number().finite().optional(),
  total_time_cost: OptionalPriceSchema.optional().nullable(),
  total_parking_time: z.number().finite().optional().nullable(),
  total_parking_cost: OptionalPriceSchema.optional().nullable(),
  total_reservation_cost: OptionalPriceSchema.optional().nullable(),
});
export type CdrInput = z.infer<typeof CdrInputSchema>;

export type ParseCdrResult = { ok: true; cdr: CdrInput; tariffs: Tariff[] } | { ok: false; errors: ValidationIssue[] };

/** Validates a CDR-like input; embedded `tariffs` are validated with the pricing tariff schema. */
export function parseCdrInput(json: unknown): ParseCdrResult {
  const r = CdrInputSchema.safeParse(json);
  if (!r.success) return { ok: false, errors: toValidationIssues(r.error) };
  const errors: ValidationIssue[] = [];
  const tariffs: Tariff[] = [];
  (r.data.tariffs ?? []).forEach((t, i) => {
    const p = parseTariff(t, { mode: 'pricing' });
    if (p.ok) tariffs.push(p.tariff);
    else
      for (const e of p.errors)
        errors.push({ path: formatPath(['tariffs', i]) + (e.path ? `.${e.path}` : ''), message: e.message });
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, cdr: r.data, tariffs };
}
