// The tariff engine's price result → invoice lines. Nothing is re-priced: each line is one tariff price
// component summed over the periods it priced (billed volume, unit price, VAT and excl. VAT amount are taken
// from the price proof), min/max price adjustments become their own lines, and the eMSP's markup is added on
// top. The lines' nets add up exactly to the proof's unrounded total excl. VAT (checked).
import type { Decimal } from 'decimal.js';
import type { LineProof, PriceResult } from '../../tariffs/index.ts';
import { Dec, HUNDRED, normaliseVatRate, str, ZERO } from './money.ts';
import type { InvoiceLine, LineCategory } from './totals.ts';

/** The eMSP's markup on the CPO price: a percentage of it and/or a fee per session, each with its own VAT. */
export interface Markup {
  percent?: { rate: string; vat_rate: string | null; description?: string };
  session_fee?: { net: string; vat_rate: string | null; description?: string };
}

export interface FromPricedSessionOptions {
  markup?: Markup;
}

export class NotInvoiceableError extends Error {}

const ORDER: Record<string, number> = { FLAT: 0, ENERGY: 1, TIME: 2, PARKING_TIME: 3, RESERVATION_TIME: 4 };

function describe(l: LineProof): { description: string; category: LineCategory } {
  if (l.category === 'reservation')
    return { description: l.dimension === 'FLAT' ? 'Reservation fee' : 'Reservation time', category: 'reservation' };
  switch (l.dimension) {
    case 'FLAT':
      return { description: 'Session fee', category: 'fixed' };
    case 'ENERGY':
      return { description: 'Energy', category: 'energy' };
    case 'TIME':
      return { description: 'Charging time', category: 'time' };
    default:
      return { description: 'Parking time', category: 'parking' };
  }
}

interface Acc {
  first: LineProof;
  reservationPart: boolean;
  quantity: Decimal;
  net: Decimal;
  seq: number;
}

/**
 * Invoice lines from a FINAL price result with its proof (`breakdown`). One line per tariff price component
 * (tariff, element, component, session part): a time-of-day tariff gives one "Energy" line per price.
 */
export function linesFromPricedSession(result: PriceResult, opts: FromPricedSessionOptions = {}): InvoiceLine[] {
  if (result.semantics !== 'FINAL')
    throw new NotInvoiceableError('only a FINAL price can be invoiced (this is a live cost so far)');
  const proof = result.breakdown;
  if (!proof) throw new NotInvoiceableError('the price result has no price proof (price with breakdown: true)');

  const acc = new Map<string, Acc>();
  let seq = 0;
  for (const p of proof.periods) {
    for (const l of p.lines) {
      const reservationPart = l.category === 'reservation';
      const key = [l.tariff_id, l.element_index, l.component_index, l.dimension, reservationPart].join('|');
      const a = acc.get(key);
      if (a) {
        a.quantity = a.quantity.plus(new Dec(l.billed_volume));
        a.net = a.net.plus(new Dec(l.excl_vat));
      } else
        acc.set(key, {
          first: l,
          reservationPart,
          quantity: new Dec(l.billed_volume),
          net: new Dec(l.excl_vat),
          seq: seq++,
        });
    }
  }
  const components = [...acc.values()].sort(
    (a, b) =>
      Number(b.reservationPart) - Number(a.reservationPart) ||
      ORDER[a.first.dimension]! - ORDER[b.first.dimension]! ||
      a.seq - b.seq,
  );
  const lines: InvoiceLine[] = components.map((a) => ({
    ...describe(a.first),
    quantity: str(a.quantity),
    unit: a.first.unit,
    unit_price: a.first.unit_price,
    vat_rate: normaliseVatRate(a.first.vat),
    net: str(a.net),
  }));

  // min_price / max_price: the adjustment of the total, split over the VAT rates in proportion to their nets.
  for (const limit of proof.price_limits) {
    const adjustment = new Dec(limit.adjustment.excl_vat);
    if (adjustment.isZero()) continue;
    const description = limit.kind === 'MIN_PRICE' ? 'Minimum price adjustment' : 'Maximum price cap';
    for (const part of splitByVat(lines, adjustment, limit.adjustment)) {
      lines.push({
        description,
        category: 'price_limit',
        quantity: '1',
        unit: 'session',
        unit_price: str(part.net),
        vat_rate: part.vat_rate,
        net: str(part.net),
      });
    }
  }

  const cpoNet = lines.reduce((s, l) => s.plus(new Dec(l.net)), ZERO);
  const exact = new Dec(proof.exact.total_cost.excl_vat);
  if (!cpoNet.eq(exact))
    throw new Error(`invoice lines (${str(cpoNet)}) disagree with the priced total excl. VAT (${str(exact)})`);

  const m = opts.markup;
  if (m?.percent) {
    const net = cpoNet.mul(new Dec(m.percent.rate)).div(HUNDRED);
    lines.push({
      description: m.percent.description ?? `Service fee (${str(new Dec(m.percent.rate))} % of the charging costs)`,
      category: 'markup',
      quantity: '1',
      unit: 'session',
      unit_price: str(net),
      vat_rate: normaliseVatRate(m.percent.vat_rate),
      net: str(net),
    });
  }
  if (m?.session_fee) {
    const net = new Dec(m.session_fee.net);
    lines.push({
      description: m.session_fee.description ?? 'Service fee per session',
      category: 'markup',
      quantity: '1',
      unit: 'session',
      unit_price: str(net),
      vat_rate: normaliseVatRate(m.session_fee.vat_rate),
      net: str(net),
    });
  }
  return lines;
}

/**
 * Splits `amount` over the VAT rates of `lines` in proportion to their nets; the last rate takes the remainder so
 * that the parts add up exactly (the others are cut to 20 decimals so that the subtraction is exact). Without priced lines, the rate is derived from the adjustment's incl/excl.
 */
function splitByVat(
  lines: readonly InvoiceLine[],
  amount: Decimal,
  pair: { excl_vat: string; incl_vat: string },
): { vat_rate: string | null; net: Decimal }[] {
  const byRate = new Map<string | null, Decimal>();
  for (const l of lines) byRate.set(l.vat_rate, (byRate.get(l.vat_rate) ?? ZERO).plus(new Dec(l.net)));
  const total = [...byRate.values()].reduce((s, x) => s.plus(x), ZERO);
  if (byRate.size === 0 || total.isZero()) {
    const excl = new Dec(pair.excl_vat);
    const incl = new Dec(pair.incl_vat);
    const rate = excl.isZero() || incl.eq(excl) ? null : incl.div(excl).minus(1).mul(HUNDRED).toDecimalPlaces(4);
    return [{ vat_rate: rate === null ? null : str(rate), net: amount }];
  }
  const rates = [...byRate.keys()];
  let left = amount;
  return rates.map((rate, i) => {
    const net = i === rates.length - 1 ? left : amount.mul(byRate.get(rate)!).div(total).toDecimalPlaces(20);
    left = left.minus(net);
    return { vat_rate: rate, net };
  });
}
