// Invoice lines → totals. The one place where invoice amounts are rounded (docs/invoicing.md "Rounding"):
//   1. line nets stay at full precision and are summed per VAT rate (the group's exact net);
//   2. each group's net is rounded ONCE, half-up, to the currency's minor unit;
//   3. the group's VAT = rate × rounded group net, rounded half-up to the minor unit;
//   4. group gross = net + VAT; invoice totals = sums over the groups (no further rounding).
// Half-up rounds .5 away from zero, so a credit note (all nets negated) has exactly the negated totals.
import type { Decimal } from 'decimal.js';
import {
  currencyExponent,
  Dec,
  decimal,
  HUNDRED,
  mulMinorHalfUp,
  normaliseVatRate,
  str,
  toMinorExact,
  toMinorHalfUp,
  ZERO,
} from './money.ts';

export type InvoiceUnit = 'kWh' | 'h' | 'session';

export type LineCategory =
  | 'fixed'
  | 'energy'
  | 'time'
  | 'parking'
  | 'reservation'
  | 'price_limit'
  | 'markup'
  | 'refund'
  | 'other';

/** One invoice line. Decimals are strings in major units, excl. VAT, at full precision. */
export interface InvoiceLine {
  description: string;
  category: LineCategory;
  /** Decimal quantity in `unit`, e.g. "20.5" kWh. */
  quantity: string;
  unit: InvoiceUnit;
  /** Price per unit excl. VAT (what the tariff said, e.g. "0.25"). */
  unit_price: string;
  /** VAT percentage, e.g. "19"; null = no VAT applicable (exempt / outside scope), which differs from "0". */
  vat_rate: string | null;
  /** Line amount excl. VAT at full precision (normally quantity × unit_price; negative on credit notes). */
  net: string;
}

/** Amounts of one VAT rate, in integer minor units (except `exact_net`). */
export interface VatGroup {
  vat_rate: string | null;
  /** Σ line nets at full precision, major units. */
  exact_net: string;
  net: number;
  vat: number;
  gross: number;
}

export interface InvoiceTotals {
  currency: string;
  /** Highest rate first, then "0", then no VAT (null). */
  groups: VatGroup[];
  net: number;
  vat: number;
  gross: number;
  /**
   * Per line (same order as the input): the line net for display, in minor units. Each group's exact line nets
   * are distributed to minor units so that they add up to the group's rounded net (largest remainder).
   */
  line_nets: number[];
}

export class InvalidLineError extends RangeError {}

/** Checks a line's decimals and units; returns the normalised line. */
export function checkLine(line: InvoiceLine, index: number): InvoiceLine {
  const where = `lines[${index}]`;
  try {
    if (line.description.trim() === '') throw new RangeError('description is empty');
    decimal(line.quantity, 'quantity');
    decimal(line.unit_price, 'unit_price');
    decimal(line.net, 'net');
    return { ...line, vat_rate: normaliseVatRate(line.vat_rate) };
  } catch (e) {
    throw new InvalidLineError(`${where}: ${(e as Error).message}`);
  }
}

function rateOrder(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return new Dec(b).cmp(new Dec(a));
}

/** Computes the totals of an invoice; throws InvalidLineError on a malformed line. */
export function computeTotals(lines: readonly InvoiceLine[], currency: string): InvoiceTotals {
  if (!/^[A-Z]{3}$/.test(currency)) throw new InvalidLineError(`currency "${currency}" is not an ISO 4217 code`);
  const checked = lines.map(checkLine);
  const byRate = new Map<string | null, { exact: Decimal; members: number[] }>();
  checked.forEach((l, i) => {
    const g = byRate.get(l.vat_rate);
    if (g) {
      g.exact = g.exact.plus(new Dec(l.net));
      g.members.push(i);
    } else byRate.set(l.vat_rate, { exact: new Dec(l.net), members: [i] });
  });
  const lineNets = new Array<number>(checked.length).fill(0);
  const groups: VatGroup[] = [];
  for (const rate of [...byRate.keys()].sort(rateOrder)) {
    const g = byRate.get(rate)!;
    const net = toMinorHalfUp(g.exact, currency);
    const vat = rate === null ? 0 : mulMinorHalfUp(net, new Dec(rate).div(HUNDRED));
    groups.push({ vat_rate: rate, exact_net: str(g.exact), net, vat, gross: net + vat });
    const shares = distribute(
      g.members.map((i) => toMinorExact(new Dec(checked[i]!.net), currency)),
      net,
    );
    g.members.forEach((i, k) => {
      lineNets[i] = shares[k]!;
    });
  }
  const sum = (f: (g: VatGroup) => number) => groups.reduce((s, g) => s + f(g), 0);
  return {
    currency,
    groups,
    net: sum((g) => g.net),
    vat: sum((g) => g.vat),
    gross: sum((g) => g.gross),
    line_nets: lineNets,
  };
}

/**
 * Splits integer `target` over exact values (minor units) by largest remainder: floor each value, then give +1
 * to the values with the largest fractional parts (earlier first on ties). Negative sums are done on the
 * negated values so that a credit note shows the mirror image of its invoice.
 */
export function distribute(exact: readonly Decimal[], target: number): number[] {
  const total = exact.reduce((s, x) => s.plus(x), ZERO);
  if (total.isNegative())
    return distribute(
      exact.map((x) => x.neg()),
      -target,
    ).map((n) => (n === 0 ? 0 : -n));
  const floors = exact.map((x) => x.floor());
  const rest = exact.map((x, i) => x.minus(floors[i]!));
  let deficit = target - floors.reduce((s, x) => s + x.toNumber(), 0);
  const out = floors.map((f) => f.toNumber());
  const order = rest.map((r, i) => ({ r, i })).sort((a, b) => b.r.cmp(a.r) || a.i - b.i);
  for (const { i } of order) {
    if (deficit <= 0) break;
    out[i]! += 1;
    deficit -= 1;
  }
  return out;
}

/** The amount to capture (or debit) for an invoice: its gross total, in minor units. Nothing else is rounded. */
export function amountToCapture(totals: Pick<InvoiceTotals, 'gross'>): number {
  return totals.gross;
}

/** Exponent of the invoice currency, re-exported for renderers. */
export { currencyExponent };
