// Prices a CDR once when two callers ask for the same price: the CDR audit (roaming) and the driver's price
// (charging) both price an incoming CDR with its tariffs in the location's time zone. Pure memory, bounded;
// a hit needs the same key and exactly the same inputs (CDR times and periods, tariffs, time zone, policy,
// breakdown), so a caller with other inputs prices anew.
import { type PricingOutcome, type PricingRequest, priceCdr } from './price.ts';

export interface PriceMemo {
  /** priceCdr(req), or the outcome of an earlier call under `key` with the same inputs (shared: do not mutate). */
  price(key: string, req: PricingRequest): PricingOutcome;
}

export function createPriceMemo(max = 1000): PriceMemo {
  const entries = new Map<string, { inputs: string; outcome: PricingOutcome }>();
  const inputsOf = (req: PricingRequest) =>
    JSON.stringify([
      req.cdr.start_date_time,
      req.cdr.end_date_time,
      req.cdr.currency ?? null,
      req.cdr.charging_periods,
      req.tariffs,
      req.timeZone,
      req.policy ?? null,
      req.breakdown ?? true,
    ]);
  return {
    price(key, req) {
      const inputs = inputsOf(req);
      const hit = entries.get(key);
      if (hit && hit.inputs === inputs) return hit.outcome;
      const outcome = priceCdr(req);
      entries.delete(key);
      entries.set(key, { inputs, outcome });
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
      return outcome;
    },
  };
}
