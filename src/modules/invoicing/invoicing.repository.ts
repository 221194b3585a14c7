// SQL of the invoicing module: gapless number allocation, inserting an issued invoice, reading and listing.
import { type RawBuilder, sql } from 'kysely';
import type { Invoice, InvoiceKind } from './core/invoice.ts';
import type { VatGroup } from './core/totals.ts';
import type { InvoicingDb } from './invoicing.tables.ts';

export interface InvoiceRecord {
  /** The invoice as it will be stored; its `number` is allocated by the statement. */
  invoice: Invoice;
  prefix: string;
  year: number;
  downloadTokenHash: string;
  priceProof: unknown;
}

/**
 * The invoice number of a sequence number as SQL, for `formatInvoiceNumber` (core/number.ts) in a statement: the
 * prefix, the year, "-", the sequence zero-padded to 6 digits (longer sequences in full). A test holds the two equal.
 */
export function invoiceNumberSql(prefix: string, year: number, sequence: RawBuilder<unknown>) {
  return sql<string>`${prefix}::text || ${year}::int::text || '-' || case when ${sequence} < 1000000
    then lpad(${sequence}::text, 6, '0') else ${sequence}::text end`;
}

/**
 * The parts of ONE statement that issue an invoice: CTEs `inv_seq` (the next sequence number of (prefix, year)),
 * `inv_header` (returning number, sequence) and `inv_lines`. The counter upsert increments the counter row and
 * keeps it locked until the statement's transaction ends — as a statement of its own, only while PostgreSQL runs
 * it, not across round trips — so concurrent issuers queue on it briefly; nothing written on failure, so no number
 * is lost. The first issue of a year creates the row; two first issues meet on the primary key and the second
 * becomes an increment.
 * `gate`: the name of a CTE before these in the caller's statement; the invoice is issued only if it yields a row,
 * and after it (the gate's row locks come before the counter's: one lock order for every path).
 */
export function invoiceCtes(r: InvoiceRecord, gate: string | null): RawBuilder<unknown> {
  const i = r.invoice;
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const lines = JSON.stringify(
    i.lines.map((l) => ({
      position: l.position,
      description: l.description,
      category: l.category,
      quantity: l.quantity,
      unit: l.unit,
      unit_price: l.unit_price,
      vat_rate: l.vat_rate,
      net: l.net,
      net_minor: l.net_minor,
    })),
  );
  return sql`inv_seq as (
      insert into invoice_number_counters (prefix, year, last_sequence)
      select ${r.prefix}, ${r.year}::int, 1 ${gate ? sql`where exists (select 1 from ${sql.table(gate)})` : sql``}
      on conflict (prefix, year) do update set last_sequence = invoice_number_counters.last_sequence + 1
      returning last_sequence
    ), inv_header as (
      insert into invoices (number, prefix, year, sequence, kind, references_number, issued_at, issue_date, currency,
        seller, buyer, buyer_email, charging_session, session_ref, vat_groups, total_net, total_vat, total_gross,
        payment, price_proof_ref, price_proof, download_token_hash)
      select ${invoiceNumberSql(r.prefix, r.year, sql`s.last_sequence`)}, ${r.prefix}, ${r.year}::int,
        s.last_sequence, ${i.kind}, ${i.references_number}, ${i.issued_at}::timestamptz, ${i.issue_date}::date,
        ${i.currency}, ${json(i.seller)}::jsonb, ${json(i.buyer)}::jsonb, ${i.buyer.email}, ${json(i.session)}::jsonb,
        ${i.session_ref}, ${json(i.vat_groups)}::jsonb, ${i.totals.net}::bigint, ${i.totals.vat}::bigint,
        ${i.totals.gross}::bigint, ${json(i.payment)}::jsonb, ${i.price_proof_ref}, ${json(r.priceProof)}::jsonb,
        ${r.downloadTokenHash}
      from inv_seq s
      returning number, sequence
    ), inv_lines as (
      insert into invoice_lines (invoice_number, position, description, category, quantity, unit, unit_price,
        vat_rate, net, net_minor)
      select h.number, v.position, v.description, v.category, v.quantity, v.unit, v.unit_price, v.vat_rate, v.net,
        v.net_minor
      from inv_header h, jsonb_to_recordset(${lines}::jsonb) as v(position int, description text, category text,
        quantity numeric, unit text, unit_price numeric, vat_rate numeric, net numeric, net_minor bigint)
    )`;
}

/** Runs invoiceCtes (without a gate) as a statement of its own; the invoice's number. */
export async function issueAlone(db: InvoicingDb, ctes: RawBuilder<unknown>): Promise<string> {
  const res = await sql<{ number: string }>`with ${ctes} select number from inv_header`.execute(db);
  return res.rows[0]!.number;
}

const HEADER = [
  'number',
  'kind',
  'references_number',
  'issued_at',
  'currency',
  'seller',
  'buyer',
  'charging_session',
  'session_ref',
  'vat_groups',
  'total_net',
  'total_vat',
  'total_gross',
  'payment',
  'price_proof_ref',
] as const;

type HeaderRow = {
  number: string;
  kind: string;
  references_number: string | null;
  issued_at: Date;
  issue_date: string;
  currency: string;
  seller: unknown;
  buyer: unknown;
  charging_session: unknown;
  session_ref: string | null;
  vat_groups: unknown;
  total_net: string;
  total_vat: string;
  total_gross: string;
  payment: unknown;
  price_proof_ref: string | null;
};

function toInvoice(h: HeaderRow, lines: Invoice['lines']): Invoice {
  return {
    number: h.number,
    kind: h.kind as InvoiceKind,
    references_number: h.references_number,
    issued_at: h.issued_at.toISOString(),
    issue_date: h.issue_date,
    currency: h.currency,
    seller: h.seller as Invoice['seller'],
    buyer: h.buyer as Invoice['buyer'],
    session: (h.charging_session ?? null) as Invoice['session'],
    session_ref: h.session_ref,
    lines,
    vat_groups: h.vat_groups as VatGroup[],
    totals: { net: Number(h.total_net), vat: Number(h.total_vat), gross: Number(h.total_gross) },
    payment: (h.payment ?? null) as Invoice['payment'],
    price_proof_ref: h.price_proof_ref,
  };
}

/** Canonical decimal text of a numeric column ("0.2500" → "0.25"), as the core produces it. */
function canon(n: string): string {
  if (!n.includes('.')) return n;
  const t = n.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

export async function findInvoice(db: InvoicingDb, number: string): Promise<Invoice | null> {
  const h = await db
    .selectFrom('invoices')
    .select([...HEADER, sql<string>`issue_date::text`.as('issue_date')])
    .where('number', '=', number)
    .executeTakeFirst();
  if (!h) return null;
  const rows = await db
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_number', '=', number)
    .orderBy('position')
    .execute();
  return toInvoice(
    h,
    rows.map((l) => ({
      position: l.position,
      description: l.description,
      category: l.category as Invoice['lines'][number]['category'],
      quantity: canon(l.quantity),
      unit: l.unit as Invoice['lines'][number]['unit'],
      unit_price: canon(l.unit_price),
      vat_rate: l.vat_rate === null ? null : canon(l.vat_rate),
      net: canon(l.net),
      net_minor: Number(l.net_minor),
    })),
  );
}

export async function findPriceProof(db: InvoicingDb, number: string): Promise<unknown> {
  const r = await db.selectFrom('invoices').select('price_proof').where('number', '=', number).executeTakeFirst();
  return r?.price_proof ?? null;
}

export async function findDownloadTokenHash(db: InvoicingDb, number: string): Promise<string | null> {
  const r = await db
    .selectFrom('invoices')
    .select('download_token_hash')
    .where('number', '=', number)
    .executeTakeFirst();
  return r?.download_token_hash ?? null;
}

/** Locks an invoice row against concurrent credit notes (the row itself never changes). */
export async function lockInvoice(
  trx: InvoicingDb,
  number: string,
): Promise<{ kind: string; currency: string } | null> {
  const r = await trx
    .selectFrom('invoices')
    .select(['kind', 'currency'])
    .where('number', '=', number)
    .forUpdate()
    .executeTakeFirst();
  return r ?? null;
}

/** Σ gross of the credit notes issued against an invoice (≤ 0), in minor units. */
export async function creditedGross(trx: InvoicingDb, number: string): Promise<number> {
  const r = await trx
    .selectFrom('invoices')
    .select(sql<string>`coalesce(sum(total_gross), 0)::text`.as('sum'))
    .where('references_number', '=', number)
    .executeTakeFirstOrThrow();
  return Number(r.sum);
}

export interface InvoiceListFilter {
  /** First invoice date (YYYY-MM-DD, the seller's calendar) of the period, inclusive. */
  from?: string;
  /** Last invoice date of the period, inclusive. */
  to?: string;
  kind?: InvoiceKind;
  limit: number;
  offset: number;
}

export interface InvoiceSummary {
  number: string;
  kind: InvoiceKind;
  references_number: string | null;
  issued_at: string;
  issue_date: string;
  currency: string;
  buyer_email: string;
  session_ref: string | null;
  totals: { net: number; vat: number; gross: number };
}

export async function listInvoices(
  db: InvoicingDb,
  f: InvoiceListFilter,
): Promise<{ total: number; invoices: InvoiceSummary[] }> {
  let q = db.selectFrom('invoices');
  if (f.from) q = q.where('issue_date', '>=', f.from);
  if (f.to) q = q.where('issue_date', '<=', f.to);
  if (f.kind) q = q.where('kind', '=', f.kind);
  const [count, rows] = await Promise.all([
    q.select(sql<string>`count(*)::text`.as('n')).executeTakeFirstOrThrow(),
    q
      .select([
        'number',
        'kind',
        'references_number',
        'issued_at',
        'currency',
        'buyer_email',
        'session_ref',
        'total_net',
        'total_vat',
        'total_gross',
        sql<string>`issue_date::text`.as('issue_date'),
      ])
      .orderBy('issued_at', 'desc')
      .orderBy('number', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    invoices: rows.map((r) => ({
      number: r.number,
      kind: r.kind as InvoiceKind,
      references_number: r.references_number,
      issued_at: r.issued_at.toISOString(),
      issue_date: r.issue_date,
      currency: r.currency,
      buyer_email: r.buyer_email,
      session_ref: r.session_ref,
      totals: { net: Number(r.total_net), vat: Number(r.total_vat), gross: Number(r.total_gross) },
    })),
  };
}
