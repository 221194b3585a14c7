// Typed wrappers around the Lataus REST API (/api/v1). Shapes follow the published contract; money values are
// decimal strings and stay strings here (formatting happens in format.ts, arithmetic never happens in the browser).

export type DecimalString = string;

export interface AppConfig {
  map_style_url: string | null;
  admin_token_hint: string | null;
  currency_locale: string;
}

export type MarkerStatus = 'AVAILABLE' | 'OCCUPIED' | 'UNAVAILABLE';

export interface MarkerProperties {
  id: string;
  country_code: string;
  party_id: string;
  available: number;
  total: number;
  max_power_kw: number;
  status: MarkerStatus;
  /** Stations this feature stands for (1), and of them with status AVAILABLE / OCCUPIED (0 or 1). */
  count: 1;
  avail: number;
  occ: number;
}

/** A cluster the server made of a dense viewport: `count` stations around its position. */
export interface ServerClusterProperties {
  server_cluster: true;
  count: number;
  /** Of them with an available EVSE / with none available but some in use. */
  avail: number;
  occ: number;
}

/** What GET /locations/markers sends: one compact row per location (see `fields`). */
export type MarkerRow = [
  lon: number,
  lat: number,
  party: string,
  id: string,
  status: 'A' | 'O' | 'U',
  available: number,
  total: number,
  max_power_kw: number,
];
/** A grid cluster of a dense viewport (see `cluster_fields`). */
export type ClusterRow = [lon: number, lat: number, count: number, available: number, occupied: number];
export interface MarkerRows {
  fields: string[];
  markers: MarkerRow[];
  cluster_fields: string[];
  clusters: ClusterRow[];
  truncated: boolean;
}

const MARKER_STATUS: Record<MarkerRow[4], MarkerStatus> = { A: 'AVAILABLE', O: 'OCCUPIED', U: 'UNAVAILABLE' };

/** The compact marker and cluster rows as the GeoJSON the map draws. */
export function markerFeatures(rows: MarkerRows): MarkerCollection {
  const stations: MarkerCollection['features'] = rows.markers.map(
    ([lon, lat, party, id, status, available, total, max_power_kw]) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: {
        id,
        country_code: party.slice(0, 2),
        party_id: party.slice(2),
        available,
        total,
        max_power_kw,
        status: MARKER_STATUS[status] ?? 'UNAVAILABLE',
        count: 1,
        avail: status === 'A' ? 1 : 0,
        occ: status === 'O' ? 1 : 0,
      },
    }),
  );
  const clusters: MarkerCollection['features'] = rows.clusters.map(([lon, lat, count, avail, occ]) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { server_cluster: true, count, avail, occ },
  }));
  return { type: 'FeatureCollection', features: stations.concat(clusters), stations: countStations(rows) };
}

const countStations = (rows: MarkerRows) => rows.clusters.reduce((n, c) => n + c[2], rows.markers.length);

export interface MarkerCollection {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    geometry: { type: 'Point'; coordinates: [number, number] };
    properties: MarkerProperties | ServerClusterProperties;
  }>;
  /** Stations in the answer: single markers plus the members of the clusters. */
  stations: number;
}

export interface Price {
  excl_vat: DecimalString;
  incl_vat: DecimalString;
  vat: DecimalString | null;
}

export interface PriceSummary {
  currency: string;
  tariff_id: string;
  energy_per_kwh: Price | null;
  time_per_hour: Price | null;
  flat: Price | null;
  parking_per_hour: Price | null;
  min_price: Price | null;
  max_price: Price | null;
  varies: string[];
  alt_text: string | null;
}

export interface RegularHours {
  weekday: number;
  period_begin: string;
  period_end: string;
}

export interface ExceptionalPeriod {
  period_begin: string;
  period_end: string;
}

export interface OcpiHours {
  twentyfourseven: boolean;
  regular_hours?: RegularHours[];
  exceptional_openings?: ExceptionalPeriod[];
  exceptional_closings?: ExceptionalPeriod[];
}

export interface Availability {
  total: number;
  available: number;
  charging: number;
  blocked: number;
  out_of_order: number;
  unknown: number;
}

export interface ConnectorGroup {
  standard: string;
  power_type: string;
  max_power_kw: number;
  count: number;
}

export interface LocationSummary {
  id: string;
  country_code: string;
  party_id: string;
  operator_name: string | null;
  name: string | null;
  address: string;
  city: string;
  postal_code: string | null;
  country: string;
  coordinates: { latitude: number; longitude: number };
  time_zone: string | null;
  distance_m: number | null;
  availability: Availability;
  connectors: ConnectorGroup[];
  max_power_kw: number;
  open_now: boolean;
  opening_hours: OcpiHours | null;
  price: PriceSummary | null;
}

export type EvseStatus =
  | 'AVAILABLE'
  | 'BLOCKED'
  | 'CHARGING'
  | 'INOPERATIVE'
  | 'OUTOFORDER'
  | 'PLANNED'
  | 'REMOVED'
  | 'RESERVED'
  | 'UNKNOWN';

export interface ConnectorDetail {
  id: string;
  standard: string;
  format: string;
  power_type: string;
  max_voltage: number;
  max_amperage: number;
  max_power_kw: number;
  tariff_ids: string[];
  price: PriceSummary | null;
}

export interface EvseDetail {
  uid: string;
  evse_id: string | null;
  status: EvseStatus;
  floor_level: string | null;
  physical_reference: string | null;
  capabilities: string[];
  connectors: ConnectorDetail[];
}

export interface LocationDetail extends LocationSummary {
  evses: EvseDetail[];
  facilities: string[];
  parking_type: string | null;
  directions: Array<{ language: string; text: string }>;
  operator: { name: string; website: string | null } | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** True when more match than `total` (a nearby or map-area search stops counting at 1,000). */
  more?: boolean;
  limit: number;
  offset: number;
}

export interface Provider {
  country_code: string;
  party_id: string;
  name: string;
  website: string | null;
  integrated: boolean;
  location_count: number;
}

export interface RejectedRow {
  row: number;
  field: string | null;
  reason: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  rows?: RejectedRow[];
}

/** A non-2xx answer from the API, carrying the problem+json document when there was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }
}

/** Search filters shared by the map, the list and the URL query string. */
export interface SearchFilters {
  q: string;
  standards: string[];
  minPowerKw: number | null;
  available: boolean;
  openNow: boolean;
}

export const emptyFilters: SearchFilters = { q: '', standards: [], minPowerKw: null, available: false, openNow: false };

export type BBox = [number, number, number, number];

function filterParams(f: SearchFilters, extra: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.standards.length) p.set('standard', f.standards.join(','));
  if (f.minPowerKw) p.set('min_power_kw', String(f.minPowerKw));
  if (f.available) p.set('available', 'true');
  if (f.openNow) p.set('open_now', 'true');
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const method = (init.method ?? 'GET').toUpperCase();
  // Cookie-authenticated state changes must carry the CSRF header (docs/identity.md); harmless on other calls.
  const csrf: Record<string, string> = safeMethods.has(method) ? {} : { 'X-Requested-With': 'lataus' };
  const res = await fetch(path, {
    credentials: 'same-origin',
    ...init,
    headers: { Accept: 'application/json', ...csrf, ...init.headers },
  });
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const problem: Problem =
      body && typeof body === 'object' && 'title' in body
        ? (body as Problem)
        : { title: res.statusText || 'Request failed', status: res.status, detail: text.slice(0, 200) || undefined };
    throw new ApiError(res.status, problem);
  }
  return body as T;
}

export const api = {
  config: (signal?: AbortSignal) => request<AppConfig>('/api/v1/config', { signal }),

  /** Markers of a viewport; with its zoom level the server clusters a dense one. */
  markers: async (f: SearchFilters, bbox?: BBox, zoom?: number, signal?: AbortSignal) =>
    markerFeatures(
      await request<MarkerRows>(`/api/v1/locations/markers${filterParams(f, { bbox: bbox?.join(','), zoom })}`, {
        signal,
      }),
    ),

  locations: (
    f: SearchFilters,
    where: { near?: { lat: number; lon: number; radius: number }; bbox?: BBox; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) =>
    request<Page<LocationSummary>>(
      `/api/v1/locations${filterParams(f, {
        lat: where.near?.lat,
        lon: where.near?.lon,
        radius: where.near?.radius,
        bbox: where.bbox?.join(','),
        limit: where.limit,
        offset: where.offset,
      })}`,
      { signal },
    ),

  location: (id: string, signal?: AbortSignal) =>
    request<LocationDetail>(`/api/v1/locations/${encodeURIComponent(id)}`, { signal }),

  admin: {
    providers: (token: string, signal?: AbortSignal) =>
      request<{ items: Provider[] }>('/api/v1/admin/providers', {
        signal,
        headers: { Authorization: `Bearer ${token}` },
      }),

    createProvider: (
      token: string,
      body: { country_code: string; party_id: string; name: string; website?: string | undefined },
    ) =>
      request<Provider>('/api/v1/admin/providers', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),

    importLocations: (token: string, countryCode: string, partyId: string, kind: 'csv' | 'json', content: string) =>
      request<{ imported: number }>(
        `/api/v1/admin/providers/${encodeURIComponent(countryCode)}/${encodeURIComponent(partyId)}/import`,
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': kind === 'csv' ? 'text/csv' : 'application/json',
          },
          body: content,
        },
      ),
  },
};

/** Reads filters from a URL query string (the map and list share them through the URL). */
export function filtersFromQuery(sp: URLSearchParams): SearchFilters {
  const min = Number(sp.get('min_power_kw'));
  return {
    q: sp.get('q') ?? '',
    standards: (sp.get('standard') ?? '').split(',').filter(Boolean),
    minPowerKw: Number.isFinite(min) && min > 0 ? min : null,
    available: sp.get('available') === 'true',
    openNow: sp.get('open_now') === 'true',
  };
}

export function filtersToQuery(f: SearchFilters): string {
  return filterParams(f);
}
