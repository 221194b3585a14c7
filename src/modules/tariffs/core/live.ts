// Live cost of a running session from its charging periods so far (the instant is a parameter, no clock).
// Without the end-of-session step_size rounding and without min_price: the amount is "at least" this.

import type { PricingPolicy } from './policy.ts';
import { computePrice, type PriceResult, PricingFailure, type PricingOutcome, type PricingPeriod } from './price.ts';
import type { Tariff } from './tariff.schema.ts';

export interface LiveCostRequest {
  session: { start_date_time: string; charging_periods: readonly PricingPeriod[]; currency?: string };
  tariffs: readonly Tariff[];
  timeZone: string;
  /** "Now": the end of the last period so far. */
  at: Date;
  policy?: Partial<PricingPolicy>;
  breakdown?: boolean;
}

/**
 * Prices the periods so far. `semantics` is `AT_LEAST`: the final CDR can only cost more (step_size rounding,
 * min_price and later periods are still to come); max_price is applied, since it caps any final amount.
 */
export function liveCost(req: LiveCostRequest): PricingOutcome {
  try {
    const { result } = computePrice(
      {
        cdr: {
          start_date_time: req.session.start_date_time,
          end_date_time: req.at.toISOString(),
          charging_periods: req.session.charging_periods,
          currency: req.session.currency,
        },
        tariffs: req.tariffs,
        timeZone: req.timeZone,
        policy: { ...req.policy, applyStepSize: false, applyMinPrice: false },
        breakdown: req.breakdown,
      },
      'AT_LEAST',
    );
    return { ok: true, result: result satisfies PriceResult };
  } catch (e) {
    if (e instanceof PricingFailure) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}
