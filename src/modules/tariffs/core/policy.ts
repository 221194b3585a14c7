// Pricing policy: every point where OCPI 2.2.1 leaves the choice open (digest §11.14) is a switch here.
// Defaults follow the spec text where it speaks and the worked examples where it does not.
import type { RoundingMode } from './decimal.ts';

export interface PricingPolicy {
  /**
   * §11.14-1 step_size total: `BILLABLE` rounds only volume that had an active component (spec example 3,
   * fixed Sept 2025); `ALL` rounds the whole volume of the dimension (tandemdrive 2024 behaviour).
   */
  stepSizeVolume: 'BILLABLE' | 'ALL';
  /** Apply step_size at all (live cost disables it: billing happens at the end of the session). */
  applyStepSize: boolean;
  /**
   * §11.14-2 FLAT: `ONCE_PER_PART` bills the first active FLAT once for the reservation part and once for the
   * charging part (tariff_16 example); `ONCE_PER_SESSION` only once; `ON_CHANGE` again whenever a different
   * FLAT component becomes active.
   */
  flat: 'ONCE_PER_PART' | 'ONCE_PER_SESSION' | 'ON_CHANGE';
  /**
   * §11.14-3 Restrictions are evaluated at each period's start. With `warnUnsplitPeriods` the engine also
   * evaluates the last instant of the period and warns when the choice would differ (CPO did not split).
   */
  warnUnsplitPeriods: boolean;
  /**
   * §11.14-4 min/max current and power use MIN_x/MAX_x of the period (falling back to the Session's average
   * CURRENT/POWER). When no such dimension exists: `MATCH` treats the restriction as satisfied (tandemdrive),
   * `NO_MATCH` as not satisfied.
   */
  missingPowerOrCurrent: 'MATCH' | 'NO_MATCH';
  /**
   * §11.14-5 `start_time == end_time`: `ALL_DAY` (a 24 h window) or `NEVER`. `end_time "00:00"` always means
   * end of day; wrapping windows use the weekday/date of the instant evaluated.
   */
  equalStartEndTime: 'ALL_DAY' | 'NEVER';
  /**
   * §11.14-6 TIME vs PARKING_TIME rounding: `PARKING_IF_PRICED` rounds only the parking total when parking was
   * priced (spec), else the TIME total; `LAST_PRICED` rounds whichever of the two was priced last.
   */
  timeRounding: 'PARKING_IF_PRICED' | 'LAST_PRICED';
  /** §11.14-7 Money: rounding of every reported amount, once, from full-precision totals. */
  rounding: RoundingMode;
  /** Decimals of reported money and quantities (OCPI numbers carry 4). */
  decimals: number;
  /**
   * §11.14-8 min/max allocation: `TOTAL_ONLY` changes only total_cost and shows the adjustment as its own line;
   * `PROPORTIONAL` also scales every subtotal by the same factor.
   */
  limitAllocation: 'TOTAL_ONLY' | 'PROPORTIONAL';
  /**
   * §11.14-8 a limit without incl_vat: `KEEP_VAT_RATIO` adjusts incl_vat by the same factor as excl_vat (the
   * session's effective VAT rate applies); `EXCL_ONLY` clamps excl_vat only.
   */
  limitWithoutInclVat: 'KEEP_VAT_RATIO' | 'EXCL_ONLY';
  /** Apply min_price (live cost disables it: the result is then an "at least" amount). */
  applyMinPrice: boolean;
  /** Apply max_price. */
  applyMaxPrice: boolean;
  /**
   * A period without tariff_id: `SESSION_TARIFF` prices it with the session's tariff (first given tariff valid at
   * session start; CPOs commonly omit tariff_id); `FREE` follows the spec text literally (no tariff relevant).
   */
  periodWithoutTariffId: 'SESSION_TARIFF' | 'FREE';
  /** §11.14-9 two components of the same type in one element: the first is used (`FIRST`). Fixed. */
  duplicateComponent: 'FIRST';
  /** Reject a named tariff whose start/end_date_time does not cover the session start. */
  enforceTariffValidity: boolean;
}

export const DEFAULT_PRICING_POLICY: Readonly<PricingPolicy> = Object.freeze({
  stepSizeVolume: 'BILLABLE',
  applyStepSize: true,
  flat: 'ONCE_PER_PART',
  warnUnsplitPeriods: false,
  missingPowerOrCurrent: 'MATCH',
  equalStartEndTime: 'ALL_DAY',
  timeRounding: 'PARKING_IF_PRICED',
  rounding: 'HALF_UP',
  decimals: 4,
  limitAllocation: 'TOTAL_ONLY',
  limitWithoutInclVat: 'KEEP_VAT_RATIO',
  applyMinPrice: true,
  applyMaxPrice: true,
  periodWithoutTariffId: 'SESSION_TARIFF',
  duplicateComponent: 'FIRST',
  enforceTariffValidity: true,
} satisfies PricingPolicy);

export function resolvePolicy(overrides?: Partial<PricingPolicy>): PricingPolicy {
  return overrides ? { ...DEFAULT_PRICING_POLICY, ...overrides } : DEFAULT_PRICING_POLICY;
}
