// Price summary for the station map: the prices a driver starting a session at a given instant sees,
// derived with the same element choice as pricing (one pricing truth).
import type { Decimal } from 'decimal.js';
import { fixed, ZERO } from './decimal.ts';
import {
  type CompiledComponent,
  compileTariff,
  isTariffValidAt,
  type MatchContext,
  type RestrictionKey,
  selectComponents,
} from './element-choice.ts';
import { toLocal } from './local-time.ts';
import { type PricingPolicy, resolvePolicy } from './policy.ts';
import type { Tariff } from './tariff.schema.ts';
import { formatMoney, priceText } from './text.ts';

/** A unit price, 4-decimal strings; `vat` is the percentage or null when the tariff gives none. */
export interface PriceTag {
  excl_vat: string;
  incl_vat: string;
  vat: string | null;
}

export type VariesBy = 'TIME_OF_DAY' | 'DAY_OF_WEEK' | 'DATE' | 'ENERGY' | 'CURRENT' | 'POWER' | 'DURATION';

export interface TariffSummary {
  tariff_id: string;
  currency: string;
  /** Whether `at` lies within the tariff's start_date_time/end_date_time. */
  valid_at: boolean;
  /** Per kWh; null when absent or free. */
  energy: PriceTag | null;
  /** Per hour of charging. */
  time: PriceTag | null;
  /** Start fee (FLAT). */
  flat: PriceTag | null;
  /** Per hour of parking (not requesting power). */
  parking_time: PriceTag | null;
  min_price: { excl_vat: string; incl_vat: string | null } | null;
  max_price: { excl_vat: string; incl_vat: string | null } | null;
  /** True when some price depends on more than the instant's defaults (see varies_by). */
  varies: boolean;
  varies_by: VariesBy[];
  /** The tariff has reservation elements. */
  has_reservation_prices: boolean;
  /** Driver-facing lines, incl. VAT, e.g. "0.35 € per kWh". */
  text: string[];
}

const KEY_TO_VARIES: Record<RestrictionKey, VariesBy> = {
  time: 'TIME_OF_DAY',
  date: 'DATE',
  day_of_week: 'DAY_OF_WEEK',
  min_kwh: 'ENERGY',
  max_kwh: 'ENERGY',
  min_current: 'CURRENT',
  max_current: 'CURRENT',
  min_power: 'POWER',
  max_power: 'POWER',
  min_duration: 'DURATION',
  max_duration: 'DURATION',
};
const VARIES_ORDER: VariesBy[] = ['TIME_OF_DAY', 'DAY_OF_WEEK', 'DATE', 'ENERGY', 'CURRENT', 'POWER', 'DURATION'];

export function priceTag(c: CompiledComponent | null): PriceTag | null {
  if (c === null || c.price.isZero()) return null;
  return {
    excl_vat: fixed(c.price, 4, 'HALF_UP'),
    incl_vat: fixed(c.price.mul(c.vatFactor), 4, 'HALF_UP'),
    vat: c.vat === null ? null : c.vat.toFixed(),
  };
}

function limit(l: { excl: Decimal; incl: Decimal | null } | null) {
  return l ? { excl_vat: fixed(l.excl, 4, 'HALF_UP'), incl_vat: l.incl ? fixed(l.incl, 4, 'HALF_UP') : null } : null;
}

/**
 * Prices active at `at` for a typical session start (no energy yet, zero elapsed time, power/current unknown,
 * which the default policy treats as matching).
 */
export function summarizeTariff(
  tariff: Tariff,
  at: Date,
  timeZone: string,
  policyOverrides?: Partial<PricingPolicy>,
): TariffSummary {
  const policy = resolvePolicy(policyOverrides);
  const t = compileTariff(tariff);
  const ms = at.getTime();
  const ctx: MatchContext = {
    local: toLocal(ms, timeZone),
    energyKwh: ZERO,
    elapsedMs: 0,
    minCurrent: undefined,
    maxCurrent: undefined,
    minPower: undefined,
    maxPower: undefined,
  };
  const sel = selectComponents(t, 'CHARGING', ctx, policy);
  const varies = new Set<VariesBy>();
  for (const e of t.candidates.CHARGING) for (const k of e.keys) varies.add(KEY_TO_VARIES[k]);
  const varies_by = VARIES_ORDER.filter((v) => varies.has(v));
  const text: string[] = [];
  const add = (kind: 'FLAT' | 'ENERGY' | 'TIME' | 'PARKING_TIME', c: CompiledComponent | null) => {
    if (c && !c.price.isZero()) text.push(priceText(kind, c.price.mul(c.vatFactor), t.currency));
  };
  add('ENERGY', sel.ENERGY);
  add('TIME', sel.TIME);
  add('FLAT', sel.FLAT);
  add('PARKING_TIME', sel.PARKING_TIME);
  if (t.minPrice) text.push(`Minimum price: ${formatMoney(t.minPrice.incl ?? t.minPrice.excl, t.currency)}`);
  if (t.maxPrice) text.push(`Maximum price: ${formatMoney(t.maxPrice.incl ?? t.maxPrice.excl, t.currency)}`);
  if (text.length === 0) text.push('Free of charge');
  if (varies_by.length > 0) text.push('Prices vary during the session');
  return {
    tariff_id: t.id,
    currency: t.currency,
    valid_at: isTariffValidAt(t, ms),
    energy: priceTag(sel.ENERGY),
    time: priceTag(sel.TIME),
    flat: priceTag(sel.FLAT),
    parking_time: priceTag(sel.PARKING_TIME),
    min_price: limit(t.minPrice),
    max_price: limit(t.maxPrice),
    varies: varies_by.length > 0,
    varies_by,
    has_reservation_prices: t.candidates.RESERVATION.length + t.candidates.RESERVATION_EXPIRED.length > 0,
    text,
  };
}
