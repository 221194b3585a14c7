// Per-dimension element choice (OCPI 2.2.1 mod_tariffs; digest §11.3/§11.4): for each dimension, the first
// element in list order whose restrictions all match and that has a component of that dimension. This is
// the single place restrictions are evaluated; pricing, live cost, estimates and summaries all use it.
import { type Dec, dec, HUNDRED, ONE } from './decimal.ts';
import { formatLocalDate, formatMinute, type LocalTime, parseInstant, WEEKDAYS } from './local-time.ts';
import type { PricingPolicy } from './policy.ts';
import type { PriceComponent, Tariff, TariffDimensionType, TariffElement } from './tariff.schema.ts';

export const DIMENSIONS = ['FLAT', 'ENERGY', 'TIME', 'PARKING_TIME'] as const satisfies readonly TariffDimensionType[];

export interface CompiledComponent {
  readonly type: TariffDimensionType;
  readonly price: Dec;
  /** VAT percentage, null when absent ("no VAT applicable", distinct from 0). */
  readonly vat: Dec | null;
  /** 1 + vat/100 (1 when vat is absent). */
  readonly vatFactor: Dec;
  readonly stepSize: number;
  readonly elementIndex: number;
  readonly componentIndex: number;
  readonly source: PriceComponent;
}

/** Restriction groups evaluated as one predicate each (start/end_time form one window because of midnight wrap). */
export type RestrictionKey =
  | 'time'
  | 'date'
  | 'day_of_week'
  | 'min_kwh'
  | 'max_kwh'
  | 'min_current'
  | 'max_current'
  | 'min_power'
  | 'max_power'
  | 'min_duration'
  | 'max_duration';

export type Part = 'CHARGING' | 'RESERVATION' | 'RESERVATION_EXPIRED';

export interface CompiledElement {
  readonly index: number;
  readonly source: TariffElement;
  readonly keys: readonly RestrictionKey[];
  readonly reservation: 'RESERVATION' | 'RESERVATION_EXPIRES' | null;
  /** First component per dimension (two of a type in one element is undefined in OCPI; the first wins). */
  readonly components: Readonly<Partial<Record<TariffDimensionType, CompiledComponent>>>;
  readonly startMin: number | null;
  /** end_time in minutes; "00:00" = 1440 (end of day). */
  readonly endMin: number | null;
  readonly startDate: number | null;
  readonly endDate: number | null;
  /** Bit i set = weekday i (0 = Monday) allowed. */
  readonly dayMask: number;
  readonly minKwh: Dec | null;
  readonly maxKwh: Dec | null;
  readonly minCurrent: number | null;
  readonly maxCurrent: number | null;
  readonly minPower: number | null;
  readonly maxPower: number | null;
  readonly minDurationMs: number | null;
  readonly maxDurationMs: number | null;
}

export interface CompiledTariff {
  readonly source: Tariff;
  readonly id: string;
  readonly currency: string;
  readonly elements: readonly CompiledElement[];
  /** Candidate elements per session part, in the order they are searched. */
  readonly candidates: Readonly<Record<Part, readonly CompiledElement[]>>;
  readonly minPrice: { excl: Dec; incl: Dec | null } | null;
  readonly maxPrice: { excl: Dec; incl: Dec | null } | null;
  /** Validity window in epoch ms (inclusive start, exclusive end). */
  readonly validFromMs: number | null;
  readonly validToMs: number | null;
  /** Some element has min_kwh/max_kwh (the engine then tracks energy as a Decimal per period). */
  readonly usesKwh: boolean;
}

const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
const ymd = (s: string) => Number(s.slice(0, 4)) * 10000 + Number(s.slice(5, 7)) * 100 + Number(s.slice(8, 10));
const cache = new WeakMap<Tariff, CompiledTariff>();

/** Precomputes decimals, bitmasks and minute/date numbers once per tariff object (memoised by identity). */
export function compileTariff(tariff: Tariff): CompiledTariff {
  const hit = cache.get(tariff);
  if (hit) return hit;
  const elements = tariff.elements.map((el, index): CompiledElement => {
    const r = el.restrictions ?? {};
    const components: Partial<Record<TariffDimensionType, CompiledComponent>> = {};
    el.price_components.forEach((pc, componentIndex) => {
      if (components[pc.type]) return;
      const vat = pc.vat === undefined ? null : dec(pc.vat);
      components[pc.type] = {
        type: pc.type,
        price: dec(pc.price),
        vat,
        vatFactor: vat === null ? ONE : ONE.plus(vat.div(HUNDRED)),
        stepSize: pc.step_size,
        elementIndex: index,
        componentIndex,
        source: pc,
      };
    });
    const keys: RestrictionKey[] = [];
    if (r.start_time !== undefined || r.end_time !== undefined) keys.push('time');
    if (r.start_date !== undefined || r.end_date !== undefined) keys.push('date');
    let dayMask = 0;
    for (const d of r.day_of_week ?? []) dayMask |= 1 << WEEKDAYS.indexOf(d);
    if (dayMask !== 0) keys.push('day_of_week');
    const simple = [
      'min_kwh',
      'max_kwh',
      'min_current',
      'max_current',
      'min_power',
      'max_power',
      'min_duration',
      'max_duration',
    ] as const;
    for (const k of simple) if (r[k] !== undefined) keys.push(k);
    const endMin = r.end_time === undefined ? null : hhmm(r.end_time);
    return {
      index,
      source: el,
      keys,
      reservation: r.reservation ?? null,
      components,
      startMin: r.start_time === undefined ? null : hhmm(r.start_time),
      endMin: endMin === 0 ? 1440 : endMin,
      startDate: r.start_date === undefined ? null : ymd(r.start_date),
      endDate: r.end_date === undefined ? null : ymd(r.end_date),
      dayMask,
      minKwh: r.min_kwh === undefined ? null : dec(r.min_kwh),
      maxKwh: r.max_kwh === undefined ? null : dec(r.max_kwh),
      minCurrent: r.min_current ?? null,
      maxCurrent: r.max_current ?? null,
      minPower: r.min_power ?? null,
      maxPower: r.max_power ?? null,
      minDurationMs: r.min_duration === undefined ? null : r.min_duration * 1000,
      maxDurationMs: r.max_duration === undefined ? null : r.max_duration * 1000,
    };
  });
  const charging = elements.filter((e) => e.reservation === null);
  const reservation = elements.filter((e) => e.reservation === 'RESERVATION');
  const expires = elements.filter((e) => e.reservation === 'RESERVATION_EXPIRES');
  const limit = (p: Tariff['min_price']) =>
    p ? { excl: dec(p.excl_vat), incl: p.incl_vat === undefined ? null : dec(p.incl_vat) } : null;
  const compiled: CompiledTariff = {
    source: tariff,
    id: tariff.id,
    currency: tariff.currency,
    elements,
    candidates: {
      CHARGING: charging,
      RESERVATION: reservation,
      // An expired reservation: RESERVATION_EXPIRES elements win over RESERVATION ones (tariff_18), otherwise the
      // dimensions combine (tariff_17: EXPIRES FLAT + RESERVATION TIME).
      RESERVATION_EXPIRED: [...expires, ...reservation],
    },
    minPrice: limit(tariff.min_price),
    maxPrice: limit(tariff.max_price),
    validFromMs: tariff.start_date_time ? parseInstant(tariff.start_date_time) : null,
    validToMs: tariff.end_date_time ? parseInstant(tariff.end_date_time) : null,
    usesKwh: elements.some((e) => e.minKwh !== null || e.maxKwh !== null),
  };
  cache.set(tariff, compiled);
  return compiled;
}

export function isTariffValidAt(t: CompiledTariff, utcMs: number): boolean {
  return (t.validFromMs === null || t.validFromMs <= utcMs) && (t.validToMs === null || utcMs < t.validToMs);
}

/** State at the instant a restriction is evaluated (start of a charging period). */
export interface MatchContext {
  local: LocalTime;
  /** Energy consumed in the session part before this instant (kWh). */
  energyKwh: Dec;
  /** Elapsed time since the start of the session part (ms). */
  elapsedMs: number;
  /** MIN_CURRENT (else CURRENT) of the period, A; undefined when the CDR has neither. */
  minCurrent: number | undefined;
  maxCurrent: number | undefined;
  minPower: number | undefined;
  maxPower: number | undefined;
}

function timeWindow(e: CompiledElement, minute: number, policy: PricingPolicy): boolean {
  const s = e.startMin;
  const en = e.endMin;
  if (s !== null && en !== null) {
    if (s < en) return minute >= s && minute < en;
    if (s > en) return minute >= s || minute < en; // wraps past midnight
    return policy.equalStartEndTime === 'ALL_DAY';
  }
  if (s !== null) return minute >= s;
  if (en !== null) return minute < en;
  return true;
}

function missing(policy: PricingPolicy): boolean {
  return policy.missingPowerOrCurrent === 'MATCH';
}

/** One restriction group; inclusive lower bounds, exclusive upper bounds (digest §11.4). */
export function restrictionHolds(
  e: CompiledElement,
  key: RestrictionKey,
  ctx: MatchContext,
  policy: PricingPolicy,
): boolean {
  switch (key) {
    case 'time':
      return timeWindow(e, ctx.local.minuteOfDay, policy);
    case 'date':
      return (
        (e.startDate === null || ctx.local.date >= e.startDate) && (e.endDate === null || ctx.local.date < e.endDate)
      );
    case 'day_of_week':
      return (e.dayMask & (1 << ctx.local.weekday)) !== 0;
    case 'min_kwh':
      return ctx.energyKwh.gte(e.minKwh!);
    case 'max_kwh':
      return ctx.energyKwh.lt(e.maxKwh!);
    case 'min_current':
      return ctx.minCurrent === undefined ? missing(policy) : ctx.minCurrent >= e.minCurrent!;
    case 'max_current':
      return ctx.maxCurrent === undefined ? missing(policy) : ctx.maxCurrent < e.maxCurrent!;
    case 'min_power':
      return ctx.minPower === undefined ? missing(policy) : ctx.minPower >= e.minPower!;
    case 'max_power':
      return ctx.maxPower === undefined ? missing(policy) : ctx.maxPower < e.maxPower!;
    case 'min_duration':
      return ctx.elapsedMs >= e.minDurationMs!;
    case 'max_duration':
      return ctx.elapsedMs < e.maxDurationMs!;
  }
}

export function elementMatches(e: CompiledElement, ctx: MatchContext, policy: PricingPolicy): boolean {
  const keys = e.keys;
  for (let i = 0; i < keys.length; i++) if (!restrictionHolds(e, keys[i]!, ctx, policy)) return false;
  return true;
}

export interface Selection {
  FLAT: CompiledComponent | null;
  ENERGY: CompiledComponent | null;
  TIME: CompiledComponent | null;
  PARKING_TIME: CompiledComponent | null;
}

/** The active component per dimension at one instant. */
export function selectComponents(t: CompiledTariff, part: Part, ctx: MatchContext, policy: PricingPolicy): Selection {
  const sel: Selection = { FLAT: null, ENERGY: null, TIME: null, PARKING_TIME: null };
  let open = 4;
  const cands = t.candidates[part];
  for (let i = 0; i < cands.length && open > 0; i++) {
    const e = cands[i]!;
    const c = e.components;
    const wants =
      (c.FLAT !== undefined && sel.FLAT === null) ||
      (c.ENERGY !== undefined && sel.ENERGY === null) ||
      (c.TIME !== undefined && sel.TIME === null) ||
      (c.PARKING_TIME !== undefined && sel.PARKING_TIME === null);
    if (!wants || !elementMatches(e, ctx, policy)) continue;
    if (c.FLAT !== undefined && sel.FLAT === null) {
      sel.FLAT = c.FLAT;
      open--;
    }
    if (c.ENERGY !== undefined && sel.ENERGY === null) {
      sel.ENERGY = c.ENERGY;
      open--;
    }
    if (c.TIME !== undefined && sel.TIME === null) {
      sel.TIME = c.TIME;
      open--;
    }
    if (c.PARKING_TIME !== undefined && sel.PARKING_TIME === null) {
      sel.PARKING_TIME = c.PARKING_TIME;
      open--;
    }
  }
  return sel;
}

// --- explanation (slow path; same predicates) ------------------------------------------------------------

const num = (n: number) => String(n);

/** Human-readable statement of one restriction with the actual value, e.g. "max_current: 16 < 32". */
export function describeRestriction(e: CompiledElement, key: RestrictionKey, ctx: MatchContext): string {
  const r = e.source.restrictions ?? {};
  const cur = (v: number | undefined) => (v === undefined ? 'absent' : num(v));
  switch (key) {
    case 'time':
      return `time ${formatMinute(ctx.local.minuteOfDay)} in [${r.start_time ?? '00:00'}, ${r.end_time ?? '24:00'})`;
    case 'date':
      return `date ${formatLocalDate(ctx.local.date)} in [${r.start_date ?? '-'}, ${r.end_date ?? '-'})`;
    case 'day_of_week':
      return `day_of_week ${WEEKDAYS[ctx.local.weekday]} in ${(r.day_of_week ?? []).join(',')}`;
    case 'min_kwh':
      return `min_kwh: ${ctx.energyKwh.toFixed()} >= ${r.min_kwh}`;
    case 'max_kwh':
      return `max_kwh: ${ctx.energyKwh.toFixed()} < ${r.max_kwh}`;
    case 'min_current':
      return `min_current: ${cur(ctx.minCurrent)} >= ${r.min_current}`;
    case 'max_current':
      return `max_current: ${cur(ctx.maxCurrent)} < ${r.max_current}`;
    case 'min_power':
      return `min_power: ${cur(ctx.minPower)} >= ${r.min_power}`;
    case 'max_power':
      return `max_power: ${cur(ctx.maxPower)} < ${r.max_power}`;
    case 'min_duration':
      return `min_duration: ${ctx.elapsedMs / 1000} s >= ${r.min_duration} s`;
    case 'max_duration':
      return `max_duration: ${ctx.elapsedMs / 1000} s < ${r.max_duration} s`;
  }
}

export interface ElementExplanation {
  element_index: number;
  matched: string[];
  /** The first restriction that failed (null when the element matched). */
  failed: string | null;
}

export function explainElement(e: CompiledElement, ctx: MatchContext, policy: PricingPolicy): ElementExplanation {
  const matched: string[] = [];
  if (e.reservation !== null) matched.push(`reservation: ${e.reservation}`);
  for (const k of e.keys) {
    const text = describeRestriction(e, k, ctx);
    if (!restrictionHolds(e, k, ctx, policy)) return { element_index: e.index, matched, failed: text };
    matched.push(text);
  }
  return { element_index: e.index, matched, failed: null };
}

/** Why `chosen` supplies `dim`: its matched restrictions, and the earlier elements with that dimension that failed. */
export function explainChoice(
  t: CompiledTariff,
  part: Part,
  dim: TariffDimensionType,
  ctx: MatchContext,
  policy: PricingPolicy,
): { matched: string[]; skipped: ElementExplanation[] } {
  const skipped: ElementExplanation[] = [];
  for (const e of t.candidates[part]) {
    if (e.components[dim] === undefined) continue;
    const x = explainElement(e, ctx, policy);
    if (x.failed === null) return { matched: x.matched, skipped };
    skipped.push(x);
  }
  return { matched: [], skipped };
}
