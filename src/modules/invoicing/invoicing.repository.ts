// SQL of the invoicing module: gapless number allocation, inserting an issued invoice, reading and listing.
import { sql } from 'kysely';
import type { Invoice, InvoiceKind } from './core/invoice.ts';
import type { VatGroup } from './core/totals.ts';
import type { InvoicingDb } from './invoicing.tables.ts';

/**
 * Next sequence number of (prefix, year), inside the caller's transaction. The upsert increments the counter row
 * and keeps it locked until commit (the same row lock `SELECT … FOR UPDATE` takes), so concurrent issuers queue
 * on it; a rollback undoes the increment, so no number is lost. The first issue of a year creates the row;
 * two first issues meet on the primary key and the second becomes an increment.
 */
export async function allocateSequence(trx: InvoicingDb, prefix: string, year: number): Promise<number> {
  const row = await trx
    .insertInto('invoice_number_counters')
    .values({ prefix, year, last_sequence: 1 })
    .onConflict((oc) =>
      oc.columns(['prefix', 'year']).doUpdateSet({ last_sequence: sql`invoice_number_counters.last_sequence + 1` }),
    )
    .returning('last_sequence')
    .executeTakeFirstOrThrow();
  return Number(row.last_sequence);
}

export interface InvoiceRecord {
  invoice: Invoice;
  prefix: string;
  year: number;
  sequence: number;
  downloadTokenHash: string;
  priceProof: unknown;
}

/** Inserts the invoice and its lines in one statement (the lines in a data-modifying CTE). */
export async function insertInvoice(trx: InvoicingDb, r: InvoiceRecord): Promise<void> {
  const i = r.invoice;
  const header = trx.insertInto('invoices').values({
    number: i.number,
    prefix: r.prefix,
    year: r.year,
    sequence: r.sequence,
    kind: i.kind,
    references_number: i.references_number,
    issued_at: i.issued_at,
    issue_date: i.issue_date,
    currency: i.currency,
    seller: JSON.stringify(i.seller),
    buyer: JSON.stringify(i.buyer),
    buyer_email: i.buyer.email,
    charging_session: i.session === null ? null : JSON.stringify(i.session),
    session_ref: i.session_ref,
    vat_groups: JSON.stringify(i.vat_groups),
    total_net: i.totals.net,
    total_vat: i.totals.vat,
    total_gross: i.totals.gross,
    payment: i.payment === null ? null : JSON.stringify(i.payment),
    price_proof_ref: i.price_proof_ref,
    price_proof: r.priceProof === undefined || r.priceProof === null ? null : JSON.stringify(r.priceProof),
    download_token_hash: r.downloadTokenHash,
  });
  if (i.lines.length === 0) {
    await header.execute();
    return;
  }
  await trx
    .with('header', () => header.returning('number'))
    .insertInto('invoice_lines')
    .values(
      i.lines.map((l) => ({
        invoice_number: i.number,
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
    )
    .execute();
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
