// CDR audit: the CPO's claimed costs against our recomputation with the tariff engine (priceCdr), field by
// field, within a tolerance. Pure. The engine decides the price; this only compares.
import { Decimal } from 'decimal.js';
import {
  type MoneyPair,
  type PriceResult,
  type PricingOutcome,
  type PricingRequest,
  priceCdr,
  type Tariff,
} from '../../tariffs/index.ts';

export const COST_FIELDS = [
  'total_cost',
  'total_fixed_cost',
  'total_energy_cost',
  'total_time_cost',
  'total_parking_cost',
  'total_reservation_cost',
] as const;
export type CostField = (typeof COST_FIELDS)[number];

interface ClaimedPrice {
  excl_vat: number;
  incl_vat?: number | null | undefined;
}

export interface AuditableCdr {
  start_date_time: string;
  end_date_time: string;
  currency: string;
  charging_periods: readonly {
    start_date_time: string;
    dimensions: readonly { type: string; volume: number }[];
    tariff_id?: string | null | undefined;
  }[];
  total_cost: ClaimedPrice;
  total_fixed_cost?: ClaimedPrice | null | undefined;
  total_energy_cost?: ClaimedPrice | null | undefined;
  total_time_cost?: ClaimedPrice | null | undefined;
  total_parking_cost?: ClaimedPrice | null | undefined;
  total_reservation_cost?: ClaimedPrice | null | undefined;
}

export interface CostDifference {
  field: CostField;
  vat: 'excl_vat' | 'incl_vat';
  claimed: string;
  expected: string;
  difference: string;
}

export type AuditOutcome =
  | { status: 'OK'; expected: PriceResult; differences: [] }
  | { status: 'DISPUTED'; kind: 'COST_MISMATCH'; expected: PriceResult; differences: CostDifference[]; message: string }
  | { status: 'UNAUDITABLE'; kind: 'UNPRICEABLE'; message: string };

/** Compares the CDR's claimed cost fields with the engine's price; a claimed field absent in our price is 0. */
export function auditCdrCosts(input: {
  cdr: AuditableCdr;
  tariffs: readonly Tariff[];
  timeZone: string;
  tolerance: string;
  /** How to price (default priceCdr); e.g. a memo shared with another caller pricing the same CDR. */
  price?: (req: PricingRequest) => PricingOutcome;
}): AuditOutcome {
  const { cdr } = input;
  const priced = (input.price ?? priceCdr)({
    cdr: {
      start_date_time: cdr.start_date_time,
      end_date_time: cdr.end_date_time,
      currency: cdr.currency,
      charging_periods: cdr.charging_periods as never,
    },
    tariffs: input.tariffs,
    timeZone: input.timeZone,
    breakdown: true,
  });
  if (!priced.ok)
    return { status: 'UNAUDITABLE', kind: 'UNPRICEABLE', message: `${priced.error.code}: ${priced.error.message}` };
  const result = priced.result;
  const tol = new Decimal(input.tolerance);
  const differences: CostDifference[] = [];
  for (const field of COST_FIELDS) {
    const claimed = cdr[field];
    if (claimed === null || claimed === undefined) continue; // optional subtotals the CPO did not state
    const expected: MoneyPair | null = result[field];
    for (const vat of ['excl_vat', 'incl_vat'] as const) {
      const c = claimed[vat];
      if (c === null || c === undefined) continue;
      const e = new Decimal(expected?.[vat] ?? 0);
      const diff = new Decimal(c).minus(e);
      if (diff.abs().greaterThan(tol)) {
        differences.push({ field, vat, claimed: String(c), expected: e.toString(), difference: diff.toString() });
      }
    }
  }
  if (differences.length === 0) return { status: 'OK', expected: result, differences: [] };
  const total = differences.find((d) => d.field === 'total_cost' && d.vat === 'excl_vat');
  const message = total
    ? `total_cost excl. VAT claimed ${total.claimed} ${cdr.currency}, expected ${total.expected} (difference ${total.difference})`
    : `${differences.length} cost field(s) differ beyond ${input.tolerance} ${cdr.currency}`;
  return { status: 'DISPUTED', kind: 'COST_MISMATCH', expected: result, differences, message };
}

/** Last-resort time zone from a CdrLocation's country (alpha-3) when the Location is unknown (single-zone only). */
const COUNTRY_ZONES: Record<string, string> = {
  AUT: 'Europe/Vienna',
  BEL: 'Europe/Brussels',
  CHE: 'Europe/Zurich',
  CZE: 'Europe/Prague',
  DEU: 'Europe/Berlin',
  DNK: 'Europe/Copenhagen',
  EST: 'Europe/Tallinn',
  FIN: 'Europe/Helsinki',
  FRA: 'Europe/Paris',
  GBR: 'Europe/London',
  HUN: 'Europe/Budapest',
  IRL: 'Europe/Dublin',
  ITA: 'Europe/Rome',
  LTU: 'Europe/Vilnius',
  LUX: 'Europe/Luxembourg',
  LVA: 'Europe/Riga',
  NLD: 'Europe/Amsterdam',
  NOR: 'Europe/Oslo',
  POL: 'Europe/Warsaw',
  SVK: 'Europe/Bratislava',
  SVN: 'Europe/Ljubljana',
  SWE: 'Europe/Stockholm',
};
export const countryTimeZone = (alpha3: string): string | null => COUNTRY_ZONES[alpha3.toUpperCase()] ?? null;
