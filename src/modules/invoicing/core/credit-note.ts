// Credit notes: a negative invoice that references the original. A full refund negates every line, so the
// credit note's totals are exactly the negated totals of the original (half-up rounds away from zero).
import { Dec, str } from './money.ts';
import type { InvoiceLine } from './totals.ts';

/** The lines of a credit note that cancels `original` completely. */
export function creditNoteLines(original: readonly InvoiceLine[]): InvoiceLine[] {
  return original.map((l) => ({
    ...l,
    // The quantity is credited; the unit price stays what was charged (quantity × price = net keeps holding).
    quantity: str(new Dec(l.quantity).neg()),
    net: str(new Dec(l.net).neg()),
  }));
}
