// The station-search API's shapes (query strings and responses) as zod schemas: they validate requests,
// serialise responses and appear in the OpenAPI document at /api/docs.
import { z } from 'zod';
import { CONNECTOR_TYPES } from './location.schema.ts';

// ---------------------------------------------------------------------------------------------- query strings

export interface BBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

const NUM = /^-?\d+(\.\d+)?$/;

const bboxParam = z
  .string()
  .describe('minLon,minLat,maxLon,maxLat (WGS84 degrees)')
  .transform((s, ctx): BBox => {
    const parts = s.split(',').map((p) => p.trim());
    if (parts.length !== 4 || parts.some((p) => !NUM.test(p))) {
      ctx.addIssue({ code: 'custom', message: 'must be four numbers: minLon,minLat,maxLon,maxLat' });
      return z.NEVER;
    }
    const [minLon, minLat, maxLon, maxLat] = parts.map(Number) as [number, number, number, number];
    if ([minLon, maxLon].some((v) => v < -180 || v > 180) || [minLat, maxLat].some((v) => v < -90 || v > 90)) {
      ctx.addIssue({ code: 'custom', message: 'longitudes must be within -180..180 and latitudes within -90..90' });
      return z.NEVER;
    }
    if (minLon > maxLon || minLat > maxLat) {
      ctx.addIssue({ code: 'custom', message: 'minLon must not exceed maxLon, nor minLat maxLat' });
      return z.NEVER;
    }
    return { minLon, minLat, maxLon, maxLat };
  });

const standardsParam = z
  .string()
  .describe('comma-separated OCPI ConnectorType values, e.g. IEC_62196_T2,IEC_62196_T2_COMBO')
  .transform((s) => s.split(',').map((p) => p.trim()))
  .pipe(z.array(z.enum(CONNECTOR_TYPES, { error: 'unknown connector standard (an OCPI ConnectorType)' })).min(1));

const partyParam = z
  .string()
  .describe('comma-separated parties as country code + party id, e.g. DEVLT,FRBRX')
  .transform((s) => s.split(',').map((p) => p.trim().toUpperCase()))
  .pipe(z.array(z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a country code and party id, e.g. DEVLT')).min(1))
  .transform((list) => list.map((p) => ({ country_code: p.slice(0, 2), party_id: p.slice(2) })));

const boolParam = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .describe('true or false');

/** Filters shared by markers and the list. */
export const filterQuerySchema = z.object({
  bbox: bboxParam.optional(),
  standard: standardsParam.optional(),
  min_power_kw: z.coerce.number().min(0).max(10000).optional().describe('at least one connector this powerful'),
  available: boolParam.optional().describe('true: at least one matching connector is AVAILABLE now'),
  open_now: boolParam.optional().describe("true: open now by the location's opening hours, in its time zone"),
  q: z.string().trim().min(1).max(100).optional().describe('text in name, address, city, postal code, operator or id'),
  party: partyParam.optional(),
});

export const markersQuerySchema = filterQuerySchema
  .extend({
    zoom: z.coerce
      .number()
      .min(0)
      .max(24)
      .optional()
      .describe(
        'the map zoom level (Web Mercator, 512-px tiles, fractions allowed), with bbox: when more locations than a threshold match, they come back as grid clusters of 64 px cells',
      ),
  })
  .superRefine((q, ctx) => {
    if (q.zoom !== undefined && q.bbox === undefined)
      ctx.addIssue({ code: 'custom', path: ['zoom'], message: 'zoom needs a bbox (the viewport)' });
  });
export type MarkersQuery = z.infer<typeof markersQuerySchema>;

export const listQuerySchema = filterQuerySchema
  .extend({
    lat: z.coerce.number().min(-90).max(90).optional().describe('centre of a nearby search (with lon)'),
    lon: z.coerce.number().min(-180).max(180).optional(),
    radius: z.coerce.number().int().min(1).max(200_000).default(10_000).describe('metres, with lat/lon'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .superRefine((q, ctx) => {
    if ((q.lat === undefined) !== (q.lon === undefined))
      ctx.addIssue({ code: 'custom', path: [q.lat === undefined ? 'lat' : 'lon'], message: 'lat and lon go together' });
    if (q.lat !== undefined && q.bbox !== undefined)
      ctx.addIssue({ code: 'custom', path: ['bbox'], message: 'give either lat/lon or bbox, not both' });
  });
export type ListQuery = z.infer<typeof listQuerySchema>;

export const detailParamsSchema = z.object({ id: z.string().min(1).max(36) });
export const detailQuerySchema = z.object({
  country_code: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional(),
  party_id: z
    .string()
    .regex(/^[A-Za-z0-9]{3}$/)
    .optional(),
});

// ---------------------------------------------------------------------------------------------- responses

export const PriceSchema = z.object({
  excl_vat: z.string().describe('decimal string, e.g. "0.4118"'),
  incl_vat: z.string(),
  vat: z.string().nullable().describe('VAT percentage; null when not given'),
});
export type PriceDto = z.infer<typeof PriceSchema>;

export const PriceSummarySchema = z.object({
  currency: z.string(),
  tariff_id: z.string(),
  energy_per_kwh: PriceSchema.nullable(),
  time_per_hour: PriceSchema.nullable(),
  flat: PriceSchema.nullable(),
  parking_per_hour: PriceSchema.nullable(),
  min_price: PriceSchema.nullable(),
  max_price: PriceSchema.nullable(),
  varies: z.array(z.string()).describe('what else the prices depend on, e.g. TIME_OF_DAY, DURATION'),
  alt_text: z.string().nullable(),
});
export type PriceSummary = z.infer<typeof PriceSummarySchema>;

export const AvailabilitySchema = z.object({
  total: z.number().int(),
  available: z.number().int(),
  charging: z.number().int(),
  blocked: z.number().int(),
  out_of_order: z.number().int(),
  unknown: z.number().int(),
});
export type Availability = z.infer<typeof AvailabilitySchema>;

export const ConnectorGroupSchema = z.object({
  standard: z.string(),
  power_type: z.string(),
  max_power_kw: z.number(),
  count: z.number().int(),
});
export type ConnectorGroup = z.infer<typeof ConnectorGroupSchema>;

// Opening hours as stored (validated on the way in): the response schema only describes them, cheaply.
const period = z.looseObject({ period_begin: z.string(), period_end: z.string() });
const OpeningHoursOutSchema = z.looseObject({
  twentyfourseven: z.boolean(),
  regular_hours: z
    .array(z.looseObject({ weekday: z.number(), period_begin: z.string(), period_end: z.string() }))
    .nullish(),
  exceptional_openings: z.array(period).nullish(),
  exceptional_closings: z.array(period).nullish(),
});

export const LocationSummarySchema = z.object({
  id: z.string(),
  country_code: z.string(),
  party_id: z.string(),
  operator_name: z.string().nullable(),
  name: z.string().nullable(),
  address: z.string(),
  city: z.string(),
  postal_code: z.string().nullable(),
  country: z.string(),
  coordinates: z.object({ latitude: z.number(), longitude: z.number() }),
  time_zone: z.string(),
  distance_m: z.number().nullable(),
  availability: AvailabilitySchema,
  connectors: z.array(ConnectorGroupSchema),
  max_power_kw: z.number(),
  open_now: z.boolean(),
  opening_hours: OpeningHoursOutSchema.nullable().describe('OCPI Hours, in the location time zone'),
  price: PriceSummarySchema.nullable(),
});
export type LocationSummary = z.infer<typeof LocationSummarySchema>;

export const LocationListSchema = z.object({
  items: z.array(LocationSummarySchema),
  total: z
    .number()
    .int()
    .describe(
      'matching locations; a nearby (lat/lon) or bbox search counts up to 1,000 or offset + limit, whichever is larger, and then says more',
    ),
  more: z.boolean().describe('true: more locations match than `total` (nearby and bbox searches only)'),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type LocationList = z.infer<typeof LocationListSchema>;

export const LocationDetailSchema = LocationSummarySchema.extend({
  evses: z.array(
    z.object({
      uid: z.string(),
      evse_id: z.string().nullable(),
      status: z.string(),
      floor_level: z.string().nullable(),
      physical_reference: z.string().nullable(),
      capabilities: z.array(z.string()),
      connectors: z.array(
        z.object({
          id: z.string(),
          standard: z.string(),
          format: z.string(),
          power_type: z.string(),
          max_voltage: z.number(),
          max_amperage: z.number(),
          max_power_kw: z.number(),
          tariff_ids: z.array(z.string()),
          price: PriceSummarySchema.nullable(),
        }),
      ),
    }),
  ),
  facilities: z.array(z.string()),
  parking_type: z.string().nullable(),
  directions: z.array(z.object({ language: z.string(), text: z.string() })),
  operator: z.object({ name: z.string(), website: z.string().nullable() }).nullable(),
});
export type LocationDetail = z.infer<typeof LocationDetailSchema>;

/** Marker status codes: A = some EVSE available, O = none available but some in use, U = otherwise. */
export const MarkerStatusSchema = z.enum(['A', 'O', 'U']);

/** The columns of a marker row, in order (also sent as `fields`). */
export const MARKER_FIELDS = ['lon', 'lat', 'party', 'id', 'status', 'available', 'total', 'max_power_kw'] as const;

export const MarkerSchema = z
  .tuple([
    z.number().describe('longitude'),
    z.number().describe('latitude'),
    z.string().describe('country code + party id, e.g. DEVLT'),
    z.string().describe('location id'),
    MarkerStatusSchema,
    z.number().int().describe('EVSEs available'),
    z.number().int().describe('EVSEs not removed'),
    z.number().describe('max power in kW'),
  ])
  .describe('[lon, lat, party, id, status, available, total, max_power_kw]');
export type Marker = z.infer<typeof MarkerSchema>;

/** The columns of a cluster row, in order (also sent as `cluster_fields`). */
export const CLUSTER_FIELDS = ['lon', 'lat', 'count', 'available', 'occupied'] as const;

export const ClusterSchema = z
  .tuple([
    z.number().describe('longitude of the mean position of the members (5 decimals)'),
    z.number().describe('latitude of the mean position of the members (5 decimals)'),
    z.number().int().describe('locations in the cluster (at least 2)'),
    z.number().int().describe('of them with status A (an EVSE available)'),
    z.number().int().describe('of them with status O (none available, some in use)'),
  ])
  .describe('[lon, lat, count, available, occupied]');
export type Cluster = z.infer<typeof ClusterSchema>;

export const MarkerCollectionSchema = z.object({
  fields: z.array(z.enum(MARKER_FIELDS)).describe('the names of the columns of a marker row, in order'),
  markers: z.array(MarkerSchema).describe('single locations'),
  cluster_fields: z.array(z.enum(CLUSTER_FIELDS)).describe('the names of the columns of a cluster row, in order'),
  clusters: z
    .array(ClusterSchema)
    .describe(
      'with zoom, when more locations than the threshold match: one row per grid cell holding several of them (a cell with one location gives a marker); otherwise empty',
    ),
  truncated: z.boolean().describe('more locations matched than the 20,000 markers returned (never with clusters)'),
});
export type MarkerCollection = z.infer<typeof MarkerCollectionSchema>;
