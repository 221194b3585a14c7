// Invoice totals: rounding once per VAT group, half-up, VAT on the rounded group net (docs/invoicing.md).
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditNoteLines } from '../../../src/modules/invoicing/core/credit-note.ts';
import {
  amountToCapture,
  computeTotals,
  distribute,
  InvalidLineError,
  type InvoiceLine,
} from '../../../src/modules/invoicing/core/totals.ts';

const line = (net: string, vat_rate: string | null = '19', extra: Partial<InvoiceLine> = {}): InvoiceLine => ({
  description: 'Energy',
  category: 'energy',
  quantity: '1',
  unit: 'kWh',
  unit_price: net,
  vat_rate,
  net,
  ...extra,
});

describe('computeTotals', () => {
  it('rounds the group net once, then VAT on the rounded net, half-up', () => {
    // 3 × 0.005 = 0.015 → 0.02 (not 3 × 0.01 = 0.03, not 3 × 0.00 = 0.00)
    const t = computeTotals([line('0.005'), line('0.005'), line('0.005')], 'EUR');
    expect(t.groups).toEqual([{ vat_rate: '19', exact_net: '0.015', net: 2, vat: 0, gross: 2 }]);
    expect(t.line_nets).toEqual([1, 1, 0]);
    // 10.125 → 10.13; VAT 19 % of 10.13 = 1.9247 → 1.92; gross 12.05
    expect(computeTotals([line('10.125')], 'EUR')).toMatchObject({ net: 1013, vat: 192, gross: 1205 });
    // VAT exactly half a cent rounds up: 0.50 × 7 % = 0.035 → 0.04
    expect(computeTotals([line('0.5', '7')], 'EUR')).toMatchObject({ net: 50, vat: 4, gross: 54 });
  });

  it('groups per VAT rate: "19", "19.0" together; "0" and no VAT (null) apart; highest rate first', () => {
    const t = computeTotals(
      [line('1', null), line('2', '0'), line('3', '7'), line('4', '19.0'), line('5', '19')],
      'EUR',
    );
    expect(t.groups.map((g) => [g.vat_rate, g.net, g.vat, g.gross])).toEqual([
      ['19', 900, 171, 1071],
      ['7', 300, 21, 321],
      ['0', 200, 0, 200],
      [null, 100, 0, 100],
    ]);
    expect([t.net, t.vat, t.gross]).toEqual([1500, 192, 1692]);
  });

  it('uses the currency minor unit (JPY 0, KWD 3)', () => {
    expect(computeTotals([line('100.5', '10')], 'JPY')).toMatchObject({ net: 101, vat: 10, gross: 111 });
    expect(computeTotals([line('1.0005', '5')], 'KWD')).toMatchObject({ net: 1001, vat: 50, gross: 1051 });
  });

  it('rejects bad lines and currencies', () => {
    expect(() => computeTotals([line('1,5')], 'EUR')).toThrow(InvalidLineError);
    expect(() => computeTotals([line('1', '-5')], 'EUR')).toThrow(/negative/);
    expect(() => computeTotals([line('1', '19', { description: ' ' })], 'EUR')).toThrow(/description/);
    expect(() => computeTotals([line('1')], 'eur')).toThrow(/currency/);
  });

  it('an empty invoice totals zero', () => {
    expect(computeTotals([], 'EUR')).toMatchObject({ groups: [], net: 0, vat: 0, gross: 0 });
  });

  it('the amount to capture is the gross total to the cent', () => {
    const t = computeTotals([line('5', '10'), line('0.5', '20')], 'EUR');
    expect(amountToCapture(t)).toBe(610);
  });
});

describe('distribute', () => {
  it('splits a rounded total over exact values by largest remainder', () => {
    const d = (xs: string[], t: number) =>
      distribute(
        xs.map((x) => new Decimal(x)),
        t,
      );
    expect(d(['33.3333', '33.3333', '33.3334'], 100)).toEqual([33, 33, 34]);
    expect(d(['0.5', '0.5'], 1)).toEqual([1, 0]);
    expect(d(['-0.5', '-0.5'], -1)).toEqual([-1, 0]);
    expect(d(['250', '-0.4'], 250)).toEqual([250, 0]);
  });
});

// --- properties -------------------------------------------------------------------------------------------

const rates = fc.constantFrom<string | null>('19', '7', '20', '10', '5.5', '0', null, '25.5');
/** A line net with up to 6 decimals (what tariff lines produce), non-negative. */
const netArb = fc.bigInt({ min: 0n, max: 10_000_000_000n }).map((n) => new Decimal(n.toString()).div(1e6).toFixed());
const lineArb = fc.record({ net: netArb, rate: rates }).map(({ net, rate }) => line(net, rate));
const linesArb = fc.array(lineArb, { minLength: 0, maxLength: 12 });

describe('properties', () => {
  it('totals are the sums of the groups; gross = net + VAT per group', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const t = computeTotals(lines, 'EUR');
        expect(t.net).toBe(t.groups.reduce((s, g) => s + g.net, 0));
        expect(t.vat).toBe(t.groups.reduce((s, g) => s + g.vat, 0));
        expect(t.gross).toBe(t.groups.reduce((s, g) => s + g.gross, 0));
        for (const g of t.groups) expect(g.gross).toBe(g.net + g.vat);
        expect(amountToCapture(t)).toBe(t.gross);
      }),
    );
  });

  it('gross ≥ net when nets and VAT rates are ≥ 0', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const t = computeTotals(lines, 'EUR');
        expect(t.gross).toBeGreaterThanOrEqual(t.net);
        for (const g of t.groups) expect(g.gross).toBeGreaterThanOrEqual(g.net);
      }),
    );
  });

  it('net differs from the exact sum by at most half a cent per group; VAT by ½ + ½·rate cent', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const t = computeTotals(lines, 'EUR');
        const exactNet = lines.reduce((s, l) => s.plus(l.net), new Decimal(0)).mul(100);
        expect(exactNet.minus(t.net).abs().lte(new Decimal(0.5).mul(t.groups.length))).toBe(true);
        for (const g of t.groups) {
          const exact = new Decimal(g.exact_net).mul(100);
          expect(exact.minus(g.net).abs().lte(0.5)).toBe(true);
          const r = new Decimal(g.vat_rate ?? 0).div(100);
          const exactVat = exact.mul(r);
          expect(
            exactVat
              .minus(g.vat)
              .abs()
              .lte(new Decimal(0.5).plus(r.mul(0.5))),
          ).toBe(true);
        }
      }),
    );
  });

  it('splitting a line into two (same VAT rate, nets adding up) never changes any group amount', () => {
    fc.assert(
      fc.property(linesArb, fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (lines, at, frac) => {
        fc.pre(lines.length > 0);
        const i = at % lines.length;
        const l = lines[i]!;
        const first = new Decimal(l.net).mul(frac.toFixed(6)).toDecimalPlaces(8);
        const second = new Decimal(l.net).minus(first);
        const split = [
          ...lines.slice(0, i),
          { ...l, net: first.toFixed() },
          { ...l, net: second.toFixed() },
          ...lines.slice(i + 1),
        ];
        const a = computeTotals(lines, 'EUR');
        const b = computeTotals(split, 'EUR');
        expect(b.groups).toEqual(a.groups);
      }),
    );
  });

  it('order of lines does not matter', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const a = computeTotals(lines, 'EUR');
        const b = computeTotals([...lines].reverse(), 'EUR');
        expect(b.groups).toEqual(a.groups);
      }),
    );
  });

  it('displayed line nets add up to each group net and are each within one cent of the exact net', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const t = computeTotals(lines, 'EUR');
        for (const g of t.groups) {
          const idx = lines
            .map((l, i) => [l, i] as const)
            .filter(([l]) => (l.vat_rate === null ? null : new Decimal(l.vat_rate).toFixed()) === g.vat_rate);
          expect(idx.reduce((s, [, i]) => s + t.line_nets[i]!, 0)).toBe(g.net);
          for (const [l, i] of idx) expect(new Decimal(l.net).mul(100).minus(t.line_nets[i]!).abs().lt(1)).toBe(true);
        }
      }),
    );
  });

  it('a full credit note has exactly the negated totals and line amounts of its invoice', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const a = computeTotals(lines, 'EUR');
        const c = computeTotals(creditNoteLines(lines), 'EUR');
        const neg = (n: number) => (n === 0 ? 0 : -n);
        expect([c.net, c.vat, c.gross]).toEqual([neg(a.net), neg(a.vat), neg(a.gross)]);
        expect(c.line_nets).toEqual(a.line_nets.map(neg));
      }),
    );
  });
});
