// The receipt PDF: deterministic bytes, and the text a driver reads (extracted with poppler's pdftotext).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { creditNoteLines } from '../../../src/modules/invoicing/core/credit-note.ts';
import { computeTotals } from '../../../src/modules/invoicing/core/totals.ts';
import { forgetParsedFonts, formatMoney, renderInvoicePdf } from '../../../src/modules/invoicing/invoice.pdf.ts';
import { sampleInvoice } from './sample.ts';

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function pdftotext(pdf: Buffer, mode: '-layout' | '-bbox'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lataus-pdf-'));
  const file = path.join(dir, 'invoice.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', [mode, file, '-'], { encoding: 'utf8' });
}

function text(pdf: Buffer): string {
  return pdftotext(pdf, '-layout');
}

/** A word as a reader sees it: its page (from 1) and box in points from the page's top left. */
interface Word {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

function words(pdf: Buffer): Word[] {
  const out: Word[] = [];
  let page = 0;
  for (const line of pdftotext(pdf, '-bbox').split('\n')) {
    if (line.includes('<page ')) page++;
    const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(line);
    if (m) {
      const text = m[5]!
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
      out.push({ page, text, xMin: +m[1]!, yMin: +m[2]!, xMax: +m[3]!, yMax: +m[4]! });
    }
  }
  return out;
}

/** The word `text` (it must occur once), or the number `n` right after the word `text` (the row "Energy n"). */
function word(ws: Word[], text: string, n?: number): Word {
  const found = ws.filter((w, i) =>
    n === undefined ? w.text === text : w.text === String(n) && ws[i - 1]?.text === text,
  );
  expect(found.map((w) => w.text)).toEqual([n === undefined ? text : String(n)]);
  return found[0]!;
}

/** Whether `b` comes after `a` in reading order: on a later page, or lower on the same page with no overlap. */
function below(a: Word, b: Word): boolean {
  return b.page > a.page || (b.page === a.page && b.yMin >= a.yMax);
}

/** Words drawn over each other (a wrapped line over the next row), and words in the footer's room. */
function collisions(ws: Word[]): string[] {
  const FOOTER_RULE = 841.89 - 50 - 24; // A4; the footer's text is below its rule
  const bad: string[] = [];
  ws.forEach((a, i) => {
    if (a.yMin < FOOTER_RULE && a.yMax > FOOTER_RULE - 1) bad.push(`p${a.page} "${a.text}" reaches the footer`);
    for (const b of ws.slice(i + 1))
      if (
        a.page === b.page &&
        a.xMin < b.xMax - 0.5 &&
        b.xMin < a.xMax - 0.5 &&
        a.yMin < b.yMax - 0.5 &&
        b.yMin < a.yMax - 0.5
      )
        bad.push(`p${a.page} "${a.text}" over "${b.text}"`);
  });
  return bad;
}

describe('renderInvoicePdf', () => {
  it('is deterministic for a fixed invoice', async () => {
    const a = await renderInvoicePdf(sampleInvoice());
    const b = await renderInvoicePdf(sampleInvoice());
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
  });

  it('documents sharing the parsed font metrics are byte for byte those that parse their own', async () => {
    const wrapped = sampleInvoice();
    wrapped.lines[0] = {
      ...wrapped.lines[0]!,
      description: 'Energy at the AVAILABLE fast charger, with a description long enough to wrap: AWAY, Type, VAT',
    };
    for (const invoice of [sampleInvoice(), wrapped]) {
      forgetParsedFonts();
      const own = await renderInvoicePdf(invoice); // pdfkit parses Helvetica and Helvetica-Bold itself
      const shared = await renderInvoicePdf(invoice);
      const again = await renderInvoicePdf(invoice);
      expect(shared.equals(own)).toBe(true);
      expect(again.equals(own)).toBe(true);
    }
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

describe('renderInvoicePdf: a wrapped description makes its row taller', () => {
  const long = 'A very long line description that certainly does not fit into the description column';
  const energy = (n: number, description: (i: number) => string) => {
    const inv = sampleInvoice();
    return {
      ...inv,
      lines: Array.from({ length: n }, (_, i) => ({
        ...inv.lines[1]!,
        position: i + 1,
        description: description(i + 1),
      })),
    };
  };

  it.skipIf(!hasPdftotext)('the row after it starts below its last line', async () => {
    const inv = sampleInvoice();
    const lines = [{ ...inv.lines[1]!, description: long }, ...inv.lines.slice(2)]; // then "Parking time"
    const pdf = await renderInvoicePdf({ ...inv, lines: lines.map((l, i) => ({ ...l, position: i + 1 })) });

    const rows = text(pdf).split('\n');
    const at = (s: string) => rows.findIndex((r) => r.includes(s));
    expect(rows[at('A very long line description that')]).toMatch(/27\.65 kWh\s+€0\.25 \/ kWh\s+10 %\s+€6\.91/);
    expect(at('certainly does not fit into the')).toBe(at('A very long line description that') + 1);
    expect(rows[at('description column')]!.trim()).toBe('description column');
    expect(at('description column')).toBeGreaterThan(at('certainly does not fit into the'));
    expect(at('Parking time')).toBeGreaterThan(at('description column'));
    expect(rows[at('Parking time')]).toMatch(/Parking time\s+45 min\s+€2\.00 \/ h\s+20 %\s+€1\.50/);

    const ws = words(pdf);
    expect(below(word(ws, 'column'), word(ws, 'Parking'))).toBe(true);
    expect(collisions(ws)).toEqual([]);
  });

  it.skipIf(!hasPdftotext)(
    'a row that no longer fits above the footer goes to the next page whole, the rows after it below it',
    async () => {
      // 22 one-line rows fill the first page; a 22nd row of three lines does not fit there.
      const pdf = await renderInvoicePdf(energy(45, (n) => (n === 22 ? `${long} #22` : `Energy ${n}`)));
      const ws = words(pdf);
      expect(word(ws, 'Energy', 21).page).toBe(1);
      for (const w of ['A', 'certainly', 'column', '#22']) expect(word(ws, w).page).toBe(2);
      expect(below(word(ws, 'Energy', 21), word(ws, 'A'))).toBe(true);
      expect(word(ws, 'Energy', 23).page).toBe(2);
      expect(below(word(ws, '#22'), word(ws, 'Energy', 23))).toBe(true);
      expect(word(ws, 'Energy', 45).page).toBe(2);
      expect(collisions(ws)).toEqual([]);
      const t = text(pdf);
      expect(t).toContain('LAT-2026-000042 · 2/2');
      expect(t.split('Unit price excl. VAT').length - 1).toBe(2);
    },
  );

  it.skipIf(!hasPdftotext)('over four pages, every wrapped row is whole on its page, above the footer', async () => {
    const longRow = (n: number) => n % 4 === 0;
    const inv = energy(85, (n) => (longRow(n) ? `${long} #${n}` : `Energy ${n}`));
    const pdf = await renderInvoicePdf(inv);
    const ws = words(pdf);
    const t = text(pdf);
    expect(t).toContain('LAT-2026-000042 · 4/4');
    expect(t.split('Unit price excl. VAT').length - 1).toBe(4);
    for (let n = 4; n <= 84; n += 4) {
      const end = word(ws, `#${n}`);
      // the row's first line is on the same page, and the rows before and after it are above and below it
      const starts = ws.filter((w) => w.text === 'A' && w.page === end.page && w.yMax <= end.yMin);
      expect(starts.length).toBeGreaterThan(0);
      expect(below(word(ws, 'Energy', n - 1), starts.at(-1)!)).toBe(true);
      expect(below(end, word(ws, 'Energy', n + 1))).toBe(true);
    }
    expect(ws.filter((w) => w.text === 'certainly').map((w) => w.page)).toEqual(
      ws.filter((w) => w.text.startsWith('#')).map((w) => w.page),
    );
    expect(collisions(ws)).toEqual([]);
  });

  it.skipIf(!hasPdftotext)('a description longer than a page is cut to a page, ending in "…"', async () => {
    const huge = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const pdf = await renderInvoicePdf(energy(3, (n) => (n === 2 ? huge : `Energy ${n}`)));
    const ws = words(pdf);
    const cut = ws.filter((w) => w.text.endsWith('…'));
    expect(cut).toHaveLength(1);
    expect(ws.filter((w) => w.text.startsWith('word')).every((w) => w.page === 2)).toBe(true);
    expect(below(cut[0]!, word(ws, 'Energy', 3))).toBe(true);
    expect(ws.some((w) => w.text === 'word399')).toBe(false);
    expect(collisions(ws)).toEqual([]);
  });
});
