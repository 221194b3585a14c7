// Issuing invoices and credit notes on the real schema (PGlite by default, PostgreSQL with DATABASE_URL).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linesFromPricedSession } from '../../../src/modules/invoicing/core/from-priced-session.ts';
import { formatInvoiceNumber } from '../../../src/modules/invoicing/core/number.ts';
import { renderInvoicePdf } from '../../../src/modules/invoicing/invoice.pdf.ts';
import { invoiceNumberSql } from '../../../src/modules/invoicing/invoicing.repository.ts';
import {
  checkDownloadToken,
  getInvoice,
  getPriceProof,
  type InvoicingSettings,
  type IssueInvoiceInput,
  issueCreditNote,
  issueInvoice,
  listIssuedInvoices,
} from '../../../src/modules/invoicing/invoicing.service.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { samplePricedSession } from '../../unit/invoicing/sample.ts';

let db: TestDatabase;
let now = new Date('2026-03-14T18:20:11Z');
const settings: InvoicingSettings = {
  seller: { name: 'Lataus Demo eMSP GmbH', address: 'Musterstraße 1, 10115 Berlin, Germany', vat_id: 'DE000000000' },
  numberPrefix: 'LAT-',
  timeZone: 'Europe/Berlin',
  clock: () => now,
};

function input(over: Partial<IssueInvoiceInput> = {}): IssueInvoiceInput {
  const { cdr, result } = samplePricedSession();
  return {
    buyer: { email: 'driver@example.org' },
    session: {
      location_name: 'Parkhaus Schöneberg',
      address: 'Hauptstraße 155, 10827 Berlin',
      evse_id: 'DE*LTS*E1234*1',
      start: cdr.start_date_time,
      end: cdr.end_date_time,
      kwh: result.total_energy,
      time_zone: 'Europe/Berlin',
    },
    session_ref: 'sess-1',
    lines: linesFromPricedSession(result),
    currency: 'EUR',
    payment: { card: { brand: 'VISA', last4: '1234' } },
    price_proof: { ref: 'proof-1', proof: result.breakdown },
    ...over,
  };
}

const issue = (over: Partial<IssueInvoiceInput> = {}) =>
  db.db.transaction().execute((trx) => issueInvoice(trx, input(over), settings));

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('issueInvoice', () => {
  it('stores header, lines and totals; reads back the same invoice; renders the same PDF', async () => {
    const r = await issue();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.invoice.number).toBe('LAT-2026-000001');
    expect(r.invoice.issue_date).toBe('2026-03-14');
    expect(r.invoice.totals).toEqual({ net: 891, vat: 109, gross: 1000 });
    expect(r.download_token).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 bits, base64url
    const stored = await getInvoice(db.db, r.invoice.number);
    expect(stored).toEqual(r.invoice);
    expect((await renderInvoicePdf(stored!)).equals(await renderInvoicePdf(r.invoice))).toBe(true);
    expect(await getPriceProof(db.db, r.invoice.number)).toMatchObject({ time_zone: 'Europe/Berlin' });
  });

  it('numbers are per year in the seller time zone: 31 Dec 23:30 UTC is already next year in Berlin', async () => {
    now = new Date('2026-12-31T23:30:00Z');
    const r = await issue();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.invoice.number).toBe('LAT-2027-000001');
    expect(r.invoice.issue_date).toBe('2027-01-01');
    now = new Date('2026-03-15T09:00:00Z');
    const r2 = await issue();
    expect(r2.ok && r2.invoice.number).toBe('LAT-2026-000002');
  });

  it('a rolled-back issue gives its number back (no gap)', async () => {
    await expect(
      db.db.transaction().execute(async (trx) => {
        const r = await issueInvoice(trx, input(), settings);
        expect(r.ok && r.invoice.number).toBe('LAT-2026-000003');
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    const r = await issue();
    expect(r.ok && r.invoice.number).toBe('LAT-2026-000003');
  });

  it('issued invoices are immutable', async () => {
    await expect(
      sql`update invoices set total_gross = 1 where number = 'LAT-2026-000001'`.execute(db.db),
    ).rejects.toThrow(/cannot be changed/);
    await expect(
      sql`delete from invoice_lines where invoice_number = 'LAT-2026-000001'`.execute(db.db),
    ).rejects.toThrow(/cannot be changed/);
    expect((await getInvoice(db.db, 'LAT-2026-000001'))?.totals.gross).toBe(1000);
  });

  it('rejects bad input with stable codes and allocates no number', async () => {
    const bad = [
      [{ lines: [] }, 'INVALID_INVOICE'],
      [{ buyer: { email: 'nope' } }, 'INVALID_INVOICE'],
      [{ currency: 'euro' }, 'INVALID_INVOICE'],
      [{ lines: [{ ...input().lines[0]!, net: '-100' }] }, 'INVALID_INVOICE'],
      [{ kind: 'credit_note' as const }, 'INVALID_INVOICE'],
      [{ references: { invoice_number: 'LAT-2026-000001' } }, 'INVALID_INVOICE'],
      [{ session: { ...input().session!, time_zone: 'Mars/Olympus' } }, 'INVALID_INVOICE'],
      [{ session: { ...input().session!, kwh: '12,5' } }, 'INVALID_INVOICE'],
      [{ session: { ...input().session!, end: '2020-01-01T00:00:00Z' } }, 'INVALID_INVOICE'],
      [{ payment: { card: { last4: '4111111111111111' } } }, 'INVALID_INVOICE'],
    ] as const;
    for (const [over, code] of bad) {
      const r = await issue(over);
      expect(r.ok ? 'ok' : r.error.code).toBe(code);
    }
    const r = await issue();
    expect(r.ok && r.invoice.number).toBe('LAT-2026-000004');
  });

  it('download tokens are checked against the stored hash', async () => {
    const r = await issue();
    if (!r.ok) throw new Error(r.error.message);
    expect(await checkDownloadToken(db.db, r.invoice.number, r.download_token)).toBe(true);
    expect(await checkDownloadToken(db.db, r.invoice.number, `${r.download_token.slice(0, -1)}A`)).toBe(
      r.download_token.endsWith('A'),
    );
    expect(await checkDownloadToken(db.db, 'LAT-1999-000001', r.download_token)).toBe(false);
    const row = await sql<{
      h: string;
    }>`select download_token_hash as h from invoices where number = ${r.invoice.number}`.execute(db.db);
    expect(row.rows[0]!.h).not.toContain(r.download_token);
  });
});

describe('credit notes', () => {
  it('a full credit note negates the original, references it, and cannot be issued twice', async () => {
    const r = await issue();
    if (!r.ok) throw new Error(r.error.message);
    const c = await db.db
      .transaction()
      .execute((trx) => issueCreditNote(trx, { invoice_number: r.invoice.number }, settings));
    if (!c.ok) throw new Error(c.error.message);
    expect(c.invoice.kind).toBe('credit_note');
    expect(c.invoice.references_number).toBe(r.invoice.number);
    expect(c.invoice.totals).toEqual({ net: -891, vat: -109, gross: -1000 });
    expect(c.invoice.vat_groups.map((g) => g.gross)).toEqual(r.invoice.vat_groups.map((g) => -g.gross));
    expect(c.invoice.session).toEqual(r.invoice.session);
    const again = await db.db
      .transaction()
      .execute((trx) => issueCreditNote(trx, { invoice_number: r.invoice.number }, settings));
    expect(again.ok ? 'ok' : again.error.code).toBe('CREDIT_EXCEEDS_INVOICE');
  });

  it('partial credit notes add up to at most the original; wrong references are refused', async () => {
    const r = await issue();
    if (!r.ok) throw new Error(r.error.message);
    const refundLine = (net: string) => ({
      description: 'Refund: charging interrupted',
      category: 'refund' as const,
      quantity: '1',
      unit: 'session' as const,
      unit_price: net,
      vat_rate: '10',
      net,
    });
    const credit = (net: string, over: Partial<IssueInvoiceInput> = {}) =>
      issue({
        kind: 'credit_note',
        references: { invoice_number: r.invoice.number },
        lines: [refundLine(net)],
        ...over,
      });
    const a = await credit('-5');
    expect(a.ok && a.invoice.totals.gross).toBe(-550);
    const b = await credit('-4.2');
    expect(b.ok ? 'ok' : b.error.code).toBe('CREDIT_EXCEEDS_INVOICE');
    const c = await credit('-4');
    expect(c.ok && c.invoice.totals.gross).toBe(-440);
    const d = await credit('-0.1'); // 11 more: 1001 > 1000
    expect(d.ok ? 'ok' : d.error.code).toBe('CREDIT_EXCEEDS_INVOICE');
    const e = await credit('-0.09'); // 9 + VAT 1 = 10: exactly the rest
    expect(e.ok && e.invoice.totals.gross).toBe(-10);
    expect((await credit('-1', { references: { invoice_number: 'LAT-1999-000001' } })).ok).toBe(false);
    const usd = await credit('-0.01', { currency: 'USD' });
    expect(usd.ok ? 'ok' : usd.error.code).toBe('CURRENCY_MISMATCH');
    if (!a.ok) throw new Error('unreachable');
    const ofCredit = await credit('-0.01', { references: { invoice_number: a.invoice.number } });
    expect(ofCredit.ok ? 'ok' : ofCredit.error.message).toMatch(/is a credit note/);
  });
});

describe('listIssuedInvoices', () => {
  it('filters by period and kind, newest first', async () => {
    const all = await listIssuedInvoices(db.db, { limit: 100, offset: 0 });
    expect(all.total).toBeGreaterThan(5);
    const dates = all.invoices.map((i) => i.issued_at);
    expect([...dates].sort().reverse()).toEqual(dates);
    const march14 = await listIssuedInvoices(db.db, {
      from: '2026-03-14',
      to: '2026-03-14',
      limit: 100,
      offset: 0,
    });
    expect(march14.invoices.map((i) => i.number)).toEqual(['LAT-2026-000001']);
    const credits = await listIssuedInvoices(db.db, { kind: 'credit_note', limit: 100, offset: 0 });
    expect(credits.invoices.every((i) => i.kind === 'credit_note' && i.totals.gross < 0)).toBe(true);
    expect(credits.total).toBe(4);
    const year2027 = await listIssuedInvoices(db.db, { from: '2027-01-01', to: '2027-12-31', limit: 1, offset: 0 });
    expect(year2027.invoices.map((i) => [i.number, i.issue_date])).toEqual([['LAT-2027-000001', '2027-01-01']]);
  });
});

describe('invoice numbers in SQL', () => {
  it('the statement formats a number as formatInvoiceNumber does (6 digits, longer sequences in full)', async () => {
    for (const [prefix, year] of [
      ['LAT-', 2026],
      ['', 2027],
      ['X9-', 1999],
    ] as const) {
      for (const seq of [1, 42, 99_999, 999_999, 1_000_000, 12_345_678]) {
        const r = await sql<{ n: string }>`select ${invoiceNumberSql(prefix, year, sql`${seq}::bigint`)} as n`.execute(
          db.db,
        );
        expect(r.rows[0]!.n).toBe(formatInvoiceNumber(prefix, year, seq));
      }
    }
  });
});
