// Renders an issued invoice or credit note as an A4 PDF (pdfkit, built-in Helvetica: WinAnsi, so € ä ß … work).
// Deterministic: the same invoice gives the same bytes (CreationDate = issued_at; the file id derives from it).
import PDFDocument from 'pdfkit';
import type { Invoice } from './core/invoice.ts';
import { currencyExponent, Dec, minorToMajor } from './core/money.ts';

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const CONTENT = PAGE.width - 2 * PAGE.margin;
const INK = '#1f2933';
const MUTED = '#616e7c';
const RULE = '#cbd2d9';
const BAND = '#f0f4f8';
const ACCENT = '#0b7a55';

/** "€6.10", "-€0.50" from minor units, without a binary float. */
export function formatMoney(minor: number, currency: string): string {
  return moneyText(minorToMajor(minor, currency), currency, currencyExponent(currency));
}

/**
 * A unit price with the currency's decimals up to 4 (tariff prices carry 4): "€0.2475", "€0.25". A price per
 * session (a fee, a percentage markup) is shown like an amount, in the currency's decimals.
 */
function formatPrice(decimal: string, currency: string, perSession: boolean): string {
  const e = currencyExponent(currency);
  const d = new Dec(decimal);
  const dp = perSession ? e : Math.max(e, Math.min(4, d.decimalPlaces()));
  return moneyText(d.toFixed(dp), currency, dp);
}

/**
 * Intl formatters are expensive to construct (a receipt formats ~20 values), so they are made once per key and
 * kept. The keys are few (currencies × decimals, time zones); the bound only guards against odd input.
 */
function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make(); // throws (and caches nothing) for an unknown currency or time zone, as before
    if (cache.size >= 256) cache.clear();
    cache.set(key, v);
  }
  return v;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyText(major: string, currency: string, dp: number): string {
  const f = cached(
    moneyFormats,
    `${currency} ${dp}`,
    () =>
      new Intl.NumberFormat('en-IE', {
        style: 'currency',
        currency,
        minimumFractionDigits: dp,
        maximumFractionDigits: dp,
      }),
  );
  return f.format(major as `${number}`);
}

function formatVatRate(rate: string | null): string {
  return rate === null ? 'exempt' : `${rate} %`;
}

/** "20 kWh", "12.123 kWh", "45 min", "1 h 5 min", "1 ×". */
function formatQuantity(quantity: string, unit: string): string {
  const q = new Dec(quantity);
  if (unit === 'kWh') return `${q.toDecimalPlaces(3).toFixed()} kWh`;
  if (unit === 'h') {
    const neg = q.isNegative();
    const s = q.abs().mul(3600).toDecimalPlaces(0).toNumber();
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const parts = [h ? `${h} h` : '', m || (!h && !sec) ? `${m} min` : '', sec ? `${sec} s` : ''].filter(Boolean);
    return `${neg ? '-' : ''}${parts.join(' ')}`;
  }
  return `${q.toFixed()} ×`;
}

const instantFormats = new Map<string, Intl.DateTimeFormat>();

function formatInstant(iso: string, timeZone: string): string {
  const f = cached(
    instantFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
      }),
  );
  return f.format(new Date(iso));
}

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

function formatDate(ymd: string): string {
  return dateFormat.format(new Date(`${ymd}T00:00:00Z`));
}

function formatDuration(startIso: string, endIso: string): string {
  const min = Math.round((Date.parse(endIso) - Date.parse(startIso)) / 60_000);
  const h = Math.floor(min / 60);
  return h ? `${h} h ${min % 60} min` : `${min} min`;
}

/** The payment note: "Paid by card VISA …1234." */
export function paymentText(p: Invoice['payment']): string | null {
  if (!p) return null;
  const parts: string[] = [];
  if (p.card) parts.push(`Paid by card${p.card.brand ? ` ${p.card.brand}` : ''} …${p.card.last4}.`);
  if (p.note) parts.push(p.note);
  return parts.length ? parts.join(' ') : null;
}

type FontName = 'Helvetica' | 'Helvetica-Bold';

/** What pdfkit 0.20 keeps per document about its fonts (not in its type definitions). */
interface DocumentFonts {
  _fontFamilies: Record<string, object>;
  _fontCount: number;
  _font: object;
}
const FONT_FIELDS = ['name', 'font', 'ascender', 'descender', 'bbox', 'lineGap', 'xHeight', 'capHeight'] as const;
/** Per standard font: the prototype and the document-independent fields (parsed metrics) of its pdfkit font. */
const parsedFonts = new Map<FontName, { proto: object; fields: Record<string, unknown> }>();

/** Forgets the shared metrics: the next document parses its own, as pdfkit does (for tests). */
export function forgetParsedFonts(): void {
  parsedFonts.clear();
}

/**
 * Selects a standard font. pdfkit parses a standard font's metrics (its AFM data: widths, kerning pairs) for every
 * document that uses it — a fifth of a receipt's rendering. The metrics never change: a document gets its own font
 * object (its own id and PDF dictionary) sharing those parsed for the first document. Relies on pdfkit 0.20's
 * per-document font cache; the tests compare the bytes with documents that parsed their own.
 */
function selectFont(doc: PDFKit.PDFDocument, name: FontName): PDFKit.PDFDocument {
  const d = doc as unknown as DocumentFonts;
  const parsed = parsedFonts.get(name);
  if (parsed && !d._fontFamilies[name]) {
    const f: Record<string, unknown> = Object.create(parsed.proto);
    Object.assign(f, parsed.fields, { document: doc, id: `F${++d._fontCount}` });
    d._fontFamilies[name] = f;
  }
  doc.font(name);
  if (!parsed) {
    const f = d._font as Record<string, unknown>;
    parsedFonts.set(name, {
      proto: Object.getPrototypeOf(f) as object,
      fields: Object.fromEntries(FONT_FIELDS.map((k) => [k, f[k]])),
    });
  }
  return doc;
}

interface CellOptions {
  width: number;
  align?: 'left' | 'right';
  lineBreak?: boolean;
  ellipsis?: boolean;
  /** With `ellipsis`: the text stops at the last line that fits this high, ending in "…". */
  height?: number;
}

/** Kerning never moves two Helvetica or Helvetica-Bold glyphs closer than this (AFM: -180 and -140 / 1000 em). */
const MAX_KERN_EM = 0.2;
/** Text a cell leaves to pdfkit: line and paragraph breaks, soft hyphens, trailing space (trimmed when aligned). */
const NOT_ONE_LINE = /[\n\r\v\f\u0085\u00ad\u2028\u2029]|\s$/;

/**
 * Per font, size, box width and text: the text's width (doc.widthOfString) when pdfkit's line wrapper sets it on
 * one line in a box that wide, else -1. Kept across documents: labels, descriptions, dates and many amounts recur
 * on every receipt, and measuring (glyph by glyph, with kerning) is a large part of a render.
 */
const oneLine = new Map<string, number>();

function oneLineWidth(doc: PDFKit.PDFDocument, font: FontName, size: number, width: number, text: string): number {
  const key = `${font} ${size} ${width} ${text}`;
  let w = oneLine.get(key);
  if (w === undefined) {
    w = doc.widthOfString(text);
    // The wrapper splits the text at break opportunities and measures the pieces separately, so kerning across a
    // break is lost: the pieces can be wider than the whole text by at most one kerning pair per break, and a break
    // is always next to a character other than A-Z, a-z, 0-9. Within that margin, pdfkit's own measurement (the
    // wrapper, drawing nothing) decides.
    let others = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) others++;
    }
    const breaks = Math.min(text.length - 1, 2 * others);
    if (
      w + breaks * MAX_KERN_EM * size + 0.01 > width &&
      doc.heightOfString(text, { width }) > 1.5 * doc.currentLineHeight(true)
    )
      w = -1;
    if (oneLine.size >= 4096) oneLine.clear();
    oneLine.set(key, w);
  }
  return w;
}

/**
 * The height `doc.text(text, x, y, opts)` sets `text` in (its lines × the line height), for the font and size set:
 * one line, without pdfkit's line wrapper, for a cell `cell` draws directly; else as the wrapper breaks it.
 */
function cellHeight(doc: PDFKit.PDFDocument, font: FontName, size: number, text: string, opts: CellOptions): number {
  if (!NOT_ONE_LINE.test(text)) {
    if (text === '') return 0;
    if (oneLineWidth(doc, font, size, opts.width, text) >= 0) return doc.currentLineHeight(true);
  }
  return doc.heightOfString(text, opts); // ignores opts.height
}

/**
 * Draws `text` in a box `opts.width` wide at (x, y) exactly as `doc.text(text, x, y, opts)` does, but without
 * pdfkit's line wrapper when the wrapper would set it on one line (most cells: amounts, labels, dates): at the same
 * x (right-aligned: moved by the width pdfkit measures), with the same operators. Everything else (a description or
 * address that wraps, a cell at the page end where the wrapper would start a new page) goes to `doc.text`.
 * Unlike `doc.text` with a width, it leaves doc.x/doc.y where they are, so callers position every cell.
 */
function cell(
  doc: PDFKit.PDFDocument,
  font: FontName,
  size: number,
  text: string,
  x: number,
  y: number,
  opts: CellOptions,
) {
  if (y + doc.currentLineHeight(true) <= doc.page.maxY() - 0.01 && !NOT_ONE_LINE.test(text)) {
    if (text === '') return; // pdfkit draws nothing for it either
    const w = oneLineWidth(doc, font, size, opts.width, text);
    if (w >= 0) {
      const lineWidth = (opts.width * 100) / 100; // as pdfkit's LineWrapper computes it (horizontal scaling 100 %)
      doc.text(text, opts.align === 'right' ? x + (lineWidth - w) : x, y, { lineBreak: false });
      return;
    }
  }
  doc.text(text, x, y, opts);
}

interface Column {
  label: string;
  width: number;
  align: 'left' | 'right';
}

/** Renders the invoice; resolves with the PDF bytes. */
export function renderInvoicePdf(invoice: Invoice): Promise<Buffer> {
  const credit = invoice.kind === 'credit_note';
  const title = credit ? 'Credit note' : 'Invoice';
  const doc = new PDFDocument({
    font: null as unknown as string, // no default font: selectFont sets Helvetica first, as pdfkit would (F1)
    size: 'A4',
    margin: PAGE.margin,
    bufferPages: true,
    info: {
      Title: `${title} ${invoice.number}`,
      Author: invoice.seller.name,
      Subject: `${title} ${invoice.number}`,
      Creator: 'Lataus',
      Producer: 'Lataus',
      CreationDate: new Date(invoice.issued_at),
    },
  });
  selectFont(doc, 'Helvetica');
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const cur = invoice.currency;
  const left = PAGE.margin;
  const right = PAGE.width - PAGE.margin;
  const bottom = PAGE.height - PAGE.margin - 40; // room for the footer
  let face: FontName = 'Helvetica'; // the font and size set last
  let size = 12;
  const font = (name: FontName, pt: number) => {
    face = name;
    size = pt;
    return selectFont(doc, name).fontSize(pt);
  };
  const text = (t: string, x: number, y: number, opts: CellOptions) => cell(doc, face, size, t, x, y, opts);
  const height = (t: string, opts: CellOptions) => cellHeight(doc, face, size, t, opts);

  // --- header: seller and title ---------------------------------------------------------------------------
  doc.fillColor(ACCENT).rect(0, 0, PAGE.width, 6).fill();
  doc.fillColor(INK);
  font('Helvetica-Bold', 15).text(invoice.seller.name, left, 50, { width: 300 });
  font('Helvetica', 9).fillColor(MUTED);
  doc.text(invoice.seller.address, { width: 300 });
  doc.text(`VAT ID ${invoice.seller.vat_id}`, { width: 300 });
  font('Helvetica-Bold', 22).fillColor(credit ? '#b42318' : ACCENT);
  text(title, right - 200, 48, { width: 200, align: 'right' });

  // --- buyer and invoice facts ----------------------------------------------------------------------------
  let y = 130;
  font('Helvetica-Bold', 8).fillColor(MUTED);
  text('BILLED TO', left, y, { width: PAGE.width - left - PAGE.margin });
  font('Helvetica', 10).fillColor(INK);
  const buyerLines = [invoice.buyer.name, invoice.buyer.address, invoice.buyer.email].filter((s): s is string => !!s);
  doc.text(buyerLines.join('\n'), left, y + 13, { width: 250, lineGap: 1 });
  const buyerEnd = doc.y;

  const facts: [string, string][] = [
    [credit ? 'Credit note no.' : 'Invoice no.', invoice.number],
    [credit ? 'Credit note date' : 'Invoice date', formatDate(invoice.issue_date)],
  ];
  if (invoice.references_number) facts.push(['Cancels invoice', invoice.references_number]);
  facts.push(['Currency', cur]);
  let fy = y;
  for (const [k, v] of facts) {
    font('Helvetica', 9).fillColor(MUTED);
    text(k, right - 230, fy, { width: 100 });
    font('Helvetica-Bold', 9).fillColor(INK);
    text(v, right - 130, fy, { width: 130, align: 'right' });
    fy += 15;
  }
  y = Math.max(buyerEnd, fy) + 22;

  // --- the charging session --------------------------------------------------------------------------------
  const s = invoice.session;
  if (s) {
    font('Helvetica-Bold', 8).fillColor(MUTED);
    text('CHARGING SESSION', left, y, { width: PAGE.width - left - PAGE.margin });
    y += 13;
    const boxTop = y;
    const rows: [string, string, string, string][] = [
      ['Location', s.location_name, 'Start', formatInstant(s.start, s.time_zone)],
      ['Address', s.address, 'End', formatInstant(s.end, s.time_zone)],
      ['EVSE', s.evse_id, 'Duration', formatDuration(s.start, s.end)],
      ['', '', 'Energy', `${new Dec(s.kwh).toDecimalPlaces(3).toFixed()} kWh`],
    ];
    doc
      .fillColor(BAND)
      .roundedRect(left, boxTop, CONTENT, rows.length * 16 + 12, 4)
      .fill();
    let ry = boxTop + 8;
    for (const [k1, v1, k2, v2] of rows) {
      font('Helvetica', 9).fillColor(MUTED);
      text(k1, left + 10, ry, { width: 60 });
      doc.fillColor(INK);
      text(v1, left + 70, ry, { width: 200, lineBreak: false, ellipsis: true });
      doc.fillColor(MUTED);
      text(k2, left + 290, ry, { width: 60 });
      doc.fillColor(INK);
      text(v2, left + 350, ry, { width: CONTENT - 360, lineBreak: false });
      ry += 16;
    }
    y = boxTop + rows.length * 16 + 12 + 22;
  }

  // --- lines -----------------------------------------------------------------------------------------------
  const cols: Column[] = [
    { label: 'Description', width: 165, align: 'left' },
    { label: 'Quantity', width: 80, align: 'right' },
    { label: 'Unit price excl. VAT', width: 100, align: 'right' },
    { label: 'VAT', width: 55, align: 'right' },
    { label: 'Amount excl. VAT', width: CONTENT - 400, align: 'right' },
  ];
  const cellOptions = (i: number): CellOptions => ({
    width: cols[i]!.width - 8,
    align: cols[i]!.align,
    lineBreak: false,
    ellipsis: true,
  });
  /** Draws a row's cells from `top`, each capped at `heights[i]` (where given) with an ellipsis. */
  const row = (cells: string[], top: number, bold = false, color = INK, heights?: number[]) => {
    let x = left;
    font(bold ? 'Helvetica-Bold' : 'Helvetica', 9).fillColor(color);
    cells.forEach((c, i) => {
      const col = cols[i]!;
      const opts = cellOptions(i);
      const h = heights?.[i];
      if (h !== undefined) opts.height = h;
      text(c, x + (col.align === 'left' ? 8 : 0), top, opts);
      x += col.width;
    });
  };
  const header = (top: number) => {
    doc.fillColor(BAND).rect(left, top, CONTENT, 20).fill();
    row(
      cols.map((c) => c.label),
      top + 6,
      true,
      MUTED,
    );
    return top + 26;
  };
  // A row is as high as its tallest cell: a one-line row takes ROW (its rule 5 pt above the next row), and every
  // further line of a wrapped cell (a long description) pushes the rule and the rows below down by a line. The
  // other cells stay on the row's first line. A row goes to the next page whole when its last line would come
  // below `lastTop` (into the footer's room); a cell too high for even an empty page (under the table header) is
  // cut to the lines that fit there, ending in "…".
  const ROW = 18;
  const lastTop = bottom - 20;
  const firstTop = PAGE.margin + 26; // the first row of a continued page, under header(PAGE.margin)
  y = header(y);
  for (const l of invoice.lines) {
    const cells = [
      l.description,
      formatQuantity(l.quantity, l.unit),
      l.unit === 'session'
        ? formatPrice(l.unit_price, cur, true)
        : `${formatPrice(l.unit_price, cur, false)} / ${l.unit}`,
      formatVatRate(l.vat_rate),
      formatMoney(l.net_minor, cur),
    ];
    font('Helvetica', 9);
    const lh = doc.currentLineHeight(true);
    const maxLines = Math.floor((lastTop - firstTop) / lh) + 1;
    let lines = 1;
    let capped: number[] | undefined;
    cells.forEach((c, i) => {
      const n = Math.round(height(c, cellOptions(i)) / lh);
      if (n > maxLines) {
        capped ??= [];
        capped[i] = (maxLines + 0.5) * lh; // the wrapper stops after maxLines lines
      }
      lines = Math.max(lines, Math.min(n, maxLines));
    });
    const extra = (lines - 1) * lh;
    if (y + extra > lastTop) {
      doc.addPage();
      y = header(PAGE.margin);
    }
    row(cells, y, false, INK, capped);
    y += ROW + extra;
    doc
      .strokeColor(RULE)
      .lineWidth(0.5)
      .moveTo(left, y - 5)
      .lineTo(right, y - 5)
      .stroke();
  }
  y += 12;

  // --- VAT per rate and totals -----------------------------------------------------------------------------
  const groupsHeight = 26 + invoice.vat_groups.length * 16 + 100;
  if (y + groupsHeight > bottom) {
    doc.addPage();
    y = PAGE.margin;
  }
  const vx = left;
  const vw = [55, 62, 55, 62];
  const vatRow = (cells: string[], top: number, bold = false, color = INK) => {
    let x = vx;
    font(bold ? 'Helvetica-Bold' : 'Helvetica', 9).fillColor(color);
    cells.forEach((c, i) => {
      text(c, x, top, { width: vw[i]! - 6, align: i === 0 ? 'left' : 'right', lineBreak: false });
      x += vw[i]!;
    });
  };
  const totalsTop = y;
  font('Helvetica-Bold', 8).fillColor(MUTED);
  text('VAT BY RATE', vx, y, { width: PAGE.width - vx - PAGE.margin });
  y += 14;
  vatRow(['Rate', 'Net', 'VAT', 'Gross'], y, true, MUTED);
  y += 14;
  for (const g of invoice.vat_groups) {
    vatRow([formatVatRate(g.vat_rate), formatMoney(g.net, cur), formatMoney(g.vat, cur), formatMoney(g.gross, cur)], y);
    y += 16;
  }
  const vatEnd = y;

  const tx = right - 210;
  let ty = totalsTop + 14;
  const totalLine = (label: string, value: string, strong = false) => {
    font(strong ? 'Helvetica-Bold' : 'Helvetica', strong ? 12 : 10).fillColor(INK);
    text(label, tx, ty, { width: 110 });
    text(value, tx + 110, ty, { width: 100, align: 'right' });
    ty += strong ? 20 : 16;
  };
  totalLine('Total excl. VAT', formatMoney(invoice.totals.net, cur));
  totalLine('VAT', formatMoney(invoice.totals.vat, cur));
  doc.strokeColor(INK).lineWidth(1).moveTo(tx, ty).lineTo(right, ty).stroke();
  ty += 6;
  totalLine(credit ? 'Total credited' : 'Total', formatMoney(invoice.totals.gross, cur), true);
  y = Math.max(vatEnd, ty) + 16;

  // --- payment note ----------------------------------------------------------------------------------------
  const paid = paymentText(invoice.payment);
  const notes: string[] = [];
  if (paid) notes.push(credit ? `${paid} The amount is refunded to the same means of payment.` : paid);
  if (invoice.vat_groups.some((g) => g.vat_rate === null)) notes.push('Lines marked "exempt" carry no VAT.');
  if (notes.length) {
    font('Helvetica', 9.5).fillColor(INK).text(notes.join('\n'), left, y, { width: CONTENT });
  }

  // --- footer on every page --------------------------------------------------------------------------------
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const fyy = PAGE.height - PAGE.margin - 18;
    doc
      .strokeColor(RULE)
      .lineWidth(0.5)
      .moveTo(left, fyy - 6)
      .lineTo(right, fyy - 6)
      .stroke();
    font('Helvetica', 7.5).fillColor(MUTED);
    text(`${invoice.seller.name} · ${invoice.seller.address} · VAT ID ${invoice.seller.vat_id}`, left, fyy, {
      width: CONTENT - 80,
      lineBreak: false,
      ellipsis: true,
    });
    text(`${invoice.number} · ${i + 1}/${range.count}`, right - 120, fyy, {
      width: 120,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.end();
  return done;
}
