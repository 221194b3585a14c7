// Exact quantities from JSON numbers without a Decimal per value (hot path). A JSON number with at most six
// decimals is held as an integer count of micro-units (exact in a double up to 2^53); anything else falls
// back to Decimal. The value is the decimal the JSON text denotes (the number's shortest round-trip form).
import type { Decimal } from 'decimal.js';
import { Dec, ZERO } from './decimal.ts';

const SCALE = 1e6;

/** Integer micro-units as decimal text ("-0.0834" for -83400): no Decimal division on the hot path. */
function microText(micro: number): string {
  const neg = micro < 0;
  const digits = String(neg ? -micro : micro).padStart(7, '0');
  const text = `${digits.slice(0, -6)}.${digits.slice(-6)}`;
  return neg ? `-${text}` : text;
}

/** Accumulator: value = micro / 1e6 + rest. */
export class Qty {
  micro = 0;
  rest: Decimal | null = null;

  static of(v: number): Qty {
    const q = new Qty();
    q.addNumber(v);
    return q;
  }

  addNumber(v: number): void {
    const m = Math.round(v * SCALE);
    const sum = this.micro + m;
    if (m / SCALE === v && Number.isSafeInteger(m) && Number.isSafeInteger(sum)) this.micro = sum;
    else this.rest = this.rest === null ? new Dec(v) : this.rest.plus(new Dec(v));
  }

  add(o: Qty): void {
    const sum = this.micro + o.micro;
    if (Number.isSafeInteger(sum)) this.micro = sum;
    else this.rest = (this.rest ?? ZERO).plus(new Dec(microText(o.micro)));
    if (o.rest !== null) this.rest = this.rest === null ? o.rest : this.rest.plus(o.rest);
  }

  clone(): Qty {
    const q = new Qty();
    q.micro = this.micro;
    q.rest = this.rest;
    return q;
  }

  isZero(): boolean {
    return this.micro === 0 && (this.rest === null || this.rest.isZero());
  }

  toDec(): Decimal {
    const d = this.micro === 0 ? ZERO : new Dec(microText(this.micro));
    return this.rest === null ? d : d.plus(this.rest);
  }
}
