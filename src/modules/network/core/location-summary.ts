// Builds the search API's LocationSummary / LocationDetail from stored data, purely. Prices come from the tariff
// engine's summarizeTariff (one pricing truth), evaluated at `now` in the location's time zone.
import { summarizeTariff, type Tariff, type TariffSummary } from '../../tariffs/index.ts';
import type { Hours, Location } from './location.schema.ts';
import { isOpenAt } from './opening-hours.ts';
import { connectorPowerW, toKw } from './power.ts';
import type { Availability, ConnectorGroup, LocationDetail, LocationSummary, PriceSummary } from './search.schema.ts';
import { availabilityBucket } from './search-columns.ts';

/** What a summary needs about a location, from a search row or from the stored object. */
export interface SummaryInput {
  country_code: string;
  party_id: string;
  id: string;
  operator_name: string | null;
  name: string | null;
  address: string;
  city: string;
  postal_code: string | null;
  country: string;
  latitude: number;
  longitude: number;
  time_zone: string;
  distance_m: number | null;
  opening_hours: Hours | null;
  /** EVSEs in their order, each with its connectors in order. */
  evses: {
    status: string;
    connectors: { standard: string; power_type: string; power_w: number; tariff_ids: string[] }[];
  }[];
}

export interface TariffLike {
  id: string;
  type?: string | null | undefined;
  tariff_alt_text?: { language: string; text: string }[] | null | undefined;
}

/** Looks a tariff of the location's party up by id. */
export type TariffLookup = (id: string) => TariffLike | undefined;

const round1 = (m: number) => Math.round(m * 10) / 10;

function limitPrice(l: TariffSummary['min_price']): PriceSummary['min_price'] {
  // OCPI's incl_vat is optional on min/max prices; when absent we can only repeat excl_vat (vat: null says so).
  return l ? { excl_vat: l.excl_vat, incl_vat: l.incl_vat ?? l.excl_vat, vat: null } : null;
}

function altText(t: TariffLike): string | null {
  const texts = t.tariff_alt_text ?? [];
  return (texts.find((x) => x.language === 'en') ?? texts[0])?.text ?? null;
}

/** The price summary of a tariff at `now` in `timeZone`; null if the tariff engine cannot summarise it. */
export function priceSummary(tariff: TariffLike, now: Date, timeZone: string): PriceSummary | null {
  let s: TariffSummary;
  try {
    s = summarizeTariff(tariff as unknown as Tariff, now, timeZone);
  } catch {
    return null;
  }
  return {
    currency: s.currency,
    tariff_id: s.tariff_id,
    energy_per_kwh: s.energy,
    time_per_hour: s.time,
    flat: s.flat,
    parking_per_hour: s.parking_time,
    min_price: limitPrice(s.min_price),
    max_price: limitPrice(s.max_price),
    varies: s.varies_by,
    alt_text: altText(tariff),
  };
}

/** Summaries of the same tariff in the same zone at the same instant are equal: compute each once per request. */
export type PriceOf = (tariff: TariffLike, timeZone: string) => PriceSummary | null;
export function memoisedPrices(now: Date): PriceOf {
  const memo = new WeakMap<TariffLike, Map<string, PriceSummary | null>>();
  return (tariff, timeZone) => {
    let byZone = memo.get(tariff);
    if (!byZone) {
      byZone = new Map();
      memo.set(tariff, byZone);
    }
    if (!byZone.has(timeZone)) byZone.set(timeZone, priceSummary(tariff, now, timeZone));
    return byZone.get(timeZone) ?? null;
  };
}

const MINUTE_MS = 60_000;
const shared = new WeakMap<TariffLike, { minute: number; byZone: Map<string, PriceSummary | null> }>();

/**
 * Like memoisedPrices, but kept across requests for tariff objects that are themselves kept (the same object for the
 * same stored tariff text, see network.search.ts). A summary depends on `now` only through the local date, weekday
 * and minute of day (restrictions are HH:MM, dates and weekdays; time zone offsets are whole minutes), so it is the
 * same for every instant of one UTC minute: entries are keyed by that minute. A changed tariff is a different object,
 * so it never meets an old summary. The summaries are shared between responses and must not be mutated.
 */
export function sharedPrices(now: Date): PriceOf {
  const minute = Math.floor(now.getTime() / MINUTE_MS);
  return (tariff, timeZone) => {
    let entry = shared.get(tariff);
    if (!entry || entry.minute !== minute) {
      entry = { minute, byZone: new Map() };
      shared.set(tariff, entry);
    }
    let s = entry.byZone.get(timeZone);
    if (s === undefined) {
      s = priceSummary(tariff, now, timeZone);
      entry.byZone.set(timeZone, s);
    }
    return s;
  };
}

function validAt(t: TariffLike, now: Date): boolean {
  const x = t as { start_date_time?: string | null; end_date_time?: string | null };
  const utc = (s: string) => Date.parse(s.endsWith('Z') ? s : `${s}Z`);
  if (x.start_date_time && utc(x.start_date_time) > now.getTime()) return false;
  if (x.end_date_time && utc(x.end_date_time) <= now.getTime()) return false;
  return true;
}

/**
 * The tariff to show for a connector's tariff_ids: the first known one that is REGULAR (or has no type, i.e. for
 * everyone) and valid now; else the first known valid one; else the first known one. Ad-hoc and profile tariffs
 * are only shown when nothing else is there.
 */
export function chooseTariff(tariffIds: readonly string[], lookup: TariffLookup, now: Date): TariffLike | null {
  const known = tariffIds.map(lookup).filter((t): t is TariffLike => t !== undefined);
  const valid = known.filter((t) => validAt(t, now));
  return (
    valid.find((t) => t.type === undefined || t.type === null || t.type === 'REGULAR') ?? valid[0] ?? known[0] ?? null
  );
}

export function buildSummary(
  input: SummaryInput,
  lookup: TariffLookup,
  now: Date,
  priceOf: PriceOf = (t, tz) => priceSummary(t, now, tz),
): LocationSummary {
  const availability: Availability = { total: 0, available: 0, charging: 0, blocked: 0, out_of_order: 0, unknown: 0 };
  // Connector groups by standard, power type and power: a location has a few, so a list searched in place (this runs
  // for every item of every list page: no key strings or maps).
  const groups: { g: ConnectorGroup; w: number }[] = [];
  let maxW = 0;
  let firstTariffIds: string[] | null = null;
  for (const evse of input.evses) {
    const bucket = availabilityBucket(evse.status);
    if (bucket === null) continue; // REMOVED
    availability.total++;
    availability[bucket]++;
    for (const c of evse.connectors) {
      maxW = Math.max(maxW, c.power_w);
      const same = groups.find(
        (x) => x.w === c.power_w && x.g.standard === c.standard && x.g.power_type === c.power_type,
      );
      if (same) same.g.count++;
      else
        groups.push({
          g: { standard: c.standard, power_type: c.power_type, max_power_kw: toKw(c.power_w), count: 1 },
          w: c.power_w,
        });
      if (firstTariffIds === null && c.tariff_ids.length > 0) firstTariffIds = c.tariff_ids;
    }
  }
  if (groups.length > 1) groups.sort((a, b) => b.w - a.w || a.g.standard.localeCompare(b.g.standard));
  const connectors = groups.map((x) => x.g);
  // The location's headline price: the tariff of its first connector that has one (see chooseTariff).
  const tariff = firstTariffIds ? chooseTariff(firstTariffIds, lookup, now) : null;
  return {
    id: input.id,
    country_code: input.country_code,
    party_id: input.party_id,
    operator_name: input.operator_name,
    name: input.name,
    address: input.address,
    city: input.city,
    postal_code: input.postal_code,
    country: input.country,
    coordinates: { latitude: input.latitude, longitude: input.longitude },
    time_zone: input.time_zone,
    distance_m: input.distance_m === null ? null : round1(input.distance_m),
    availability,
    connectors,
    max_power_kw: toKw(maxW),
    open_now: isOpenAt(input.opening_hours, now, input.time_zone),
    opening_hours: input.opening_hours,
    price: tariff ? priceOf(tariff, input.time_zone) : null,
  };
}

/** The detail view of a stored Location; `partyName` stands in for a missing operator (OCPI §4.2). */
export function buildDetail(
  location: Location,
  partyName: string | null,
  lookup: TariffLookup,
  now: Date,
  priceOf: PriceOf = memoisedPrices(now),
): LocationDetail {
  const evses = location.evses ?? [];
  const summary = buildSummary(
    {
      country_code: location.country_code,
      party_id: location.party_id,
      id: location.id,
      operator_name: location.operator?.name ?? partyName,
      name: location.name ?? null,
      address: location.address,
      city: location.city,
      postal_code: location.postal_code ?? null,
      country: location.country,
      latitude: Number(location.coordinates.latitude),
      longitude: Number(location.coordinates.longitude),
      time_zone: location.time_zone,
      distance_m: null,
      opening_hours: location.opening_times ?? null,
      evses: evses.map((e) => ({
        status: e.status,
        connectors: e.connectors.map((c) => ({
          standard: c.standard,
          power_type: c.power_type,
          power_w: connectorPowerW(c),
          tariff_ids: c.tariff_ids ?? [],
        })),
      })),
    },
    lookup,
    now,
    priceOf,
  );
  return {
    ...summary,
    evses: evses
      .filter((e) => e.status !== 'REMOVED')
      .map((e) => ({
        uid: e.uid,
        evse_id: e.evse_id ?? null,
        status: e.status,
        floor_level: e.floor_level ?? null,
        physical_reference: e.physical_reference ?? null,
        capabilities: e.capabilities ?? [],
        connectors: e.connectors.map((c) => {
          const tariff = chooseTariff(c.tariff_ids ?? [], lookup, now);
          return {
            id: c.id,
            standard: c.standard,
            format: c.format,
            power_type: c.power_type,
            max_voltage: c.max_voltage,
            max_amperage: c.max_amperage,
            max_power_kw: toKw(connectorPowerW(c)),
            tariff_ids: c.tariff_ids ?? [],
            price: tariff ? priceOf(tariff, location.time_zone) : null,
          };
        }),
      })),
    facilities: location.facilities ?? [],
    parking_type: location.parking_type ?? null,
    directions: (location.directions ?? []).map((d) => ({ language: d.language, text: d.text })),
    operator: location.operator
      ? { name: location.operator.name, website: location.operator.website ?? null }
      : partyName
        ? { name: partyName, website: null }
        : null,
  };
}
