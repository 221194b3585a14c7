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

  // --- header: seller and title ---------------------------------------------------------------------------
  doc.fillColor(ACCENT).rect(0, 0, PAGE.width, 6).fill();
  doc.fillColor(INK).font('Helvetica-Bold').fontSize(15).text(invoice.seller.name, left, 50, { width: 300 });
  doc.font('Helvetica').fontSize(9).fillColor(MUTED);
  doc.text(invoice.seller.address, { width: 300 });
  doc.text(`VAT ID ${invoice.seller.vat_id}`, { width: 300 });
  doc
    .font('Helvetica-Bold')
    .fontSize(22)
    .fillColor(credit ? '#b42318' : ACCENT)
    .text(title, right - 200, 48, { width: 200, align: 'right' });

  // --- buyer and invoice facts ----------------------------------------------------------------------------
  let y = 130;
  doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED).text('BILLED TO', left, y);
  doc.font('Helvetica').fontSize(10).fillColor(INK);
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
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor(MUTED)
      .text(k, right - 230, fy, { width: 100 });
    doc
      .font('Helvetica-Bold')
      .fontSize(9)
      .fillColor(INK)
      .text(v, right - 130, fy, { width: 130, align: 'right' });
    fy += 15;
  }
  y = Math.max(buyerEnd, fy) + 22;

  // --- the charging session --------------------------------------------------------------------------------
  const s = invoice.session;
  if (s) {
    doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED).text('CHARGING SESSION', left, y);
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
      doc
        .font('Helvetica')
        .fontSize(9)
        .fillColor(MUTED)
        .text(k1, left + 10, ry, { width: 60 });
      doc.fillColor(INK).text(v1, left + 70, ry, { width: 200, lineBreak: false, ellipsis: true });
      doc.fillColor(MUTED).text(k2, left + 290, ry, { width: 60 });
      doc.fillColor(INK).text(v2, left + 350, ry, { width: CONTENT - 360, lineBreak: false });
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
  const row = (cells: string[], top: number, bold = false, color = INK) => {
    let x = left;
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .fillColor(color);
    cells.forEach((c, i) => {
      const col = cols[i]!;
      doc.text(c, x + (col.align === 'left' ? 8 : 0), top, {
        width: col.width - 8,
        align: col.align,
        lineBreak: false,
        ellipsis: true,
      });
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
  y = header(y);
  for (const l of invoice.lines) {
    if (y > bottom - 20) {
      doc.addPage();
      y = header(PAGE.margin);
    }
    row(
      [
        l.description,
        formatQuantity(l.quantity, l.unit),
        l.unit === 'session'
          ? formatPrice(l.unit_price, cur, true)
          : `${formatPrice(l.unit_price, cur, false)} / ${l.unit}`,
        formatVatRate(l.vat_rate),
        formatMoney(l.net_minor, cur),
      ],
      y,
    );
    y += 18;
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
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .fillColor(color);
    cells.forEach((c, i) => {
      doc.text(c, x, top, { width: vw[i]! - 6, align: i === 0 ? 'left' : 'right', lineBreak: false });
      x += vw[i]!;
    });
  };
  const totalsTop = y;
  doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED).text('VAT BY RATE', vx, y);
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
    doc
      .font(strong ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(strong ? 12 : 10)
      .fillColor(INK);
    doc.text(label, tx, ty, { width: 110 });
    doc.text(value, tx + 110, ty, { width: 100, align: 'right' });
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
    doc.font('Helvetica').fontSize(9.5).fillColor(INK).text(notes.join('\n'), left, y, { width: CONTENT });
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
    doc
      .font('Helvetica')
      .fontSize(7.5)
      .fillColor(MUTED)
      .text(`${invoice.seller.name} · ${invoice.seller.address} · VAT ID ${invoice.seller.vat_id}`, left, fyy, {
        width: CONTENT - 80,
        lineBreak: false,
        ellipsis: true,
      });
    doc.text(`${invoice.number} · ${i + 1}/${range.count}`, right - 120, fyy, {
      width: 120,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.end();
  return done;
}
