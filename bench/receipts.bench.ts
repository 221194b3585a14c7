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

/**
 * Runs `fn` (awaited) for at least `minMs` of CPU time after a warm-up and reports iterations per CPU-second of
 * this process (user + system, so other load does not distort the per-core figure), and per wall-clock second.
 */
async function measure(fn: () => unknown, minMs = 1500): Promise<{ perCpuSecond: number; perWallSecond: number }> {
  for (let i = 0; i < 100; i++) await fn(); // warm-up
  let iterations = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let cpuMs = 0;
  while (cpuMs < minMs) {
    for (let i = 0; i < 50; i++) await fn();
    iterations += 50;
    const c = process.cpuUsage(c0);
    cpuMs = (c.user + c.system) / 1000;
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    perCpuSecond: Math.round((iterations / cpuMs) * 1000),
    perWallSecond: Math.round((iterations / wallMs) * 1000),
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
    const m = await measure(() => renderInvoicePdf(inv));
    out[name] = m.perCpuSecond;
    out[`${name}_wall`] = m.perWallSecond;
    out[`${name}_cpu_ms`] = Number((1000 / m.perCpuSecond).toFixed(3));
  }
  const lines = invoice.lines.map(({ position: _p, net_minor: _n, ...l }) => l);
  const now = new Date('2026-03-14T18:20:11Z');
  const m = await measure(() => {
    computeTotals(lines, 'EUR');
    localDate(now, 'Europe/Berlin');
  }, 1000);
  out.issue_invoice_pure = m.perCpuSecond;
  out.issue_invoice_pure_wall = m.perWallSecond;
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
