// The simulated CPO prices with the project's tariff engine (one pricing truth): the element choice that splits
// charging periods, the live Session cost and the final CDR totals all come from `priceCdr`. Pure.
import type { Connector } from '../../../src/modules/network/index.ts';
import { type PriceResult, type PricingPolicy, priceCdr, type Tariff } from '../../../src/modules/tariffs/index.ts';
import type { ChargingPeriod, ElementProbe } from './meter.ts';
import { ocpiDateTime, parseOcpiDateTime } from './ocpi.ts';

/** Live cost while charging: no step rounding, no min_price (the result is an "at least" amount). */
export const LIVE_POLICY: Partial<PricingPolicy> = { applyStepSize: false, applyMinPrice: false };

/**
 * A probe of the tariff's element choice at an instant: prices a synthetic CDR whose last period starts at that
 * instant (after one period carrying the energy so far, so min/max_kwh and durations see the session state) and
 * reads which element/component priced each volume dimension from the engine's price proof.
 */
export function tariffProbe(tariff: Tariff, timeZone: string): ElementProbe {
  const tariffId = tariff.id;
  return (input) => {
    const periods: ChargingPeriod[] = [];
    if (input.atMs > input.sessionStartMs) {
      periods.push({
        start_date_time: ocpiDateTime(input.sessionStartMs),
        dimensions: [{ type: 'ENERGY', volume: input.energyKwh }],
        tariff_id: tariffId,
      });
    }
    const dims: ChargingPeriod['dimensions'] = [
      { type: 'ENERGY', volume: 1 },
      { type: 'TIME', volume: 1 },
      { type: 'PARKING_TIME', volume: 1 },
    ];
    if (input.charging && input.powerKw !== undefined) {
      dims.push({ type: 'MIN_POWER', volume: input.powerKw }, { type: 'MAX_POWER', volume: input.powerKw });
    }
    if (input.charging && input.currentA !== undefined) {
      dims.push({ type: 'MIN_CURRENT', volume: input.currentA }, { type: 'MAX_CURRENT', volume: input.currentA });
    }
    periods.push({ start_date_time: ocpiDateTime(input.atMs), dimensions: dims, tariff_id: tariffId });
    const outcome = priceCdr({
      cdr: {
        start_date_time: ocpiDateTime(input.sessionStartMs),
        end_date_time: ocpiDateTime(input.atMs + 3_600_000),
        charging_periods: periods,
      },
      tariffs: [tariff],
      timeZone,
      policy: { applyStepSize: false, applyMinPrice: false, applyMaxPrice: false },
    });
    if (!outcome.ok) return `error:${outcome.error.code}`;
    const proof = outcome.result.breakdown?.periods;
    const last = proof?.[proof.length - 1];
    if (!last) return '';
    return last.lines
      .filter((l) => l.dimension !== 'FLAT')
      .map((l) => `${l.dimension}@${l.tariff_id}#${l.element_index}.${l.component_index}`)
      .sort()
      .join(',');
  };
}

/** Whether the element choice can change during a session (any element has restrictions); if not, no probing. */
export function tariffVaries(tariff: Tariff): boolean {
  return tariff.elements.some(
    (e) => e.restrictions && Object.values(e.restrictions).some((v) => v !== undefined && v !== null),
  );
}

/**
 * The tariff a session at this connector is priced with: the first of the connector's tariff_ids that exists, is not
 * AD_HOC_PAYMENT (those sessions never reach an eMSP) and is valid at the session start.
 */
export function sessionTariff(connector: Connector, tariffs: ReadonlyMap<string, Tariff>, atMs: number): Tariff | null {
  for (const id of connector.tariff_ids ?? []) {
    const t = tariffs.get(id);
    if (!t || t.type === 'AD_HOC_PAYMENT') continue;
    if (t.start_date_time && parseOcpiDateTime(t.start_date_time) > atMs) continue;
    if (t.end_date_time && parseOcpiDateTime(t.end_date_time) <= atMs) continue;
    return t;
  }
  return null;
}

export interface OcpiPrice {
  excl_vat: number;
  incl_vat: number;
}

export interface CdrCosts {
  total_cost: OcpiPrice;
  total_fixed_cost?: OcpiPrice;
  total_energy: number;
  total_energy_cost?: OcpiPrice;
  total_time: number;
  total_time_cost?: OcpiPrice;
  total_parking_time?: number;
  total_parking_cost?: OcpiPrice;
  total_reservation_cost?: OcpiPrice;
}

const price = (m: { excl_vat: string; incl_vat: string }): OcpiPrice => ({
  excl_vat: Number(m.excl_vat),
  incl_vat: Number(m.incl_vat),
});

export type PriceSessionResult =
  | { ok: true; costs: CdrCosts; result: PriceResult | null }
  | { ok: false; message: string };

/** Prices a session's periods (FINAL for a CDR, LIVE for a running Session) with the tariff engine. */
export function priceSession(input: {
  startMs: number;
  endMs: number;
  periods: readonly ChargingPeriod[];
  tariff: Tariff | null;
  timeZone: string;
  currency: string;
  mode: 'FINAL' | 'LIVE';
}): PriceSessionResult {
  const totalEnergy = input.periods.reduce(
    (sum, p) => sum + p.dimensions.reduce((s, d) => s + (d.type === 'ENERGY' ? d.volume : 0), 0),
    0,
  );
  if (!input.tariff) {
    // No tariff relevant: free of charge.
    const hours = (input.endMs - input.startMs) / 3_600_000;
    const costs: CdrCosts = {
      total_cost: { excl_vat: 0, incl_vat: 0 },
      total_energy: Math.round(totalEnergy * 10_000) / 10_000,
      total_time: Math.round(hours * 10_000) / 10_000,
    };
    return { ok: true, costs, result: null };
  }
  const outcome = priceCdr({
    cdr: {
      start_date_time: ocpiDateTime(input.startMs),
      end_date_time: ocpiDateTime(input.endMs),
      charging_periods: input.periods,
      currency: input.currency,
    },
    tariffs: [input.tariff],
    timeZone: input.timeZone,
    ...(input.mode === 'LIVE' ? { policy: LIVE_POLICY } : {}),
    breakdown: false,
  });
  if (!outcome.ok) return { ok: false, message: `${outcome.error.code}: ${outcome.error.message}` };
  const r = outcome.result;
  const costs: CdrCosts = {
    total_cost: price(r.total_cost),
    total_energy: Number(r.total_energy),
    total_time: Number(r.total_time),
  };
  if (r.total_fixed_cost) costs.total_fixed_cost = price(r.total_fixed_cost);
  if (r.total_energy_cost) costs.total_energy_cost = price(r.total_energy_cost);
  if (r.total_time_cost) costs.total_time_cost = price(r.total_time_cost);
  if (Number(r.total_parking_time) > 0) costs.total_parking_time = Number(r.total_parking_time);
  if (r.total_parking_cost) costs.total_parking_cost = price(r.total_parking_cost);
  if (r.total_reservation_cost) costs.total_reservation_cost = price(r.total_reservation_cost);
  return { ok: true, costs, result: r };
}
