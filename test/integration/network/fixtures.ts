// A small hand-made network around Berlin with known distances, for exact search assertions.
import type { Kysely } from 'kysely';
import { type Location, upsertLocation, upsertParty, upsertTariff } from '../../../src/modules/network/index.ts';
import type { Database } from '../../../src/platform/db/schema.ts';

const STAMP = '2026-11-01T00:00:00Z';

type ConnectorSpec = { standard: string; power_type: string; v: number; a: number; w?: number; tariffs?: string[] };

function evse(uid: string, status: string, connectors: ConnectorSpec[]) {
  return {
    uid,
    evse_id: `DE*AAA*E${uid}`,
    status,
    connectors: connectors.map((c, i) => ({
      id: String(i + 1),
      standard: c.standard,
      format: 'CABLE',
      power_type: c.power_type,
      max_voltage: c.v,
      max_amperage: c.a,
      ...(c.w ? { max_electric_power: c.w } : {}),
      tariff_ids: c.tariffs ?? [],
      last_updated: STAMP,
    })),
    last_updated: STAMP,
  };
}

const T2_22 = (tariffs = ['T-AC']): ConnectorSpec => ({
  standard: 'IEC_62196_T2',
  power_type: 'AC_3_PHASE',
  v: 230,
  a: 32,
  w: 22000,
  tariffs,
});
const T2_11: ConnectorSpec = { standard: 'IEC_62196_T2', power_type: 'AC_3_PHASE', v: 230, a: 16, tariffs: ['T-AC'] };
const CCS = (w: number): ConnectorSpec => ({
  standard: 'IEC_62196_T2_COMBO',
  power_type: 'DC',
  v: 920,
  a: 400,
  w,
  tariffs: ['T-DC'],
});
const CHADEMO: ConnectorSpec = { standard: 'CHADEMO', power_type: 'DC', v: 500, a: 125, w: 50000, tariffs: ['T-DC'] };

function location(
  cc: string,
  pid: string,
  id: string,
  name: string,
  lat: number,
  lon: number,
  evses: ReturnType<typeof evse>[],
  extra: Record<string, unknown> = {},
): Location {
  return {
    country_code: cc,
    party_id: pid,
    id,
    publish: true,
    name,
    address: `${name} 1`,
    city: lat > 52.4 && lat < 52.7 ? 'Berlin' : 'Elsewhere',
    postal_code: '10115',
    country: 'DEU',
    coordinates: { latitude: lat.toFixed(6), longitude: lon.toFixed(6) },
    evses,
    time_zone: 'Europe/Berlin',
    last_updated: STAMP,
    ...extra,
  } as Location;
}

/** The builders, for tests that add a location of their own. */
export { CCS, CHADEMO, evse as fixtureEvse, location as fixtureLocation, T2_22 };

export const BERLIN = { lat: 52.52, lon: 13.405 };

export const FIXTURE_LOCATIONS: Location[] = [
  location(
    'DE',
    'AAA',
    'L1',
    'Alpha Mitte',
    52.52,
    13.405,
    [evse('L1-1', 'AVAILABLE', [T2_22()]), evse('L1-2', 'CHARGING', [T2_22()])],
    {
      opening_times: { twentyfourseven: true },
    },
  ),
  location('DE', 'AAA', 'L2', 'Alpha Ost', 52.52, 13.45, [evse('L2-1', 'CHARGING', [CCS(150000)])]),
  location('FR', 'BBB', 'L3', 'Beta Garage', 52.54, 13.405, [evse('L3-1', 'AVAILABLE', [T2_11])], {
    opening_times: {
      twentyfourseven: false,
      regular_hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, period_begin: '08:00', period_end: '20:00' })),
    },
    operator: { name: 'Beta Operations', website: 'https://beta.example' },
  }),
  location('DE', 'AAA', 'L4', 'Zeta Far', 52.65, 13.405, [evse('L4-1', 'AVAILABLE', [CCS(50000), CHADEMO])]),
  location('DE', 'AAA', 'L5', 'Hidden Depot', 52.521, 13.406, [evse('L5-1', 'AVAILABLE', [T2_22()])], {
    publish: false,
  }),
  location('DE', 'AAA', 'L6', 'Gone', 52.519, 13.404, [evse('L6-1', 'REMOVED', [T2_22()])]),
  location('DE', 'AAA', 'DUP1', 'Alpha Amsterdam', 52.37, 4.9, [evse('D1-1', 'AVAILABLE', [T2_22()])]),
  location('NL', 'CCC', 'DUP1', 'Gamma Amsterdam', 52.371, 4.901, [evse('D2-1', 'AVAILABLE', [T2_22([])])]),
  location('DE', 'AAA', 'L9', 'Broken Hamburg', 53.55, 10.0, [evse('L9-1', 'OUTOFORDER', [T2_22()])]),
];

export const FIXTURE_TARIFFS = [
  {
    country_code: 'DE',
    party_id: 'AAA',
    id: 'T-AC',
    currency: 'EUR',
    type: 'REGULAR',
    elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 19, step_size: 1 }] }],
    last_updated: STAMP,
  },
  {
    country_code: 'DE',
    party_id: 'AAA',
    id: 'T-DC',
    currency: 'EUR',
    type: 'REGULAR',
    tariff_alt_text: [{ language: 'en', text: 'Cheaper at night.' }],
    elements: [
      {
        price_components: [{ type: 'ENERGY', price: 0.4, vat: 19, step_size: 1 }],
        restrictions: { start_time: '22:00', end_time: '06:00' },
      },
      { price_components: [{ type: 'ENERGY', price: 0.5, vat: 19, step_size: 1 }] },
    ],
    last_updated: STAMP,
  },
  {
    country_code: 'FR',
    party_id: 'BBB',
    id: 'T-AC',
    currency: 'EUR',
    elements: [
      {
        price_components: [
          { type: 'FLAT', price: 1, vat: 20, step_size: 1 },
          { type: 'TIME', price: 2, vat: 20, step_size: 60 },
        ],
      },
    ],
    last_updated: STAMP,
  },
];

export async function seedFixtureNetwork(db: Kysely<Database>): Promise<void> {
  await upsertParty(db, { country_code: 'DE', party_id: 'AAA', name: 'Alpha Laden' });
  await upsertParty(db, { country_code: 'FR', party_id: 'BBB', name: 'Beta Bornes' });
  await upsertParty(db, { country_code: 'NL', party_id: 'CCC', name: 'Gamma Laadpalen' });
  for (const t of FIXTURE_TARIFFS) await upsertTariff(db, t);
  for (const l of FIXTURE_LOCATIONS) {
    const r = await upsertLocation(db, l, l);
    if (!r.ok) throw new Error(r.message);
  }
}
