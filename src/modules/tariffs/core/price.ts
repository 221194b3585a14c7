// Exact OCPI 2.2.1 CDR pricing (digest §11): per-period, per-dimension element choice; step_size once at the
// end on the billable session total; FLAT once per session part; VAT per component; min/max on the total;
// one rounding of each reported field. Pure: no I/O, no clock. Produces a JSON price proof on request.
import type { Decimal } from 'decimal.js';
import { Dec, fixed, MS_PER_HOUR, SECONDS_PER_HOUR, str, THOUSAND, ZERO } from './decimal.ts';
import {
  type CompiledComponent,
  type CompiledTariff,
  compileTariff,
  type ElementExplanation,
  explainChoice,
  isTariffValidAt,
  type MatchContext,
  type Part,
  type Selection,
  selectComponents,
} from './element-choice.ts';
import { assertTimeZone, describeLocal, InvalidTimeZoneError, parseInstant, toLocal } from './local-time.ts';
import { type PricingPolicy, resolvePolicy } from './policy.ts';
import { Qty } from './qty.ts';
import type { CdrDimension, Tariff } from './tariff.schema.ts';

// --- input ------------------------------------------------------------------------------------------------

export interface PricingPeriod {
  start_date_time: string;
  dimensions: readonly Pick<CdrDimension, 'type' | 'volume'>[];
  tariff_id?: string | null;
}

/** The CDR (or finished Session) fields pricing reads. */
export interface PricingCdr {
  start_date_time: string;
  end_date_time: string;
  charging_periods: readonly PricingPeriod[];
  currency?: string;
}

export interface PricingRequest {
  cdr: PricingCdr;
  /** Tariffs to price with (e.g. the CDR's embedded `tariffs`, or the CPO's tariffs). */
  tariffs: readonly Tariff[];
  /** IANA zone of the Location (restrictions are local wall-clock rules). */
  timeZone: string;
  policy?: Partial<PricingPolicy>;
  /** Build the price proof (default true). */
  breakdown?: boolean;
}

// --- output -----------------------------------------------------------------------------------------------

export interface MoneyPair {
  excl_vat: string;
  incl_vat: string;
}

export type LineDimension = 'FLAT' | 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'RESERVATION_TIME';
export type CostCategory = 'fixed' | 'energy' | 'time' | 'parking' | 'reservation';

export interface LineProof {
  dimension: LineDimension;
  category: CostCategory;
  tariff_id: string;
  element_index: number;
  component_index: number;
  /** Restrictions of the chosen element, with the actual values, that matched. */
  matched_restrictions: string[];
  /** Earlier elements having this dimension that did not match, with the first failing restriction. */
  skipped_elements: ElementExplanation[];
  unit: 'kWh' | 'h' | 'session';
  /** Volume from the CDR (1 for FLAT). */
  volume: string;
  /** step_size surplus added to this line (only on the last priced line of a rounding group). */
  step_surplus: string;
  billed_volume: string;
  unit_price: string;
  /** VAT percentage; null = no VAT applicable (absent in the tariff), which is not the same as "0". */
  vat: string | null;
  step_size: number;
  excl_vat: string;
  incl_vat: string;
}

export interface PeriodProof {
  index: number;
  start_date_time: string;
  end_date_time: string;
  part: Part;
  tariff_id: string | null;
  /** Local wall clock at the period start, e.g. "2024-03-31T03:00:00 SUNDAY (+02:00)". */
  local_start: string;
  /** Session-part energy before this period (kWh) and elapsed time (s): the state restrictions saw. */
  energy_before_kwh: string;
  elapsed_seconds: number;
  lines: LineProof[];
  /** Volumes with no active component (free). */
  unpriced: { dimension: LineDimension; volume: string }[];
}

export interface StepRoundingProof {
  group: 'ENERGY' | 'TIME_AND_PARKING' | 'RESERVATION_TIME';
  dimension: LineDimension;
  step_size: number;
  step_unit: 'Wh' | 's';
  /** Volume that was rounded (billable or all, per policy), in kWh/h. */
  volume: string;
  rounded_volume: string;
  surplus: string;
  applied_to_period: number;
}

export interface PriceLimitProof {
  kind: 'MIN_PRICE' | 'MAX_PRICE';
  tariff_id: string;
  before: MoneyPair;
  after: MoneyPair;
  /** after − before (the adjustment line). */
  adjustment: MoneyPair;
  allocation: PricingPolicy['limitAllocation'];
}

export interface PriceBreakdown {
  time_zone: string;
  periods: PeriodProof[];
  step_rounding: StepRoundingProof[];
  price_limits: PriceLimitProof[];
  /** Unrounded totals (full precision). */
  exact: { total_cost: MoneyPair } & Record<Exclude<CostTotalField, 'total_cost'>, MoneyPair | null>;
}

export type CostTotalField =
  | 'total_cost'
  | 'total_fixed_cost'
  | 'total_energy_cost'
  | 'total_time_cost'
  | 'total_parking_cost'
  | 'total_reservation_cost';

export interface PricingWarning {
  code:
    | 'PERIOD_OUTSIDE_SESSION'
    | 'PERIOD_NOT_SPLIT_AT_RESTRICTION_BOUNDARY'
    | 'PERIOD_WITHOUT_TARIFF'
    | 'UNSORTED_PERIODS'
    | 'NO_PERIODS';
  message: string;
  period_index?: number;
}

export interface PriceResult {
  currency: string;
  /** FINAL: a complete session. AT_LEAST: live cost so far (no step rounding, no min_price). */
  semantics: 'FINAL' | 'AT_LEAST';
  total_cost: MoneyPair;
  /** null when no line of that kind was priced (OCPI: field absent). */
  total_fixed_cost: MoneyPair | null;
  total_energy_cost: MoneyPair | null;
  total_time_cost: MoneyPair | null;
  total_parking_cost: MoneyPair | null;
  total_reservation_cost: MoneyPair | null;
  /** kWh. */
  total_energy: string;
  /** Hours, end − start of the session (charging + not charging). */
  total_time: string;
  total_parking_time: string;
  total_reservation_time: string;
  warnings: PricingWarning[];
  policy: PricingPolicy;
  breakdown: PriceBreakdown | null;
}

export type PricingErrorCode =
  | 'INVALID_TIME_ZONE'
  | 'INVALID_DATE_TIME'
  | 'INVALID_INPUT'
  | 'NO_TARIFF'
  | 'UNKNOWN_TARIFF'
  | 'TARIFF_NOT_VALID'
  | 'CURRENCY_MISMATCH';

export interface PricingError {
  code: PricingErrorCode;
  message: string;
}

export type PricingOutcome = { ok: true; result: PriceResult } | { ok: false; error: PricingError };

export class PricingFailure extends Error {
  constructor(
    readonly code: PricingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// --- internals --------------------------------------------------------------------------------------------

interface Line {
  period: number;
  dim: LineDimension;
  category: CostCategory;
  tariff: CompiledTariff;
  comp: CompiledComponent;
  volume: Qty;
  surplus: Decimal;
}

/** Billed volume per component (money is computed once per component: Σ qty × price = (Σ qty) × price). */
interface Bucket {
  comp: CompiledComponent;
  category: CostCategory;
  volume: Qty;
  surplus: Decimal;
}

interface Period {
  index: number;
  startMs: number;
  endMs: number;
  part: Part;
  tariff: CompiledTariff | null;
  ctx: MatchContext;
  /** Raw volumes per line dimension (summed when a type repeats). */
  vol: Partial<Record<LineDimension, Qty>>;
  /** Session-part energy before the period (for the proof). */
  energyBefore: Qty;
  lines: Line[];
}

interface Totals {
  excl: Decimal;
  incl: Decimal;
}

/** Internal result with full-precision totals (used by audit and live cost). */
export interface ExactPrice {
  result: PriceResult;
  exact: { total_cost: Totals } & Record<Exclude<CostTotalField, 'total_cost'>, Totals | null>;
}

function instant(s: string, what: string): number {
  const ms = parseInstant(s);
  if (Number.isNaN(ms)) throw new PricingFailure('INVALID_DATE_TIME', `${what}: invalid DateTime "${s}"`);
  return ms;
}

class TariffResolver {
  private readonly byId = new Map<string, CompiledTariff[]>();
  readonly all: CompiledTariff[];
  constructor(
    tariffs: readonly Tariff[],
    private readonly sessionStartMs: number,
    private readonly policy: PricingPolicy,
  ) {
    this.all = tariffs.map(compileTariff);
    for (const t of this.all) {
      const list = this.byId.get(t.id);
      if (list) list.push(t);
      else this.byId.set(t.id, [t]);
    }
  }
  private pick(list: readonly CompiledTariff[], what: string): CompiledTariff {
    for (const t of list) if (isTariffValidAt(t, this.sessionStartMs)) return t;
    if (!this.policy.enforceTariffValidity && list[0]) return list[0];
    throw new PricingFailure(
      'TARIFF_NOT_VALID',
      `${what} is not valid at the session start ${new Date(this.sessionStartMs).toISOString()} (start_date_time/end_date_time)`,
    );
  }
  private sessionTariff: CompiledTariff | undefined;
  /** The tariff for periods without tariff_id: the first given tariff valid at session start. */
  session(): CompiledTariff {
    if (this.sessionTariff) return this.sessionTariff;
    if (this.all.length === 0) throw new PricingFailure('NO_TARIFF', 'no tariff given to price the session with');
    this.sessionTariff = this.pick(this.all, 'no given tariff');
    return this.sessionTariff;
  }
  byTariffId(id: string): CompiledTariff {
    const list = this.byId.get(id);
    if (!list)
      throw new PricingFailure('UNKNOWN_TARIFF', `charging period names tariff_id "${id}" which was not given`);
    return list.length === 1 && isTariffValidAt(list[0]!, this.sessionStartMs)
      ? list[0]!
      : this.pick(list, `tariff "${id}"`);
  }
}

function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

function sumInto(acc: Partial<Record<LineDimension, Qty>>, dim: LineDimension, v: number): void {
  const prev = acc[dim];
  if (prev === undefined) acc[dim] = Qty.of(v);
  else prev.addNumber(v);
}

/** Prices a CDR. Throws PricingFailure for expected input errors; see `priceCdr` for the value-returning form. */
export function computePrice(req: PricingRequest, mode: 'FINAL' | 'AT_LEAST' = 'FINAL'): ExactPrice {
  const policy = resolvePolicy(req.policy);
  const wantProof = req.breakdown !== false;
  const tz = req.timeZone;
  try {
    assertTimeZone(tz);
  } catch (e) {
    if (e instanceof InvalidTimeZoneError) throw new PricingFailure('INVALID_TIME_ZONE', e.message);
    throw e;
  }
  const cdr = req.cdr;
  const sessionStartMs = instant(cdr.start_date_time, 'start_date_time');
  const sessionEndMs = instant(cdr.end_date_time, 'end_date_time');
  const resolver = new TariffResolver(req.tariffs, sessionStartMs, policy);
  const warnings: PricingWarning[] = [];

  // Periods in time order; each ends where the next starts, the last at the session end.
  const raw = cdr.charging_periods;
  const starts = raw.map((p, i) => instant(p.start_date_time, `charging_periods[${i}].start_date_time`));
  let order = raw.map((_, i) => i);
  for (let i = 1; i < starts.length; i++) {
    if (starts[i]! < starts[i - 1]!) {
      order = order.slice().sort((a, b) => starts[a]! - starts[b]! || a - b);
      warnings.push({ code: 'UNSORTED_PERIODS', message: 'charging periods were not in time order; sorted' });
      break;
    }
  }
  if (raw.length === 0) warnings.push({ code: 'NO_PERIODS', message: 'the CDR has no charging periods' });

  // Session parts: periods with RESERVATION_TIME belong to the reservation; the rest to charging.
  let hasReservation = false;
  let hasCharging = false;
  const isReservation: boolean[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const dims = raw[i]!.dimensions;
    let r = false;
    for (let k = 0; k < dims.length; k++) if (dims[k]!.type === 'RESERVATION_TIME') r = true;
    isReservation[i] = r;
    if (r) hasReservation = true;
    else hasCharging = true;
  }
  const reservationPart: Part = hasReservation && !hasCharging ? 'RESERVATION_EXPIRED' : 'RESERVATION';

  const periods: Period[] = [];
  const lines: Line[] = [];
  const chargingEnergy = new Qty();
  const reservationEnergy = new Qty();
  const buckets = new Map<CompiledComponent, Bucket>();
  let chargingStartMs: number | null = null;
  let reservationStartMs: number | null = null;
  const totalEnergy = new Qty();
  const totalParking = new Qty();
  const totalReservation = new Qty();
  const flatBilled: Record<'CHARGING' | 'RESERVATION', CompiledComponent | null | false> = {
    CHARGING: false,
    RESERVATION: false,
  };
  let flatSessionDone = false;
  let limitTariff: CompiledTariff | null = null;
  let currency: string | null = null;

  for (let n = 0; n < order.length; n++) {
    const i = order[n]!;
    const p = raw[i]!;
    const startMs = starts[i]!;
    const endMs = n + 1 < order.length ? starts[order[n + 1]!]! : sessionEndMs;
    if (startMs < sessionStartMs || startMs > sessionEndMs) {
      warnings.push({
        code: 'PERIOD_OUTSIDE_SESSION',
        message: `charging period ${i} starts outside the session start/end`,
        period_index: i,
      });
    }
    const part: Part = isReservation[i] ? reservationPart : 'CHARGING';
    const isCharging = part === 'CHARGING';
    let tariff: CompiledTariff | null;
    if (p.tariff_id) tariff = resolver.byTariffId(p.tariff_id);
    else if (policy.periodWithoutTariffId === 'SESSION_TARIFF') tariff = resolver.session();
    else {
      tariff = null;
      warnings.push({
        code: 'PERIOD_WITHOUT_TARIFF',
        message: `charging period ${i} has no tariff_id: free`,
        period_index: i,
      });
    }
    if (tariff) {
      if (currency === null) currency = tariff.currency;
      else if (currency !== tariff.currency)
        throw new PricingFailure('CURRENCY_MISMATCH', `tariffs in ${currency} and ${tariff.currency} in one session`);
      if (limitTariff === null) limitTariff = tariff;
    }

    // Dimensions of the period.
    const vol: Partial<Record<LineDimension, Qty>> = {};
    let minCurrent: number | undefined;
    let maxCurrent: number | undefined;
    let avgCurrent: number | undefined;
    let minPower: number | undefined;
    let maxPower: number | undefined;
    let avgPower: number | undefined;
    const dims = p.dimensions;
    for (let k = 0; k < dims.length; k++) {
      const d = dims[k]!;
      switch (d.type) {
        case 'ENERGY':
          sumInto(vol, 'ENERGY', d.volume);
          break;
        case 'TIME':
          sumInto(vol, 'TIME', d.volume);
          break;
        case 'PARKING_TIME':
          sumInto(vol, 'PARKING_TIME', d.volume);
          break;
        case 'RESERVATION_TIME':
          sumInto(vol, 'RESERVATION_TIME', d.volume);
          break;
        case 'MIN_CURRENT':
          minCurrent = d.volume;
          break;
        case 'MAX_CURRENT':
          maxCurrent = d.volume;
          break;
        case 'CURRENT':
          avgCurrent = d.volume;
          break;
        case 'MIN_POWER':
          minPower = d.volume;
          break;
        case 'MAX_POWER':
          maxPower = d.volume;
          break;
        case 'POWER':
          avgPower = d.volume;
          break;
        default:
          break;
      }
    }
    let partStart: number;
    if (isCharging) {
      if (chargingStartMs === null) chargingStartMs = startMs;
      partStart = chargingStartMs;
    } else {
      if (reservationStartMs === null) reservationStartMs = startMs;
      partStart = reservationStartMs;
    }
    const energyBefore = isCharging ? chargingEnergy : reservationEnergy;
    const ctx: MatchContext = {
      local: toLocal(startMs, tz),
      // Decimal only when a restriction needs it (the proof recomputes it).
      energyKwh: (tariff?.usesKwh ?? false) ? energyBefore.toDec() : ZERO,
      elapsedMs: startMs - partStart,
      minCurrent: minCurrent ?? avgCurrent,
      maxCurrent: maxCurrent ?? avgCurrent,
      minPower: minPower ?? avgPower,
      maxPower: maxPower ?? avgPower,
    };
    const period: Period = {
      index: i,
      startMs,
      endMs,
      part,
      tariff,
      ctx,
      vol,
      energyBefore: wantProof ? energyBefore.clone() : energyBefore,
      lines: [],
    };
    periods.push(period);

    if (tariff) {
      const sel = selectComponents(tariff, part, ctx, policy);
      if (policy.warnUnsplitPeriods && endMs - 1 > startMs) {
        const endCtx: MatchContext = {
          ...ctx,
          local: toLocal(endMs - 1, tz),
          elapsedMs: endMs - 1 - partStart,
        };
        const other = selectComponents(tariff, part, endCtx, policy);
        if (!sameSelection(sel, other)) {
          warnings.push({
            code: 'PERIOD_NOT_SPLIT_AT_RESTRICTION_BOUNDARY',
            message: `charging period ${i}: a different price component becomes active before the period ends; priced with the one active at its start`,
            period_index: i,
          });
        }
      }
      const partKey = isCharging ? 'CHARGING' : 'RESERVATION';
      const category: CostCategory = isCharging ? 'fixed' : 'reservation';
      if (sel.FLAT) {
        let bill: boolean;
        if (policy.flat === 'ONCE_PER_SESSION') bill = !flatSessionDone;
        else if (policy.flat === 'ONCE_PER_PART') bill = flatBilled[partKey] === false;
        else bill = flatBilled[partKey] !== sel.FLAT;
        if (bill) {
          const line: Line = {
            period: i,
            dim: 'FLAT',
            category,
            tariff,
            comp: sel.FLAT,
            volume: Qty.of(1),
            surplus: ZERO,
          };
          lines.push(line);
          period.lines.push(line);
          addToBucket(buckets, line);
          flatBilled[partKey] = sel.FLAT;
          flatSessionDone = true;
        }
      }
      if (isCharging) {
        addLine(period, lines, buckets, 'ENERGY', 'energy', tariff, sel.ENERGY);
        addLine(period, lines, buckets, 'TIME', 'time', tariff, sel.TIME);
        addLine(period, lines, buckets, 'PARKING_TIME', 'parking', tariff, sel.PARKING_TIME);
      } else {
        addLine(period, lines, buckets, 'RESERVATION_TIME', 'reservation', tariff, sel.TIME);
      }
    }
    const e = vol.ENERGY;
    if (e !== undefined) {
      totalEnergy.add(e);
      energyBefore.add(e);
    }
    if (vol.PARKING_TIME !== undefined) totalParking.add(vol.PARKING_TIME);
    if (vol.RESERVATION_TIME !== undefined) totalReservation.add(vol.RESERVATION_TIME);
  }

  // step_size: once per session part and group, on the final segment's billable total (§11.6).
  const steps: StepRoundingProof[] = [];
  if (mode === 'FINAL' && policy.applyStepSize) {
    roundGroup(periods, lines, buckets, 'ENERGY', 'ENERGY', THOUSAND, policy, steps);
    let timeDim: LineDimension | null;
    const lastTime = lastLineOf(lines, 'TIME');
    const lastParking = lastLineOf(lines, 'PARKING_TIME');
    if (policy.timeRounding === 'PARKING_IF_PRICED') timeDim = lastParking ? 'PARKING_TIME' : lastTime ? 'TIME' : null;
    else if (lastTime && lastParking) timeDim = lastTime.period > lastParking.period ? 'TIME' : 'PARKING_TIME';
    else timeDim = lastParking ? 'PARKING_TIME' : lastTime ? 'TIME' : null;
    if (timeDim) roundGroup(periods, lines, buckets, timeDim, 'TIME_AND_PARKING', SECONDS_PER_HOUR, policy, steps);
    roundGroup(periods, lines, buckets, 'RESERVATION_TIME', 'RESERVATION_TIME', SECONDS_PER_HOUR, policy, steps);
  }

  // Amounts: line excl = billed volume × price; incl = excl × (1 + vat/100). Full precision.
  const sub: Record<CostCategory, Totals | null> = {
    fixed: null,
    energy: null,
    time: null,
    parking: null,
    reservation: null,
  };
  let totalExcl = ZERO;
  let totalIncl = ZERO;
  for (const b of buckets.values()) {
    const billed = b.surplus.isZero() ? b.volume.toDec() : b.volume.toDec().plus(b.surplus);
    const excl = billed.mul(b.comp.price);
    const incl = b.comp.vat === null ? excl : excl.mul(b.comp.vatFactor);
    const sc = sub[b.category];
    if (sc === null) sub[b.category] = { excl, incl };
    else {
      sc.excl = sc.excl.plus(excl);
      sc.incl = sc.incl.plus(incl);
    }
    totalExcl = totalExcl.plus(excl);
    totalIncl = totalIncl.plus(incl);
  }

  // min_price / max_price on the session total; excl and incl clamped independently (§11.8).
  const limits: PriceLimitProof[] = [];
  const total: Totals = { excl: totalExcl, incl: totalIncl };
  if (limitTariff) {
    const before = { excl: totalExcl, incl: totalIncl };
    if (policy.applyMaxPrice && limitTariff.maxPrice) {
      clamp(total, limitTariff.maxPrice, 'MAX_PRICE', policy);
      recordLimit(limits, 'MAX_PRICE', limitTariff, before, total, policy);
    }
    const mid = { excl: total.excl, incl: total.incl };
    if (policy.applyMinPrice && mode === 'FINAL' && limitTariff.minPrice) {
      clamp(total, limitTariff.minPrice, 'MIN_PRICE', policy);
      recordLimit(limits, 'MIN_PRICE', limitTariff, mid, total, policy);
    }
    if (policy.limitAllocation === 'PROPORTIONAL' && limits.length > 0) {
      const fx = totalExcl.isZero() ? null : total.excl.div(totalExcl);
      const fi = totalIncl.isZero() ? null : total.incl.div(totalIncl);
      for (const key of Object.keys(sub) as CostCategory[]) {
        const s = sub[key];
        if (s === null) continue;
        if (fx) s.excl = s.excl.mul(fx);
        if (fi) s.incl = s.incl.mul(fi);
      }
    }
  }

  const exact: ExactPrice['exact'] = {
    total_cost: total,
    total_fixed_cost: sub.fixed,
    total_energy_cost: sub.energy,
    total_time_cost: sub.time,
    total_parking_cost: sub.parking,
    total_reservation_cost: sub.reservation,
  };
  const dp = policy.decimals;
  const rm = policy.rounding;
  const money = (t: Totals | null): MoneyPair | null =>
    t === null ? null : { excl_vat: fixed(t.excl, dp, rm), incl_vat: fixed(t.incl, dp, rm) };
  const sessionCurrency = currency ?? cdr.currency ?? resolver.all[0]?.currency ?? '';
  if (cdr.currency && sessionCurrency && cdr.currency !== sessionCurrency)
    throw new PricingFailure(
      'CURRENCY_MISMATCH',
      `CDR currency ${cdr.currency} differs from tariff currency ${sessionCurrency}`,
    );

  const result: PriceResult = {
    currency: sessionCurrency,
    semantics: mode,
    total_cost: money(total)!,
    total_fixed_cost: money(sub.fixed),
    total_energy_cost: money(sub.energy),
    total_time_cost: money(sub.time),
    total_parking_cost: money(sub.parking),
    total_reservation_cost: money(sub.reservation),
    total_energy: fixed(totalEnergy.toDec(), dp, rm),
    total_time: fixed(new Dec(sessionEndMs - sessionStartMs).div(MS_PER_HOUR), dp, rm),
    total_parking_time: fixed(totalParking.toDec(), dp, rm),
    total_reservation_time: fixed(totalReservation.toDec(), dp, rm),
    warnings,
    policy,
    breakdown: null,
  };
  if (wantProof) {
    const exactOut = {} as Record<CostTotalField, MoneyPair | null>;
    for (const [k, v] of Object.entries(exact) as [CostTotalField, Totals | null][])
      exactOut[k] = v === null ? null : { excl_vat: str(v.excl), incl_vat: str(v.incl) };
    const exactProof = exactOut as PriceBreakdown['exact'];
    result.breakdown = {
      time_zone: tz,
      periods: periods.map((p) => periodProof(p, tz, policy)),
      step_rounding: steps,
      price_limits: limits,
      exact: exactProof,
    };
  }
  return { result, exact };
}

function sameSelection(a: Selection, b: Selection): boolean {
  return a.FLAT === b.FLAT && a.ENERGY === b.ENERGY && a.TIME === b.TIME && a.PARKING_TIME === b.PARKING_TIME;
}

function addToBucket(buckets: Map<CompiledComponent, Bucket>, line: Line): void {
  const b = buckets.get(line.comp);
  if (b === undefined)
    buckets.set(line.comp, { comp: line.comp, category: line.category, volume: line.volume.clone(), surplus: ZERO });
  else b.volume.add(line.volume);
}

function addLine(
  period: Period,
  lines: Line[],
  buckets: Map<CompiledComponent, Bucket>,
  dim: LineDimension,
  category: CostCategory,
  tariff: CompiledTariff,
  comp: CompiledComponent | null,
): void {
  const v = period.vol[dim];
  if (v === undefined || comp === null) return;
  const line: Line = { period: period.index, dim, category, tariff, comp, volume: v, surplus: ZERO };
  lines.push(line);
  period.lines.push(line);
  addToBucket(buckets, line);
}

function lastLineOf(lines: readonly Line[], dim: LineDimension): Line | null {
  for (let k = lines.length - 1; k >= 0; k--) if (lines[k]!.dim === dim) return lines[k]!;
  return null;
}

/**
 * Rounds the session total of `dim` up to the step of the last priced component and adds the surplus to that
 * last line. Only the final tariff segment counts (no step rounding across a tariff switch, §11.6-7).
 */
function roundGroup(
  periods: readonly Period[],
  lines: readonly Line[],
  buckets: Map<CompiledComponent, Bucket>,
  dim: LineDimension,
  group: StepRoundingProof['group'],
  unitsPerQty: Decimal,
  policy: PricingPolicy,
  out: StepRoundingProof[],
): void {
  const last = lastLineOf(lines, dim);
  if (!last) return;
  const step = last.comp.stepSize;
  if (step <= 0) return;
  // The tariff segment (consecutive periods of the same part and tariff) that holds the last priced line.
  const at = periods.findIndex((p) => p.index === last.period);
  const reservation = last.dim === 'RESERVATION_TIME';
  const inSegment = (p: Period) => p.tariff === last.tariff && (p.part !== 'CHARGING') === reservation;
  let lo = at;
  while (lo > 0 && inSegment(periods[lo - 1]!)) lo--;
  let hi = at;
  while (hi + 1 < periods.length && inSegment(periods[hi + 1]!)) hi++;
  const acc = new Qty();
  for (let pos = lo; pos <= hi; pos++) {
    const p = periods[pos]!;
    const v = p.vol[dim];
    if (v === undefined) continue;
    if (policy.stepSizeVolume === 'ALL' || p.lines.some((l) => l.dim === dim)) acc.add(v);
  }
  const volume = acc.toDec();
  const units = volume.mul(unitsPerQty);
  const stepD = new Dec(step);
  const roundedUnits = units.div(stepD).ceil().mul(stepD);
  if (roundedUnits.eq(units)) return;
  const surplus = roundedUnits.minus(units).div(unitsPerQty);
  last.surplus = surplus;
  buckets.get(last.comp)!.surplus = surplus;
  out.push({
    group,
    dimension: dim,
    step_size: step,
    step_unit: dim === 'ENERGY' ? 'Wh' : 's',
    volume: str(volume),
    rounded_volume: str(roundedUnits.div(unitsPerQty)),
    surplus: str(surplus),
    applied_to_period: last.period,
  });
}

function clamp(
  total: Totals,
  limit: { excl: Decimal; incl: Decimal | null },
  kind: 'MIN_PRICE' | 'MAX_PRICE',
  policy: PricingPolicy,
): void {
  const beyond = (a: Decimal, b: Decimal) => (kind === 'MAX_PRICE' ? a.gt(b) : a.lt(b));
  const oldExcl = total.excl;
  if (beyond(total.excl, limit.excl)) total.excl = limit.excl;
  if (limit.incl !== null) {
    if (beyond(total.incl, limit.incl)) total.incl = limit.incl;
  } else if (policy.limitWithoutInclVat === 'KEEP_VAT_RATIO' && !total.excl.eq(oldExcl)) {
    // The limit has no incl_vat: apply the session's effective VAT rate to the adjusted amount.
    total.incl = oldExcl.isZero() ? total.excl : total.incl.mul(total.excl).div(oldExcl);
  }
}

function recordLimit(
  out: PriceLimitProof[],
  kind: 'MIN_PRICE' | 'MAX_PRICE',
  t: CompiledTariff,
  before: Totals,
  after: Totals,
  policy: PricingPolicy,
): void {
  if (before.excl.eq(after.excl) && before.incl.eq(after.incl)) return;
  out.push({
    kind,
    tariff_id: t.id,
    before: { excl_vat: str(before.excl), incl_vat: str(before.incl) },
    after: { excl_vat: str(after.excl), incl_vat: str(after.incl) },
    adjustment: { excl_vat: str(after.excl.minus(before.excl)), incl_vat: str(after.incl.minus(before.incl)) },
    allocation: policy.limitAllocation,
  });
}

const UNIT: Record<LineDimension, LineProof['unit']> = {
  FLAT: 'session',
  ENERGY: 'kWh',
  TIME: 'h',
  PARKING_TIME: 'h',
  RESERVATION_TIME: 'h',
};

function periodProof(p: Period, tz: string, policy: PricingPolicy): PeriodProof {
  // The proof shows the energy state restrictions saw; recompute it as a Decimal here.
  const ctx: MatchContext = { ...p.ctx, energyKwh: p.energyBefore.toDec() };
  const lines: LineProof[] = p.lines.map((l) => {
    const volume = l.volume.toDec();
    const billed = volume.plus(l.surplus);
    const excl = billed.mul(l.comp.price);
    const incl = l.comp.vat === null ? excl : excl.mul(l.comp.vatFactor);
    const selDim = l.dim === 'RESERVATION_TIME' ? 'TIME' : l.dim;
    const why = explainChoice(l.tariff, p.part, selDim, ctx, policy);
    return {
      dimension: l.dim,
      category: l.category,
      tariff_id: l.tariff.id,
      element_index: l.comp.elementIndex,
      component_index: l.comp.componentIndex,
      matched_restrictions: why.matched,
      skipped_elements: why.skipped,
      unit: UNIT[l.dim],
      volume: str(volume),
      step_surplus: str(l.surplus),
      billed_volume: str(billed),
      unit_price: str(l.comp.price),
      vat: l.comp.vat === null ? null : str(l.comp.vat),
      step_size: l.comp.stepSize,
      excl_vat: str(excl),
      incl_vat: str(incl),
    };
  });
  const unpriced: PeriodProof['unpriced'] = [];
  for (const [dim, v] of Object.entries(p.vol) as [LineDimension, Qty][]) {
    if (!p.lines.some((l) => l.dim === dim)) unpriced.push({ dimension: dim, volume: str(v.toDec()) });
  }
  return {
    index: p.index,
    start_date_time: isoMs(p.startMs),
    end_date_time: isoMs(p.endMs),
    part: p.part,
    tariff_id: p.tariff?.id ?? null,
    local_start: describeLocal(p.startMs, tz),
    energy_before_kwh: str(ctx.energyKwh),
    elapsed_seconds: p.ctx.elapsedMs / 1000,
    lines,
    unpriced,
  };
}

/** Prices a CDR; expected input problems come back as `{ok:false, error:{code, message}}`. */
export function priceCdr(req: PricingRequest): PricingOutcome {
  try {
    return { ok: true, result: computePrice(req).result };
  } catch (e) {
    if (e instanceof PricingFailure) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}
