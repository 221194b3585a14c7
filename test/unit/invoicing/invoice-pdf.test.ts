// The receipt PDF: deterministic bytes, and the text a driver reads (extracted with poppler's pdftotext).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { creditNoteLines } from '../../../src/modules/invoicing/core/credit-note.ts';
import { computeTotals } from '../../../src/modules/invoicing/core/totals.ts';
import { formatMoney, renderInvoicePdf } from '../../../src/modules/invoicing/invoice.pdf.ts';
import { sampleInvoice } from './sample.ts';

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function text(pdf: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lataus-pdf-'));
  const file = path.join(dir, 'invoice.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('renderInvoicePdf', () => {
  it('is deterministic for a fixed invoice', async () => {
    const a = await renderInvoicePdf(sampleInvoice());
    const b = await renderInvoicePdf(sampleInvoice());
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
  });

  it.skipIf(!hasPdftotext)(
    'shows seller, buyer, number, session in local time, lines, VAT per rate and totals',
    async () => {
      const inv = sampleInvoice();
      const t = text(await renderInvoicePdf(inv));
      for (const s of [
        'Lataus Demo eMSP GmbH',
        'Musterstraße 1, 10115 Berlin, Germany',
        'VAT ID DE000000000',
        'Invoice',
        'LAT-2026-000042',
        '14 March 2026',
        'Jörg Weiß',
        'joerg.weiss@example.org',
        'Parkhaus Schöneberg',
        'DE*LTS*E1234*1',
        // 16:05Z is 17:05 in Berlin (CET in March before the DST change)
        '14 Mar 2026, 17:05 CET',
        '14 Mar 2026, 19:09 CET',
        '27.65 kWh',
        '€0.25 / kWh',
        '45 min',
        'Service fee (8 % of the charging costs)',
        'Paid by card VISA …1234.',
      ])
        expect(t).toContain(s);
      expect(t).toMatch(/Energy\s+27\.65 kWh\s+€0\.25 \/ kWh\s+10 %\s+€6\.91/);
      expect(t).toMatch(/20 %\s+€2\.00\s+€0\.40\s+€2\.40/);
      expect(t).toMatch(/10 %\s+€6\.91\s+€0\.69\s+€7\.60/);
      expect(t).toMatch(/Total excl\. VAT\s+€10\.04/);
      expect(t).toMatch(/Total\s+€11\.34/);
      // the total printed is the amount a capture takes
      expect(formatMoney(inv.totals.gross, 'EUR')).toBe('€11.34');
    },
  );

  it.skipIf(!hasPdftotext)(
    'a credit note says so, names the invoice it cancels and shows negative amounts',
    async () => {
      const inv = sampleInvoice();
      const lines = creditNoteLines(inv.lines.map(({ position: _p, net_minor: _n, ...l }) => l));
      const tt = computeTotals(lines, 'EUR');
      const t = text(
        await renderInvoicePdf({
          ...inv,
          number: 'LAT-2026-000043',
          kind: 'credit_note',
          references_number: 'LAT-2026-000042',
          lines: lines.map((l, i) => ({ ...l, position: i + 1, net_minor: tt.line_nets[i]! })),
          vat_groups: tt.groups,
          totals: { net: tt.net, vat: tt.vat, gross: tt.gross },
        }),
      );
      expect(t).toContain('Credit note');
      expect(t).toMatch(/Cancels invoice\s+LAT-2026-000042/);
      expect(t).toMatch(/Total credited\s+-€11\.34/);
      expect(t).toContain('-45 min');
    },
  );

  it.skipIf(!hasPdftotext)(
    'a description too long for its column wraps, as before; the cells next to it do not',
    async () => {
      const inv = sampleInvoice();
      const long = 'A very long line description that certainly does not fit into the description column';
      const lines = [{ ...inv.lines[1]!, description: long }, ...inv.lines.slice(2)];
      const t = text(await renderInvoicePdf({ ...inv, lines: lines.map((l, i) => ({ ...l, position: i + 1 })) }));
      expect(t).toMatch(/A very long line description that\s+27\.65 kWh\s+€0\.25 \/ kWh\s+10 %\s+€6\.91/);
      expect(t).toMatch(/certainly does not fit into the\s*\n/);
    },
  );

  it.skipIf(!hasPdftotext)('many lines continue on a second page with the table header and footer', async () => {
    const inv = sampleInvoice();
    const many = Array.from({ length: 45 }, (_, i) => ({
      ...inv.lines[1]!,
      position: i + 1,
      description: `Energy ${i + 1}`,
    }));
    const t = text(await renderInvoicePdf({ ...inv, lines: many }));
    expect(t).toContain('Energy 45');
    expect(t).toContain('LAT-2026-000042 · 2/2');
    expect(t.split('Unit price excl. VAT').length - 1).toBe(2);
  });
});
