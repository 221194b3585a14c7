// Estimate before start: from one tariff and an assumed consumption (e.g. 30 kWh at 50 kW from a given
// instant, then some parking), build the charging periods a CPO would send and price them with the same
// engine. Periods are cut wherever the active price components change (minute grid, duration and kWh
// thresholds), exactly as the CPO is obliged to.
import type { Decimal } from 'decimal.js';
import { Dec } from './decimal.ts';
import {
  type CompiledComponent,
  type CompiledElement,
  compileTariff,
  type MatchContext,
  type Selection,
  selectComponents,
} from './element-choice.ts';
import { toLocal } from './local-time.ts';
import { type PricingPolicy, resolvePolicy } from './policy.ts';
import { computePrice, type PriceResult, type PricingError, PricingFailure, type PricingPeriod } from './price.ts';
import type { Tariff } from './tariff.schema.ts';
import { formatMoney, priceText } from './text.ts';

export interface EstimateRequest {
  tariff: Tariff;
  /** Planned start instant. */
  start: Date;
  timeZone: string;
  /** Energy to charge, kWh. */
  energyKwh: number;
  /** Constant charging power, kW. */
  powerKw: number;
  /** Charging current (sum of phases), A, for current restrictions; unknown when absent. */
  currentA?: number;
  /** Minutes the car stays connected after charging. */
  parkingMinutes?: number;
  policy?: Partial<PricingPolicy>;
}

export interface EstimateComponent {
  kind: 'FLAT' | 'ENERGY' | 'TIME' | 'PARKING_TIME';
  excl_vat: string;
  incl_vat: string;
}

export interface Estimate {
  currency: string;
  charging_minutes: number;
  parking_minutes: number;
  total: { excl_vat: string; incl_vat: string };
  components: EstimateComponent[];
  /** Driver-facing lines, incl. VAT: the prices used, e.g. "0.35 € per kWh", then the expected total. */
  text: string[];
  /** The full pricing result (with the price proof) of the simulated session. */
  result: PriceResult;
}

export type EstimateOutcome = { ok: true; estimate: Estimate } | { ok: false; error: PricingError };

const MINUTE = 60_000;
const MAX_SESSION_MS = 7 * 24 * 3_600_000;

function sameSelection(a: Selection, b: Selection): boolean {
  return a.FLAT === b.FLAT && a.ENERGY === b.ENERGY && a.TIME === b.TIME && a.PARKING_TIME === b.PARKING_TIME;
}

interface Phase {
  startMs: number;
  endMs: number;
  parking: boolean;
}

export function estimateSession(req: EstimateRequest): EstimateOutcome {
  try {
    return { ok: true, estimate: estimate(req) };
  } catch (e) {
    if (e instanceof PricingFailure) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}

function estimate(req: EstimateRequest): Estimate {
  const policy = resolvePolicy(req.policy);
  if (!(req.energyKwh >= 0) || !(req.powerKw > 0)) {
    throw new PricingFailure('INVALID_INPUT', 'energyKwh must be >= 0 and powerKw > 0');
  }
  const t = compileTariff(req.tariff);
  const startMs = req.start.getTime();
  const energy = new Dec(req.energyKwh);
  const power = new Dec(req.powerKw);
  const chargeMs = Math.min(MAX_SESSION_MS, Math.round(energy.div(power).mul(3_600_000).toNumber()));
  const parkMs = Math.min(MAX_SESSION_MS, Math.round((req.parkingMinutes ?? 0) * MINUTE));
  const chargeEnd = startMs + chargeMs;
  const sessionEnd = chargeEnd + parkMs;

  // Energy (kWh, 6 decimals) delivered by instant ms: linear at constant power.
  const energyAt = (ms: number): Decimal => {
    const clamped = Math.min(Math.max(ms, startMs), chargeEnd);
    return power
      .mul(clamped - startMs)
      .div(3_600_000)
      .toDecimalPlaces(6);
  };
  const ctxAt = (ms: number, parking: boolean): MatchContext => ({
    local: toLocal(ms, req.timeZone),
    energyKwh: energyAt(ms),
    elapsedMs: ms - startMs,
    minCurrent: parking ? undefined : req.currentA,
    maxCurrent: parking ? undefined : req.currentA,
    minPower: parking ? undefined : req.powerKw,
    maxPower: parking ? undefined : req.powerKw,
  });

  // Candidate cut instants: minute grid + duration thresholds + kWh thresholds.
  const extra: number[] = [];
  for (const e of t.candidates.CHARGING as CompiledElement[]) {
    if (e.minDurationMs !== null) extra.push(startMs + e.minDurationMs);
    if (e.maxDurationMs !== null) extra.push(startMs + e.maxDurationMs);
    for (const k of [e.minKwh, e.maxKwh]) {
      if (k !== null) extra.push(startMs + Math.ceil(k.div(power).mul(3_600_000).toNumber()));
    }
  }
  const phases: Phase[] = [];
  const cutPhase = (from: number, to: number, parking: boolean) => {
    if (to <= from) return;
    const candidates = new Set<number>(extra.filter((x) => x > from && x < to));
    for (let m = Math.ceil((from + 1) / MINUTE) * MINUTE; m < to; m += MINUTE) candidates.add(m);
    const sorted = [...candidates].sort((a, b) => a - b);
    let segStart = from;
    let sel = selectComponents(t, 'CHARGING', ctxAt(from, parking), policy);
    for (const c of sorted) {
      const next = selectComponents(t, 'CHARGING', ctxAt(c, parking), policy);
      if (!sameSelection(sel, next)) {
        phases.push({ startMs: segStart, endMs: c, parking });
        segStart = c;
        sel = next;
      }
    }
    phases.push({ startMs: segStart, endMs: to, parking });
  };
  cutPhase(startMs, chargeEnd, false);
  cutPhase(chargeEnd, sessionEnd, true);

  const hours = (ms: number) => Number(new Dec(ms).div(3_600_000).toFixed(6));
  const periods: PricingPeriod[] = phases.map((ph) => {
    const dims: PricingPeriod['dimensions'][number][] = [];
    if (ph.parking) dims.push({ type: 'PARKING_TIME', volume: hours(ph.endMs - ph.startMs) });
    else {
      dims.push({ type: 'ENERGY', volume: energyAt(ph.endMs).minus(energyAt(ph.startMs)).toNumber() });
      dims.push({ type: 'TIME', volume: hours(ph.endMs - ph.startMs) });
      dims.push({ type: 'MIN_POWER', volume: req.powerKw }, { type: 'MAX_POWER', volume: req.powerKw });
      if (req.currentA !== undefined)
        dims.push({ type: 'MIN_CURRENT', volume: req.currentA }, { type: 'MAX_CURRENT', volume: req.currentA });
    }
    return { start_date_time: new Date(ph.startMs).toISOString(), dimensions: dims, tariff_id: t.id };
  });
  const { result } = computePrice({
    cdr: {
      start_date_time: new Date(startMs).toISOString(),
      end_date_time: new Date(sessionEnd).toISOString(),
      charging_periods: periods,
    },
    tariffs: [req.tariff],
    timeZone: req.timeZone,
    policy,
    breakdown: true,
  });

  // Driver-facing lines: each price component the simulated session used, in order of first use.
  const used: CompiledComponent[] = [];
  for (const p of result.breakdown?.periods ?? []) {
    for (const l of p.lines) {
      const c = t.elements[l.element_index]?.components[l.dimension === 'RESERVATION_TIME' ? 'TIME' : l.dimension];
      if (c && !used.includes(c)) used.push(c);
    }
  }
  const text: string[] = [];
  for (const c of used) {
    if (c.price.isZero()) continue;
    const window = t.elements[c.elementIndex]?.source.restrictions;
    const suffix =
      window?.start_time !== undefined || window?.end_time !== undefined
        ? ` (${window.start_time ?? '00:00'}–${window.end_time ?? '24:00'})`
        : '';
    text.push(priceText(c.type, c.price.mul(c.vatFactor), t.currency) + suffix);
  }
  if (t.minPrice) text.push(`Minimum price: ${formatMoney(t.minPrice.incl ?? t.minPrice.excl, t.currency)}`);
  if (t.maxPrice) text.push(`Maximum price: ${formatMoney(t.maxPrice.incl ?? t.maxPrice.excl, t.currency)}`);
  const total = result.breakdown?.exact.total_cost ?? result.total_cost;
  text.push(`Expected total: ${formatMoney(new Dec(total.incl_vat), t.currency)}`);

  const components: EstimateComponent[] = [];
  const add = (kind: EstimateComponent['kind'], m: { excl_vat: string; incl_vat: string } | null) => {
    if (m) components.push({ kind, excl_vat: m.excl_vat, incl_vat: m.incl_vat });
  };
  add('FLAT', result.total_fixed_cost);
  add('ENERGY', result.total_energy_cost);
  add('TIME', result.total_time_cost);
  add('PARKING_TIME', result.total_parking_cost);
  return {
    currency: result.currency,
    charging_minutes: chargeMs / MINUTE,
    parking_minutes: parkMs / MINUTE,
    total: result.total_cost,
    components,
    text,
    result,
  };
}
