// Station search use cases: markers, list (nearby / bbox) and detail. SQL does the geometry and the
// row-local filters; opening hours (open_now) and prices are evaluated here at the injected `now`.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Hours } from './core/location.schema.ts';
import {
  buildDetail,
  buildSummary,
  type SummaryInput,
  sharedPrices,
  type TariffLike,
} from './core/location-summary.ts';
import { type CellSummary, clusterCells, markerGrid } from './core/marker-grid.ts';
import { isOpenAt } from './core/opening-hours.ts';
import { toKw } from './core/power.ts';
import {
  CLUSTER_FIELDS,
  type ListQuery,
  type LocationDetail,
  type LocationList,
  MARKER_FIELDS,
  type Marker,
  type MarkerCollection,
  type MarkersQuery,
} from './core/search.schema.ts';
import { markerStatus } from './core/search-columns.ts';
import { type MarkerOverview, OVERVIEW_MAX_ZOOM } from './marker-overview.ts';
import {
  clusteredMarkersJson,
  findLocationOwners,
  getLocation,
  getParty,
  getTariffTexts,
  type LocationKey,
  type MarkerRow,
  markerRows,
  markersJson,
  type PartyKey,
  pageConnectors,
  type SearchFilter,
  type SearchRow,
  searchLocations,
  tariffKey,
} from './network.repository.ts';

type Db = Kysely<Database>;

export const MAX_MARKERS = 20_000;
/** With a zoom level: more matches than this in the viewport come back as grid clusters. */
export const MARKER_CLUSTER_ABOVE = 500;

function toFilter(q: MarkersQuery | ListQuery): SearchFilter {
  const near =
    'lat' in q && q.lat !== undefined && q.lon !== undefined
      ? { lat: q.lat, lon: q.lon, radius_m: q.radius }
      : undefined;
  return {
    bbox: q.bbox,
    near,
    standards: q.standard,
    min_power_w: q.min_power_kw === undefined ? undefined : Math.ceil(q.min_power_kw * 1000),
    available: q.available,
    q: q.q,
    parties: q.party,
  };
}

const openAt = (now: Date) => (r: { always_open: boolean; opening_hours: unknown; time_zone: string }) =>
  r.always_open || isOpenAt(r.opening_hours as Hours | null, now, r.time_zone);

const toMarker = (r: MarkerRow): Marker => [
  r.longitude,
  r.latitude,
  r.country_code + r.party_id,
  r.id,
  markerStatus(r.evse_available, r.evse_occupied),
  r.evse_available,
  r.evse_total,
  toKw(r.max_power_w),
];

/** One location as a cell summary, to be clustered with clusterCells. */
const locationCell = (r: MarkerRow): CellSummary => ({
  count: 1,
  sumLon: r.longitude,
  sumLat: r.latitude,
  available: r.evse_available > 0 ? 1 : 0,
  occupied: r.evse_available === 0 && r.evse_occupied > 0 ? 1 : 0,
  marker: toMarker(r),
});

/**
 * Map markers. Without open_now, PostgreSQL builds the JSON (returned as text, sent as is); with open_now the rows
 * are filtered here by their opening hours and the collection is built in JavaScript. With a zoom level (and a bbox,
 * which the query schema requires with it), more than `clusterAbove` matches come back as grid clusters
 * (core/marker-grid.ts); otherwise at most MAX_MARKERS markers.
 */
export async function findMarkers(
  db: Db,
  query: MarkersQuery,
  now: Date,
  clusterAbove = MARKER_CLUSTER_ABOVE,
  overview?: MarkerOverview,
): Promise<MarkerCollection | string> {
  const filter = toFilter(query);
  const grid = query.zoom !== undefined && query.bbox !== undefined ? markerGrid(query.zoom, query.bbox) : null;
  // Every filter but the viewport, from the filter itself: a filter added later cannot be skipped by the overview.
  const unfiltered =
    !query.open_now && Object.entries(filter).every(([k, v]) => k === 'bbox' || v === undefined || v === false);
  const base = { fields: [...MARKER_FIELDS], cluster_fields: [...CLUSTER_FIELDS] };
  if (grid && overview && unfiltered && query.zoom! <= OVERVIEW_MAX_ZOOM) {
    // Zoomed out, no filters: clusters from the network overview (marker-overview.ts), when they are clusters.
    const { markers, clusters, count } = clusterCells(await overview.cells(), query.bbox!, grid);
    if (count > clusterAbove) return { ...base, markers, clusters, truncated: false };
  }
  if (!query.open_now) {
    return grid ? clusteredMarkersJson(db, filter, grid, clusterAbove) : markersJson(db, filter, MAX_MARKERS);
  }
  const rows = (await markerRows(db, filter, null, true)).filter(openAt(now));
  if (grid && rows.length > clusterAbove) {
    const { markers, clusters } = clusterCells(rows.map(locationCell), query.bbox!, grid);
    return { ...base, markers, clusters, truncated: false };
  }
  const limit = grid ? rows.length : MAX_MARKERS;
  return { ...base, markers: rows.slice(0, limit).map(toMarker), clusters: [], truncated: rows.length > limit };
}

/**
 * Parsed tariffs by their stored JSON text, kept across requests so that sharedPrices can keep their summaries: the
 * same text gives the same object; an updated tariff has a new text, hence a new object. Bounded: cleared when full.
 */
const parsedTariffs = new Map<string, TariffLike>();
const MAX_PARSED_TARIFFS = 10_000;
function parseTariff(text: string): TariffLike {
  let t = parsedTariffs.get(text);
  if (t === undefined) {
    if (parsedTariffs.size >= MAX_PARSED_TARIFFS) parsedTariffs.clear();
    t = JSON.parse(text) as TariffLike;
    parsedTariffs.set(text, t);
  }
  return t;
}

/** A lookup of tariffs by party and id over stored tariff texts (key `CC*PID*id`). */
function lookupFromTexts(texts: Iterable<[string, string]>) {
  const tariffs = new Map<string, TariffLike>();
  for (const [key, text] of texts) tariffs.set(key, parseTariff(text));
  return (party: PartyKey) => {
    const prefix = `${party.country_code.toUpperCase()}*${party.party_id.toUpperCase()}*`;
    return (id: string) => tariffs.get(prefix + id);
  };
}

/** Tariffs of the given connectors' tariff ids, each looked up in the party of its location. */
async function tariffLookup(db: Db, wanted: LocationKey[]) {
  return lookupFromTexts(await getTariffTexts(db, wanted));
}

export async function findLocations(
  db: Db,
  query: ListQuery,
  now: Date,
  opts: { listCountLimit?: number } = {},
): Promise<LocationList> {
  const filter = toFilter(query);
  let rows: SearchRow[];
  let total: number;
  let more = false;
  if (query.open_now) {
    // Opening hours live in local time zones: evaluate them here over every match, then page.
    const all = (await searchLocations(db, filter, 'all')).rows.filter(openAt(now));
    total = all.length;
    rows = all.slice(query.offset, query.offset + query.limit);
  } else {
    ({ rows, total, more } = await searchLocations(
      db,
      filter,
      { limit: query.limit, offset: query.offset },
      { connectors: true, countLimit: opts.listCountLimit },
    ));
  }
  const byLocation = new Map<string, SummaryInput['evses']>();
  const wanted = new Map<string, LocationKey>();
  const addTariffs = (cc: string, pid: string, tariffIds: string[]) => {
    for (const id of tariffIds) {
      const t = { country_code: cc, party_id: pid, id };
      wanted.set(tariffKey(t), t);
    }
  };
  if (rows.every((r) => r.list_evses !== undefined && r.evse_statuses !== undefined)) {
    for (const r of rows) {
      const statuses = r.evse_statuses ?? [];
      const evses: SummaryInput['evses'] = (r.list_evses ?? []).map((list, i) => ({
        status: statuses[i] ?? 'UNKNOWN',
        connectors: list.map(([standard, power_type, power_w, tariff_ids]) => ({
          standard,
          power_type,
          power_w,
          tariff_ids,
        })),
      }));
      byLocation.set(`${r.country_code}*${r.party_id}*${r.id}`, evses);
    }
  } else {
    const keys = rows.map((r) => ({ country_code: r.country_code, party_id: r.party_id, id: r.id }));
    const connectorRows = await pageConnectors(db, keys);
    const lastEvse = new Map<string, string>();
    for (const c of connectorRows) {
      const key = `${c.country_code}*${c.party_id}*${c.location_id}`;
      const evses = byLocation.get(key) ?? [];
      if (lastEvse.get(key) !== c.evse_uid) {
        evses.push({ status: c.status, connectors: [] });
        lastEvse.set(key, c.evse_uid);
      }
      evses[evses.length - 1]?.connectors.push({
        standard: c.standard,
        power_type: c.power_type,
        power_w: c.power_w,
        tariff_ids: c.tariff_ids,
      });
      byLocation.set(key, evses);
      addTariffs(c.country_code, c.party_id, c.tariff_ids);
    }
  }
  // The paged search brought the tariff texts along (on its first row); the open_now path asks for them.
  const texts = rows[0]?.tariffs;
  const lookup = texts
    ? lookupFromTexts(
        texts.map(([cc, pid, id, text]): [string, string] => [
          tariffKey({ country_code: cc, party_id: pid, id }),
          text,
        ]),
      )
    : await tariffLookup(db, [...wanted.values()]);
  const priceOf = sharedPrices(now);
  const items = rows.map((r) =>
    buildSummary(
      // What the summary reads, named (a copy of the whole row, tariff texts and all, was ~1 KB of garbage per item).
      {
        country_code: r.country_code,
        party_id: r.party_id,
        id: r.id,
        operator_name: r.operator_name,
        name: r.name,
        address: r.address,
        city: r.city,
        postal_code: r.postal_code,
        country: r.country,
        latitude: r.latitude,
        longitude: r.longitude,
        time_zone: r.time_zone,
        distance_m: r.distance_m,
        opening_hours: (r.opening_hours as Hours | null) ?? null,
        evses: byLocation.get(`${r.country_code}*${r.party_id}*${r.id}`) ?? [],
      },
      lookup(r),
      now,
      priceOf,
    ),
  );
  return { items, total, more, limit: query.limit, offset: query.offset };
}

export type DetailResult =
  | { ok: true; detail: LocationDetail }
  | { ok: false; code: 'NOT_FOUND'; message: string }
  | { ok: false; code: 'CONFLICT'; message: string; parties: PartyKey[] };

/** A published location by id; with several parties using the id, the caller must name the party. */
export async function findLocationDetail(
  db: Db,
  id: string,
  party: Partial<PartyKey>,
  now: Date,
): Promise<DetailResult> {
  let owners = await findLocationOwners(db, id);
  if (party.country_code) owners = owners.filter((o) => o.country_code === party.country_code?.toUpperCase());
  if (party.party_id) owners = owners.filter((o) => o.party_id === party.party_id?.toUpperCase());
  const notFound = { ok: false, code: 'NOT_FOUND', message: `No location with id "${id}"` } as const;
  const found = await Promise.all(owners.map((o) => getLocation(db, { ...o, id })));
  const published = found.filter((l) => l?.publish === true);
  if (published.length === 0) return notFound;
  if (published.length > 1) {
    const parties = published.map((l) => ({ country_code: l!.country_code, party_id: l!.party_id }));
    return {
      ok: false,
      code: 'CONFLICT',
      message: `Several operators use location id "${id}"; add country_code and party_id`,
      parties,
    };
  }
  const location = published[0]!;
  const wanted = (location.evses ?? []).flatMap((e) =>
    e.connectors.flatMap((c) =>
      (c.tariff_ids ?? []).map((tid) => ({
        country_code: location.country_code,
        party_id: location.party_id,
        id: tid,
      })),
    ),
  );
  const [lookup, partyRow] = await Promise.all([tariffLookup(db, wanted), getParty(db, location)]);
  return { ok: true, detail: buildDetail(location, partyRow?.name ?? null, lookup(location), now, sharedPrices(now)) };
}
