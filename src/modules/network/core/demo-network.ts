// The demo network: a plausible European charging network, generated purely and deterministically from a seed.
// Location i is generated from its own PRNG stream (seed, i), so any location can be produced on its own and large
// networks can be streamed in batches without holding them in memory.
import {
  CITIES,
  type City,
  COUNTRIES,
  type Country,
  type Lang,
  OPERATORS,
  type Operator,
  PLACE_WORDS,
  STREETS,
} from './demo-geography.ts';
import type { Connector, Evse, EvseStatus, Facility, Hours, Location } from './location.schema.ts';

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes the network seed and a location index into an independent stream seed. */
function streamSeed(seed: number, i: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (i + 0x85ebca6b), 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

class Rng {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }
  gaussian(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

// ---------------------------------------------------------------------------------------------- parties, tariffs

export interface DemoParty {
  country_code: string;
  party_id: string;
  name: string;
  role: string;
  integrated: boolean;
  website: string;
}

export interface DemoTariff {
  country_code: string;
  party_id: string;
  id: string;
  currency: string;
  type: 'REGULAR' | 'AD_HOC_PAYMENT';
  tariff_alt_text?: { language: string; text: string }[];
  min_price?: { excl_vat: number; incl_vat: number };
  max_price?: { excl_vat: number; incl_vat: number };
  elements: {
    price_components: {
      type: 'ENERGY' | 'FLAT' | 'TIME' | 'PARKING_TIME';
      price: number;
      vat: number;
      step_size: number;
    }[];
    restrictions?: Record<string, unknown>;
  }[];
  last_updated: string;
}

type Site = 'AC' | 'DC' | 'HPC' | 'ADHOC';

interface Region {
  code: string;
  vat: number;
}

const TARIFF_LAST_UPDATED = '2026-11-01T00:00:00Z';
const r4 = (n: number) => Math.round(n * 10000) / 10000;
const r2 = (n: number) => Math.round(n * 100) / 100;

function regionOf(city: City): Region {
  const country = COUNTRIES[city.country] as Country;
  return { code: city.region ?? country.alpha2, vat: city.vat ?? country.vat };
}

/** Every tariff region an operator has stations in (motorway operators: every mainland region). */
function operatorRegions(op: Operator): Region[] {
  const regions = new Map<string, Region>();
  for (const city of CITIES) {
    const inCountry = (op.countries[city.country] ?? 0) > 0;
    if (inCountry || (op.motorway && !city.island)) regions.set(regionOf(city).code, regionOf(city));
  }
  return [...regions.values()].sort((a, b) => a.code.localeCompare(b.code));
}

export const tariffId = (region: string, site: Site) => `${region}-${site}`;

function makeTariff(op: Operator, region: Region, site: Site): DemoTariff {
  const vat = region.vat;
  const excl = (incl: number) => r4(incl / (1 + vat / 100));
  const c = (
    type: DemoTariff['elements'][number]['price_components'][number]['type'],
    inclPrice: number,
    step = 1,
  ) => ({
    type,
    price: excl(inclPrice),
    vat,
    step_size: step,
  });
  const base = { AC: 0.49, DC: 0.59, HPC: 0.69, ADHOC: 0.79 }[site] + op.premium;
  const t: DemoTariff = {
    country_code: op.country_code,
    party_id: op.party_id,
    id: tariffId(region.code, site),
    currency: 'EUR',
    type: site === 'ADHOC' ? 'AD_HOC_PAYMENT' : 'REGULAR',
    elements: [],
    last_updated: TARIFF_LAST_UPDATED,
  };
  if (site === 'ADHOC') {
    t.elements = [{ price_components: [c('ENERGY', r2(base))] }];
    t.tariff_alt_text = [{ language: 'en', text: 'Pay by card at the charger; no account needed.' }];
    return t;
  }
  if (op.style === 'ENERGY') {
    t.elements = [{ price_components: [c('ENERGY', r2(base))] }];
    if (site === 'AC') {
      // Blocking fee while parked without charging, daytime only.
      t.elements.push({
        price_components: [c('PARKING_TIME', 6, 60)],
        restrictions: { start_time: '08:00', end_time: '20:00' },
      });
    } else {
      // Blocking fee after 45 minutes.
      t.elements.push({ price_components: [c('PARKING_TIME', 12, 60)], restrictions: { min_duration: 2700 } });
    }
    if (site === 'HPC') t.min_price = { excl_vat: excl(2), incl_vat: 2 };
  } else if (op.style === 'TIME') {
    if (site === 'AC') {
      t.elements = [{ price_components: [c('FLAT', 0.5), c('TIME', 2.4, 60)] }];
      t.max_price = { excl_vat: excl(20), incl_vat: 20 };
    } else {
      t.elements = [{ price_components: [c('FLAT', site === 'HPC' ? 1 : 0.5), c('ENERGY', r2(base - 0.1))] }];
      t.elements.push({
        price_components: [c('TIME', site === 'HPC' ? 9 : 6, 60)],
        restrictions: { min_duration: 3600 },
      });
      t.elements.push({ price_components: [c('PARKING_TIME', 9, 300)] });
    }
  } else {
    // Cheaper at night and at weekends.
    t.elements = [
      { price_components: [c('ENERGY', r2(base - 0.12))], restrictions: { start_time: '22:00', end_time: '06:00' } },
      { price_components: [c('ENERGY', r2(base - 0.06))], restrictions: { day_of_week: ['SATURDAY', 'SUNDAY'] } },
      { price_components: [c('ENERGY', r2(base))] },
    ];
    if (site !== 'AC') t.elements.push({ price_components: [c('PARKING_TIME', 6, 60)] });
    t.tariff_alt_text = [{ language: 'en', text: 'Cheaper at night (22:00-06:00) and at weekends.' }];
  }
  return t;
}

// ---------------------------------------------------------------------------------------------- locations

export interface DemoNetworkOptions {
  /** Number of locations (default 2,000; ~3.2 EVSEs each). */
  locations?: number;
  seed?: number;
}

export interface DemoNetwork {
  parties: DemoParty[];
  tariffs: DemoTariff[];
  size: number;
  /** Location number i (0 ≤ i < size), always the same for the same seed. */
  location(i: number): Location;
  /** All locations, `size` at a time. */
  batches(size: number): Generator<Location[]>;
}

type Kind = 'street' | 'supermarket' | 'mall' | 'hotel' | 'garage' | 'station' | 'fuel' | 'hub' | 'motorway';

const cityWeights = CITIES.map((c) => [c, c.weight] as const);
const mainland = CITIES.filter((c) => !c.island);
const operatorsByCountry = new Map<string, (readonly [Operator, number])[]>();
for (const op of OPERATORS) {
  for (const [cc, w] of Object.entries(op.countries)) {
    const list = operatorsByCountry.get(cc) ?? [];
    list.push([op, w]);
    operatorsByCountry.set(cc, list);
  }
}
const MOTORWAY_OPERATORS = OPERATORS.filter((o) => o.motorway);
const AZORES = CITIES.find((c) => c.island) as City;

const STATUS_WEIGHTS: (readonly [EvseStatus, number])[] = [
  ['AVAILABLE', 72],
  ['CHARGING', 17],
  ['BLOCKED', 2],
  ['RESERVED', 1],
  ['OUTOFORDER', 3],
  ['INOPERATIVE', 1],
  ['UNKNOWN', 4],
];

const BASE_UPDATED = Date.parse('2026-11-20T06:00:00Z');
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The UTC instant of a local wall-clock time in a time zone (pure; uses the tz database via Intl). */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
export function localToUtc(date: string, time: string, timeZone: string): string {
  const guess = Date.parse(`${date}T${time}:00Z`);
  let f = zoneFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    zoneFormats.set(timeZone, f);
  }
  const fmt = f;
  const offsetAt = (ms: number) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!) - ms;
  };
  let ms = guess - offsetAt(guess);
  ms = guess - offsetAt(ms);
  return iso(ms);
}

function postalCode(rng: Rng, pattern: string): string {
  return pattern.replace(/[#@]/g, (ch) =>
    ch === '#' ? String(rng.int(0, 9)) : String.fromCharCode(65 + rng.int(0, 25)),
  );
}

function streetAddress(lang: Lang, street: string, n: number): string {
  if (lang === 'fr') return `${n} ${street}`;
  if (lang === 'pt' || lang === 'es' || lang === 'it') return `${street}, ${n}`;
  return `${street} ${n}`;
}

const week = (days: number[], begin: string, end: string) =>
  days.map((weekday) => ({ weekday, period_begin: begin, period_end: end }));

function openingTimes(rng: Rng, kind: Kind, city: City, tz: string): { hours?: Hours; whenClosed?: boolean } {
  const sundayClosed = city.country === 'DE' || city.country === 'AT';
  switch (kind) {
    case 'supermarket': {
      const hours: Hours = {
        twentyfourseven: false,
        regular_hours: [
          ...week([1, 2, 3, 4, 5, 6], '07:00', rng.chance(0.5) ? '21:00' : '22:00'),
          ...(sundayClosed
            ? []
            : week([7], city.country === 'FR' ? '09:00' : '10:00', city.country === 'FR' ? '13:00' : '18:00')),
        ],
      };
      if (rng.chance(0.08)) {
        hours.exceptional_closings = [
          { period_begin: localToUtc('2026-12-25', '00:00', tz), period_end: localToUtc('2026-12-26', '00:00', tz) },
        ];
      }
      if (sundayClosed && rng.chance(0.1)) {
        hours.exceptional_openings = [
          { period_begin: localToUtc('2026-12-20', '10:00', tz), period_end: localToUtc('2026-12-20', '18:00', tz) },
        ];
      }
      return { hours, whenClosed: false };
    }
    case 'mall':
      return {
        hours: {
          twentyfourseven: false,
          regular_hours: week(sundayClosed ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7], '09:00', '20:00'),
        },
        whenClosed: false,
      };
    case 'garage':
      // Open past midnight: 06:00 until 01:00 the next day.
      return rng.chance(0.5)
        ? {
            hours: { twentyfourseven: false, regular_hours: week([1, 2, 3, 4, 5, 6, 7], '06:00', '01:00') },
            whenClosed: true,
          }
        : { hours: { twentyfourseven: true } };
    case 'fuel':
      return rng.chance(0.3)
        ? {
            hours: { twentyfourseven: false, regular_hours: week([1, 2, 3, 4, 5, 6, 7], '06:00', '23:00') },
            whenClosed: false,
          }
        : { hours: { twentyfourseven: true } };
    default: {
      if (rng.chance(0.5)) return {};
      const hours: Hours = { twentyfourseven: true };
      if (rng.chance(0.04)) {
        // Planned maintenance.
        hours.exceptional_closings = [
          { period_begin: localToUtc('2027-01-12', '02:00', tz), period_end: localToUtc('2027-01-12', '06:00', tz) },
        ];
      }
      return { hours };
    }
  }
}

const FACILITIES: Record<Kind, Facility[][]> = {
  street: [[], ['BUS_STOP'], ['TRAM_STOP'], ['CAFE']],
  supermarket: [['SUPERMARKET'], ['SUPERMARKET', 'CAFE']],
  mall: [['MALL', 'CAFE', 'RESTAURANT', 'WIFI']],
  hotel: [['HOTEL', 'RESTAURANT', 'WIFI']],
  garage: [['PARKING_LOT'], ['PARKING_LOT', 'METRO_STATION']],
  station: [
    ['TRAIN_STATION', 'CARPOOL_PARKING'],
    ['TRAIN_STATION', 'BIKE_SHARING', 'TAXI_STAND'],
  ],
  fuel: [['FUEL_STATION', 'CAFE']],
  hub: [
    ['CAFE', 'WIFI'],
    ['RESTAURANT', 'WIFI', 'SUPERMARKET'],
  ],
  motorway: [
    ['FUEL_STATION', 'RESTAURANT', 'WIFI'],
    ['RECREATION_AREA', 'CAFE'],
  ],
};

interface EvsePlan {
  kind: 'AC' | 'DC50' | 'DC150' | 'HPC300';
}

function evsePlans(rng: Rng, kind: Kind): EvsePlan[] {
  const n = (k: EvsePlan['kind'], count: number) => Array.from({ length: count }, () => ({ kind: k }));
  switch (kind) {
    case 'street':
      return n('AC', rng.chance(0.5) ? 2 : 1);
    case 'supermarket':
    case 'mall':
    case 'hotel':
    case 'garage':
    case 'station': {
      const plans = n('AC', rng.int(2, 6));
      if (rng.chance(0.2)) plans.push({ kind: 'DC50' });
      return plans;
    }
    case 'fuel':
      return n(rng.chance(0.5) ? 'DC50' : 'DC150', rng.int(1, 3));
    case 'hub':
      return [...n('DC150', rng.int(2, 4)), ...n('HPC300', rng.int(0, 2))];
    case 'motorway':
      return [...n('HPC300', rng.int(2, 6)), ...n('DC150', rng.int(1, 2))];
  }
}

type ConnectorBody = Pick<
  Connector,
  'standard' | 'format' | 'power_type' | 'max_voltage' | 'max_amperage' | 'max_electric_power' | 'tariff_ids'
>;

function connectorsFor(
  rng: Rng,
  plan: EvsePlan,
  city: City,
  tariffs: (site: Site) => string[],
  updated: string,
): Connector[] {
  const conn = (c: ConnectorBody, i: number): Connector => ({
    id: String(i + 1),
    ...c,
    last_updated: updated,
  });
  if (plan.kind === 'AC') {
    const amps = rng.chance(0.55) ? 32 : 16;
    const list: ConnectorBody[] = [
      {
        standard: 'IEC_62196_T2',
        format: rng.chance(0.85) ? 'SOCKET' : 'CABLE',
        power_type: 'AC_3_PHASE',
        max_voltage: 230,
        max_amperage: amps,
        // 22 kW points are often limited to 22,000 W by the CPO.
        ...(amps === 32 && rng.chance(0.5) ? { max_electric_power: 22000 } : {}),
        tariff_ids: tariffs('AC'),
      },
    ];
    if (rng.chance(0.12)) {
      list.push({
        standard: city.country === 'FR' || city.country === 'BE' ? 'DOMESTIC_E' : 'DOMESTIC_F',
        format: 'SOCKET',
        power_type: 'AC_1_PHASE',
        max_voltage: 230,
        max_amperage: 16,
        tariff_ids: tariffs('AC'),
      });
    }
    return list.map(conn);
  }
  const dc = (
    max_voltage: number,
    max_amperage: number,
    max_electric_power: number,
    standard: Connector['standard'],
  ) => ({
    standard,
    format: 'CABLE' as const,
    power_type: 'DC' as const,
    max_voltage,
    max_amperage,
    max_electric_power,
    tariff_ids: tariffs(max_electric_power > 50000 ? 'HPC' : 'DC'),
  });
  if (plan.kind === 'DC50') {
    const list = [dc(500, 125, 50000, 'IEC_62196_T2_COMBO')];
    if (rng.chance(0.4)) list.push(dc(500, 125, 50000, 'CHADEMO'));
    return list.map(conn);
  }
  if (plan.kind === 'DC150') return [dc(920, 200, 150000, 'IEC_62196_T2_COMBO')].map(conn);
  return [dc(920, 500, 300000, 'IEC_62196_T2_COMBO')].map(conn);
}

function placeName(rng: Rng, kind: Kind, lang: Lang, city: string, street: string, op: Operator): string | undefined {
  const w = PLACE_WORDS[lang];
  const dir = rng.pick(w.directions);
  switch (kind) {
    case 'street':
      return rng.chance(0.15) ? undefined : `${op.name} ${street}`;
    case 'supermarket':
      return `${w.supermarket} ${street}`;
    case 'mall':
      return `${w.mall} ${city} ${dir}`;
    case 'hotel':
      return `${w.hotel} ${city} ${dir}`;
    case 'garage':
      return `${w.garage} ${street}`;
    case 'station':
      return `${w.station} ${city}`;
    case 'fuel':
      return `${w.fuel} ${street}`;
    case 'hub':
      return `${w.hub} ${city} ${dir}`;
    case 'motorway':
      return `${w.motorway} ${city} ${dir}`;
  }
}

const PARKING: Record<Kind, Location['parking_type']> = {
  street: 'ON_STREET',
  supermarket: 'PARKING_LOT',
  mall: 'PARKING_GARAGE',
  hotel: 'PARKING_LOT',
  garage: 'UNDERGROUND_GARAGE',
  station: 'PARKING_LOT',
  fuel: 'PARKING_LOT',
  hub: 'PARKING_LOT',
  motorway: 'ALONG_MOTORWAY',
};

function makeLocation(seed: number, i: number): Location {
  const rng = new Rng(mulberry32(streamSeed(seed, i)));
  let city: City;
  let lat: number;
  let lon: number;
  let kind: Kind;
  let op: Operator;
  let address: string | undefined;
  if (i % 500 === 7) {
    // A few locations on the Azores (their own time zone and VAT), whatever the size.
    city = AZORES;
  } else {
    city = rng.weighted(cityWeights);
  }
  const country = COUNTRIES[city.country] as Country;
  const sameCountry = mainland.filter((c) => c.country === city.country && c !== city);
  if (!city.island && sameCountry.length > 0 && rng.chance(0.2)) {
    // Along a motorway between two cities of the country.
    const other = rng.pick(sameCountry);
    const t = 0.15 + 0.7 * rng.next();
    lat = city.lat + (other.lat - city.lat) * t + rng.gaussian() * 0.01;
    lon = city.lon + (other.lon - city.lon) * t + rng.gaussian() * 0.01;
    if (t > 0.5) city = other;
    kind = 'motorway';
    op = rng.chance(0.6)
      ? rng.pick(MOTORWAY_OPERATORS)
      : rng.weighted(operatorsByCountry.get(city.country) ?? [[OPERATORS[0] as Operator, 1]]);
    address = `${country.road}, km ${rng.int(3, 480)}`;
  } else {
    const sigmaKm = 1.5 + 1.1 * Math.sqrt(city.weight);
    lat = city.lat + (rng.gaussian() * sigmaKm) / 111.2;
    lon = city.lon + (rng.gaussian() * sigmaKm) / (111.2 * Math.cos((city.lat * Math.PI) / 180));
    kind = rng.weighted<Kind>([
      ['street', 44],
      ['supermarket', 12],
      ['mall', 5],
      ['hotel', 5],
      ['garage', 9],
      ['station', 6],
      ['fuel', 10],
      ['hub', 9],
    ]);
    op = rng.weighted(operatorsByCountry.get(city.country) ?? [[OPERATORS[0] as Operator, 1]]);
  }
  const lang = city.lang;
  const street = rng.pick(STREETS[lang]);
  const n = rng.int(1, 180);
  address ??= streetAddress(lang, street, n);
  const region = regionOf(city);
  const tz = city.timeZone ?? country.timeZone;
  const seq = String(i + 1).padStart(6, '0');
  const id = `${op.party_id}${seq}`;
  const updatedMs = BASE_UPDATED - Math.floor(rng.next() * 30 * 86400_000);
  const adHoc = rng.chance(0.3);
  const tariffs = (site: Site) =>
    adHoc ? [tariffId(region.code, site), tariffId(region.code, 'ADHOC')] : [tariffId(region.code, site)];
  const { hours, whenClosed } = openingTimes(rng, kind, city, tz);

  const evses: Evse[] = evsePlans(rng, kind).map((plan, k) => {
    const evseUpdated = iso(updatedMs - Math.floor(rng.next() * 86400_000));
    const dc = plan.kind !== 'AC';
    const evse: Evse = {
      uid: `${id}-${k + 1}`,
      evse_id: `${op.country_code}*${op.party_id}*E${seq}*${k + 1}`,
      status: rng.weighted(STATUS_WEIGHTS),
      capabilities: [
        'RFID_READER',
        'REMOTE_START_STOP_CAPABLE',
        ...(dc || adHoc ? (['CREDIT_CARD_PAYABLE', 'CONTACTLESS_CARD_SUPPORT'] as const) : []),
        ...(rng.chance(0.2) ? (['RESERVABLE'] as const) : []),
      ],
      connectors: connectorsFor(rng, plan, city, tariffs, evseUpdated),
      physical_reference:
        kind === 'motorway' || kind === 'hub' ? `${String.fromCharCode(65 + (k % 26))}${k + 1}` : String(k + 1),
      last_updated: evseUpdated,
    };
    if (kind === 'garage' || kind === 'mall') evse.floor_level = String(-rng.int(1, 2));
    if (kind === 'street') evse.parking_restrictions = ['EV_ONLY'];
    return evse;
  });

  const location: Location = {
    country_code: op.country_code,
    party_id: op.party_id,
    id,
    publish: true,
    address,
    city: city.name,
    postal_code: postalCode(rng, city.postal),
    country: country.alpha3,
    coordinates: { latitude: lat.toFixed(6), longitude: lon.toFixed(6) },
    parking_type: PARKING[kind],
    evses,
    operator: { name: op.name, website: op.website },
    facilities: rng.pick(FACILITIES[kind]),
    time_zone: tz,
    last_updated: iso(Math.max(updatedMs, ...evses.map((e) => Date.parse(e.last_updated)))),
  };
  const name = placeName(rng, kind, lang, city.name, street, op);
  if (name !== undefined) location.name = name;
  if (hours) location.opening_times = hours;
  if (whenClosed !== undefined) location.charging_when_closed = whenClosed;
  if (kind === 'garage' || kind === 'mall') {
    location.directions = [
      { language: 'en', text: `Level ${evses[0]?.floor_level ?? '-1'}, follow the EV charging signs.` },
    ];
  }
  if (rng.chance(0.35)) location.energy_mix = { is_green_energy: true, energy_product_name: `${op.name} Green` };
  if (rng.chance(0.01)) {
    // Fleet depot: not public, shown only to the fleet's tokens.
    location.publish = false;
    location.publish_allowed_to = [{ group_id: `${op.party_id}-FLEET` }];
  }
  return location;
}

export function generateDemoNetwork(opts: DemoNetworkOptions = {}): DemoNetwork {
  const seed = opts.seed ?? 42;
  const size = opts.locations ?? 2000;
  const parties: DemoParty[] = OPERATORS.map((o) => ({
    country_code: o.country_code,
    party_id: o.party_id,
    name: o.name,
    role: 'CPO',
    integrated: true,
    website: o.website,
  }));
  const tariffs = OPERATORS.flatMap((op) =>
    operatorRegions(op).flatMap((region) =>
      (['AC', 'DC', 'HPC', 'ADHOC'] as const).map((site) => makeTariff(op, region, site)),
    ),
  );
  return {
    parties,
    tariffs,
    size,
    location: (i) => makeLocation(seed, i),
    *batches(batchSize: number) {
      for (let start = 0; start < size; start += batchSize) {
        const batch: Location[] = [];
        for (let i = start; i < Math.min(size, start + batchSize); i++) batch.push(makeLocation(seed, i));
        yield batch;
      }
    },
  };
}
