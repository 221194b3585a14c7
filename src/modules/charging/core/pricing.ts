// The driver's price (pure): the CPO's price from the tariff engine plus the eMSP's markup — a percentage of the
// CPO's price excl. VAT and/or a fee per session, both with the markup's VAT rate. The same rule gives the unit
// prices shown before the start, the estimate, the live cost and the final amount, which is computed by the
// invoicing core from the very lines the receipt will carry: the capture equals the invoice total by construction.
import { Decimal } from 'decimal.js';
import { currencyExponent, minorToMajor } from '../../../money/currency.ts';
import {
  computeTotals,
  type InvoiceLine,
  type InvoiceTotals,
  linesFromPricedSession,
  type Markup,
} from '../../invoicing/index.ts';
import type { PriceSummary } from '../../network/index.ts';
import type { PriceResult } from '../../tariffs/index.ts';

const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
type Dec = Decimal;
const HUNDRED = new Dec(100);

/** The markup as configured (ADHOC_MARKUP_*): decimal strings. */
export interface MarkupConfig {
  /** Percent of the CPO price excl. VAT, e.g. "10". */
  percent: string;
  /** Fee per session excl. VAT, major units, e.g. "0.50". */
  fee: string;
  /** VAT percent on the markup, e.g. "19". */
  vat: string;
}

export interface PriceTag {
  excl_vat: string;
  incl_vat: string;
  vat: string | null;
}

const four = (x: Dec) => x.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
const pct = (m: MarkupConfig) => new Dec(m.percent).div(HUNDRED);
const vatFactor = (m: MarkupConfig) => new Dec(1).plus(new Dec(m.vat).div(HUNDRED));

/** The markup in the invoicing module's terms (lines "Service fee …"). Zero parts are left out. */
export function invoiceMarkup(m: MarkupConfig): Markup {
  const out: Markup = {};
  if (!new Dec(m.percent).isZero()) out.percent = { rate: m.percent, vat_rate: m.vat };
  if (!new Dec(m.fee).isZero()) out.session_fee = { net: m.fee, vat_rate: m.vat };
  return out;
}

/** The per-session fee as shown to the driver, or null when there is none. */
export function feeTag(m: MarkupConfig): PriceTag | null {
  const fee = new Dec(m.fee);
  if (fee.isZero()) return null;
  return { excl_vat: four(fee), incl_vat: four(fee.mul(vatFactor(m))), vat: new Dec(m.vat).toFixed() };
}

/** A CPO unit price → the driver's: excl × (1 + p); incl = CPO incl + excl × p × (1 + markup VAT). */
export function markUpTag(tag: PriceTag | null, m: MarkupConfig): PriceTag | null {
  if (!tag) return null;
  const excl = new Dec(tag.excl_vat);
  const extra = excl.mul(pct(m));
  return {
    excl_vat: four(excl.plus(extra)),
    incl_vat: four(new Dec(tag.incl_vat).plus(extra.mul(vatFactor(m)))),
    vat: tag.vat,
  };
}

/** A CPO amount (excl/incl at full precision) → the driver's amount for a whole session (fee included). */
export function markUpAmount(
  cpo: { excl_vat: string; incl_vat: string },
  m: MarkupConfig,
  opts: { withFee: boolean } = { withFee: true },
): { excl_vat: string; incl_vat: string } {
  const excl = new Dec(cpo.excl_vat);
  const extra = excl.mul(pct(m));
  const fee = opts.withFee ? new Dec(m.fee) : new Dec(0);
  return {
    excl_vat: excl.plus(extra).plus(fee).toFixed(),
    incl_vat: new Dec(cpo.incl_vat).plus(extra.plus(fee).mul(vatFactor(m))).toFixed(),
  };
}

/** The map's price summary of the CPO tariff → the driver's (unit prices marked up; the fee joins the flat price). */
export function driverSummary(cpo: PriceSummary, m: MarkupConfig): PriceSummary {
  const fee = feeTag(m);
  let flat = markUpTag(cpo.flat, m);
  if (fee) {
    flat = flat
      ? {
          excl_vat: four(new Dec(flat.excl_vat).plus(fee.excl_vat)),
          incl_vat: four(new Dec(flat.incl_vat).plus(fee.incl_vat)),
          vat: flat.vat,
        }
      : fee;
  }
  return {
    ...cpo,
    energy_per_kwh: markUpTag(cpo.energy_per_kwh, m),
    time_per_hour: markUpTag(cpo.time_per_hour, m),
    parking_per_hour: markUpTag(cpo.parking_per_hour, m),
    flat,
    min_price: markUpTag(cpo.min_price, m),
    max_price: markUpTag(cpo.max_price, m),
  };
}

/** Currency amount with 2 decimals for driver texts: "12.34 €". */
export function moneyText(amount: string | Dec, currency: string): string {
  const symbol: Record<string, string> = { EUR: '€', GBP: '£', USD: '$', CHF: 'CHF', SEK: 'kr', NOK: 'kr', DKK: 'kr' };
  const d = new Dec(amount).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
  return `${d} ${symbol[currency] ?? currency}`;
}

/** Driver-facing lines of a price summary, incl. VAT. */
export function summaryLines(s: PriceSummary, m: MarkupConfig): string[] {
  const c = s.currency;
  const lines: string[] = [];
  const fee = feeTag(m);
  if (s.energy_per_kwh) lines.push(`${moneyText(s.energy_per_kwh.incl_vat, c)} per kWh`);
  if (s.time_per_hour) lines.push(`${moneyText(s.time_per_hour.incl_vat, c)} per hour of charging`);
  if (s.parking_per_hour) lines.push(`Parking after charging: ${moneyText(s.parking_per_hour.incl_vat, c)} per hour`);
  if (s.flat) lines.push(`${moneyText(s.flat.incl_vat, c)} per session${fee ? ' (incl. our service fee)' : ''}`);
  if (s.min_price) lines.push(`Minimum price ${moneyText(s.min_price.incl_vat, c)}`);
  if (s.max_price) lines.push(`Maximum price ${moneyText(s.max_price.incl_vat, c)}`);
  if (!new Dec(m.percent).isZero()) lines.push(`Includes our service fee of ${new Dec(m.percent).toFixed()} %`);
  return lines;
}

/** ISO 4217 minor-unit exponent (2 unless listed). */
export const exponent = currencyExponent;

/**
 * The amount held on the card before a start, in minor units: at least `holdMin` and at least the estimate incl.
 * VAT, rounded UP to a whole currency unit (a hold never ends in odd cents, and is never below the estimate).
 */
export function holdAmount(estimateInclVat: string, holdMin: string, currency: string): number {
  const base = Decimal.max(new Dec(estimateInclVat), new Dec(holdMin));
  const whole = base.toDecimalPlaces(0, Decimal.ROUND_CEIL);
  return whole.mul(new Dec(10).pow(exponent(currency))).toNumber();
}

export interface DriverFinalPrice {
  currency: string;
  markup: MarkupConfig;
  /** The receipt's lines: the CPO's price components, then the markup. */
  lines: InvoiceLine[];
  totals: Pick<InvoiceTotals, 'net' | 'vat' | 'gross'> & { groups: InvoiceTotals['groups'] };
  /** What the card is charged, minor units: the invoice gross total. */
  amount_minor: number;
  /** The driver's total at full precision (before the invoice's once-per-VAT-rate rounding). */
  exact: { excl_vat: string; incl_vat: string };
}

/** The final driver price of a priced CDR (FINAL result with breakdown). */
export function driverFinalPrice(cpo: PriceResult, m: MarkupConfig): DriverFinalPrice {
  const lines = linesFromPricedSession(cpo, { markup: invoiceMarkup(m) });
  const totals = computeTotals(lines, cpo.currency);
  const exact = markUpAmount(
    {
      excl_vat: cpo.breakdown?.exact.total_cost.excl_vat ?? cpo.total_cost.excl_vat,
      incl_vat: cpo.breakdown?.exact.total_cost.incl_vat ?? cpo.total_cost.incl_vat,
    },
    m,
  );
  return {
    currency: cpo.currency,
    markup: m,
    lines,
    totals: { net: totals.net, vat: totals.vat, gross: totals.gross, groups: totals.groups },
    amount_minor: totals.gross,
    exact,
  };
}

export { minorToMajor };

/** A decimal amount → text with the currency's decimals, half-up ("12.3456" → "12.35"). */
export function major(amount: string, currency: string): string {
  const e = exponent(currency);
  return new Dec(amount).toDecimalPlaces(e, Decimal.ROUND_HALF_UP).toFixed(e);
}

/** True when a decimal kWh text is zero. */
export function isZero(x: string | number): boolean {
  return new Dec(x).isZero();
}

/**
 * Whether the driver's cost so far (incl. VAT, in major units) has reached `percent` % of the hold: the charge is
 * stopped then, so that the final amount still fits the preauthorization (PAYONE cannot capture more than it held).
 */
export function reachesHold(costInclVat: string, holdMinor: number, currency: string, percent: number): boolean {
  if (holdMinor <= 0) return false;
  const limit = new Dec(minorToMajor(holdMinor, currency)).mul(percent).div(HUNDRED);
  return new Dec(costInclVat).gte(limit);
}
