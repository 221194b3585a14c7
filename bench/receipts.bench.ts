// Receipt throughput: receipt PDFs rendered per CPU-second of one core (the sample receipt of the tests: a session
// with start fee, energy, parking and the eMSP's markup, three VAT rates; and its credit note), and the part of
// issueInvoice that needs no database (totals and the invoice date in the seller's time zone).
// Run: node --import tsx bench/receipts.bench.ts
import { pathToFileURL } from 'node:url';
import { creditNoteLines } from '../src/modules/invoicing/core/credit-note.ts';
import type { Invoice } from '../src/modules/invoicing/core/invoice.ts';
import { computeTotals } from '../src/modules/invoicing/core/totals.ts';
import { renderInvoicePdf } from '../src/modules/invoicing/invoice.pdf.ts';
import { localDate } from '../src/modules/invoicing/invoicing.service.ts';
import { sampleInvoice } from '../test/unit/invoicing/sample.ts';
import { measure } from './measure.ts';

function creditNote(inv: Invoice): Invoice {
  const lines = creditNoteLines(inv.lines.map(({ position: _p, net_minor: _n, ...l }) => l));
  const t = computeTotals(lines, inv.currency);
  return {
    ...inv,
    number: 'LAT-2026-000043',
    kind: 'credit_note',
    references_number: inv.number,
    lines: lines.map((l, i) => ({ ...l, position: i + 1, net_minor: t.line_nets[i]! })),
    vat_groups: t.groups,
    totals: { net: t.net, vat: t.vat, gross: t.gross },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    name: 'receipts',
    unit: 'per CPU-second of one core (the *_wall figures: per wall-clock second); *_cpu_ms: CPU ms per item',
  };
  const invoice = sampleInvoice();
  const credit = creditNote(invoice);
  for (const [name, inv] of [
    ['receipt_pdf', invoice],
    ['credit_note_pdf', credit],
  ] as const) {
    const m = await measure(() => renderInvoicePdf(inv), { minMs: 1500, warmup: 100, round: 50 });
    out[name] = m.perCpuSecond;
    out[`${name}_wall`] = m.perWallSecond;
    out[`${name}_cpu_ms`] = Number((1000 / m.perCpuSecond).toFixed(3));
  }
  const lines = invoice.lines.map(({ position: _p, net_minor: _n, ...l }) => l);
  const now = new Date('2026-03-14T18:20:11Z');
  const m = await measure(
    () => {
      computeTotals(lines, 'EUR');
      localDate(now, 'Europe/Berlin');
    },
    { warmup: 100, round: 50 },
  );
  out.issue_invoice_pure = m.perCpuSecond;
  out.issue_invoice_pure_wall = m.perWallSecond;
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
