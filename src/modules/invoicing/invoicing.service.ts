// Use cases of invoicing: issue an invoice or credit note inside the caller's transaction (gapless number,
// immutable rows, a download token for receipt links), read, list, and check a download token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { creditNoteLines } from './core/credit-note.ts';
import type { ChargingSessionInfo, Invoice, InvoiceKind, PaymentNote, Seller } from './core/invoice.ts';
import { normaliseVatRate } from './core/money.ts';
import { computeTotals, InvalidLineError, type InvoiceLine } from './core/totals.ts';
import {
  creditedGross,
  findDownloadTokenHash,
  findInvoice,
  findPriceProof,
  type InvoiceListFilter,
  type InvoiceSummary,
  invoiceCtes,
  issueAlone,
  listInvoices,
  lockInvoice,
} from './invoicing.repository.ts';
import { idb } from './invoicing.tables.ts';

export interface InvoicingSettings {
  seller: Seller;
  /** INVOICE_NUMBER_PREFIX, e.g. "LAT-". */
  numberPrefix: string;
  /** The seller's IANA time zone: the invoice date and the year of the number are taken there. */
  timeZone: string;
  clock: () => Date;
}

export interface IssueInvoiceInput {
  kind?: InvoiceKind;
  buyer: { name?: string | null; email: string; address?: string | null };
  session?: ChargingSessionInfo | null;
  /** Our id of the charging session (for lookups; not printed). */
  session_ref?: string | null;
  lines: readonly InvoiceLine[];
  currency: string;
  /** Required for a credit note: the invoice it cancels. */
  references?: { invoice_number: string } | null;
  payment?: PaymentNote | null;
  /** The tariff engine's price proof the lines came from, or a reference to where it is kept. */
  price_proof?: { ref?: string | null; proof?: unknown } | null;
}

export type InvoicingErrorCode =
  | 'INVALID_INVOICE'
  | 'REFERENCED_INVOICE_NOT_FOUND'
  | 'CURRENCY_MISMATCH'
  | 'CREDIT_EXCEEDS_INVOICE';

export interface InvoicingError {
  code: InvoicingErrorCode;
  message: string;
}

export type IssueOutcome =
  | {
      ok: true;
      invoice: Invoice;
      /** The 128-bit token for the receipt link `/api/v1/invoices/<number>.pdf?token=…`; only its hash is stored. */
      download_token: string;
    }
  | { ok: false; error: InvoicingError };

const fail = (code: InvoicingErrorCode, message: string) => ({ ok: false as const, error: { code, message } });

export const hashDownloadToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The 'en-CA' (YYYY-MM-DD) formatter of a time zone, made once per zone: constructing an Intl.DateTimeFormat costs
 * far more than formatting with one. Throws a RangeError for a zone that is not an IANA time zone (never cached).
 */
const ymdFormats = new Map<string, Intl.DateTimeFormat>();
function ymdFormat(timeZone: string): Intl.DateTimeFormat {
  let f = ymdFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (ymdFormats.size >= 1024) ymdFormats.clear(); // there are ~600 zone names; a bound all the same
    ymdFormats.set(timeZone, f);
  }
  return f;
}

/** YYYY-MM-DD of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return ymdFormat(timeZone).format(at);
}

/** Why the session block cannot be printed, or null. */
function checkSession(s: ChargingSessionInfo): string | null {
  const start = Date.parse(s.start);
  const end = Date.parse(s.end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return 'session.start and session.end must be ISO instants';
  if (end < start) return 'session.end is before session.start';
  if (!/^\d+(\.\d+)?$/.test(s.kwh)) return `session.kwh "${s.kwh}" is not a decimal`;
  try {
    ymdFormat(s.time_zone);
  } catch {
    return `session.time_zone "${s.time_zone}" is not an IANA time zone`;
  }
  return null;
}

/** An invoice validated and totalled, to be issued by one statement (see `prepareInvoice`). */
export interface PreparedInvoice {
  ok: true;
  /** The invoice as it will be stored, but for its number. */
  draft: Invoice;
  /**
   * The CTEs that allocate the number and write the invoice (invoicing.repository `invoiceCtes`): issued only if
   * the caller's CTE `gate` yields a row (null: always).
   */
  ctes(gate: string | null): RawBuilder<unknown>;
  /** The 128-bit token for receipt links (only its hash is stored). */
  download_token: string;
  /** The issued invoice and its download token, once the statement gave the number (`inv_header.number`). */
  complete(number: string): { invoice: Invoice; download_token: string };
}

/**
 * Validates and totals an invoice or credit note and prepares the statement that issues it — everything but the
 * database checks of a credit note (issueInvoice does them). Pure apart from the clock and the token's randomness.
 */
export function prepareInvoice(
  input: IssueInvoiceInput,
  settings: InvoicingSettings,
): PreparedInvoice | { ok: false; error: InvoicingError } {
  const kind = input.kind ?? 'invoice';
  let totals: ReturnType<typeof computeTotals>;
  try {
    totals = computeTotals(input.lines, input.currency);
  } catch (e) {
    if (e instanceof InvalidLineError) return fail('INVALID_INVOICE', e.message);
    throw e;
  }
  if (input.lines.length === 0) return fail('INVALID_INVOICE', 'an invoice needs at least one line');
  if (!/^[^\s@]+@[^\s@]+$/.test(input.buyer.email))
    return fail('INVALID_INVOICE', `buyer.email "${input.buyer.email}" is not an e-mail address`);
  const sessionProblem = input.session ? checkSession(input.session) : null;
  if (sessionProblem) return fail('INVALID_INVOICE', sessionProblem);
  if (input.payment?.card && !/^\d{4}$/.test(input.payment.card.last4))
    return fail('INVALID_INVOICE', 'payment.card.last4 must be the last 4 digits of the card');
  if (kind === 'invoice') {
    if (input.references) return fail('INVALID_INVOICE', 'only a credit note references another invoice');
    if (totals.gross < 0) return fail('INVALID_INVOICE', 'an invoice total cannot be negative; issue a credit note');
  } else {
    if (!input.references) return fail('INVALID_INVOICE', 'a credit note must reference the invoice it cancels');
    if (totals.gross > 0) return fail('INVALID_INVOICE', 'a credit note total must be negative (or zero)');
  }

  const now = settings.clock();
  const issueDate = localDate(now, settings.timeZone);
  const year = Number(issueDate.slice(0, 4));
  const token = randomBytes(16).toString('base64url');
  const draft: Invoice = {
    number: '',
    kind,
    references_number: input.references?.invoice_number ?? null,
    issued_at: now.toISOString(),
    issue_date: issueDate,
    currency: input.currency,
    seller: { ...settings.seller },
    buyer: { name: input.buyer.name ?? null, email: input.buyer.email, address: input.buyer.address ?? null },
    session: input.session ?? null,
    session_ref: input.session_ref ?? null,
    lines: input.lines.map((l, i) => ({
      position: i + 1,
      description: l.description,
      category: l.category,
      quantity: l.quantity,
      unit: l.unit,
      unit_price: l.unit_price,
      vat_rate: normaliseVatRate(l.vat_rate),
      net: l.net,
      net_minor: totals.line_nets[i]!,
    })),
    vat_groups: totals.groups,
    totals: { net: totals.net, vat: totals.vat, gross: totals.gross },
    payment: input.payment ?? null,
    price_proof_ref: input.price_proof?.ref ?? null,
  };
  const record = {
    invoice: draft,
    prefix: settings.numberPrefix,
    year,
    downloadTokenHash: hashDownloadToken(token),
    priceProof: input.price_proof?.proof ?? null,
  };
  return {
    ok: true,
    draft,
    download_token: token,
    ctes: (gate) => invoiceCtes(record, gate),
    complete: (number) => ({ invoice: { ...draft, number }, download_token: token }),
  };
}

/**
 * Issues an invoice or credit note inside `trx` (the caller's transaction: the invoice commits or rolls back with
 * the business change it belongs to). Validates and computes first; then one statement allocates the number (the
 * counter row stays locked until commit, so keep the rest of the transaction short) and inserts header and lines.
 * To issue an invoice in one statement with a change of one's own, use `prepareInvoice`.
 */
export async function issueInvoice(
  trx: Kysely<Database>,
  input: IssueInvoiceInput,
  settings: InvoicingSettings,
): Promise<IssueOutcome> {
  const db = idb(trx);
  const prepared = prepareInvoice(input, settings);
  if (!prepared.ok) return prepared;
  const { draft } = prepared;
  if (draft.kind === 'credit_note') {
    const ref = draft.references_number!;
    const original = await lockInvoice(db, ref);
    if (!original) return fail('REFERENCED_INVOICE_NOT_FOUND', `there is no invoice ${ref}`);
    if (original.kind !== 'invoice') return fail('INVALID_INVOICE', `${ref} is a credit note, not an invoice`);
    if (original.currency !== draft.currency)
      return fail('CURRENCY_MISMATCH', `${ref} is in ${original.currency}, the credit note in ${draft.currency}`);
    const originalGross = Number(
      (await db.selectFrom('invoices').select('total_gross').where('number', '=', ref).executeTakeFirstOrThrow())
        .total_gross,
    );
    const already = await creditedGross(db, ref);
    if (originalGross + already + draft.totals.gross < 0)
      return fail(
        'CREDIT_EXCEEDS_INVOICE',
        `${ref} (gross ${originalGross}) has ${-already} credited already; ${-draft.totals.gross} more would exceed it`,
      );
  }
  return { ok: true, ...prepared.complete(await issueAlone(db, prepared.ctes(null))) };
}

/**
 * Issues a credit note that cancels `invoiceNumber` completely (every line negated), for the same buyer and
 * session, inside `trx`. A partial credit note is `issueInvoice` with kind 'credit_note' and its own lines.
 */
export async function issueCreditNote(
  trx: Kysely<Database>,
  input: { invoice_number: string; payment?: PaymentNote | null },
  settings: InvoicingSettings,
): Promise<IssueOutcome> {
  const original = await findInvoice(idb(trx), input.invoice_number);
  if (!original) return fail('REFERENCED_INVOICE_NOT_FOUND', `there is no invoice ${input.invoice_number}`);
  return issueInvoice(
    trx,
    {
      kind: 'credit_note',
      buyer: original.buyer,
      session: original.session,
      session_ref: original.session_ref,
      lines: creditNoteLines(original.lines.map(({ position: _p, net_minor: _n, ...line }) => line)),
      currency: original.currency,
      references: { invoice_number: original.number },
      payment: input.payment ?? null,
      price_proof: original.price_proof_ref ? { ref: original.price_proof_ref } : null,
    },
    settings,
  );
}

export function getInvoice(db: Kysely<Database>, number: string): Promise<Invoice | null> {
  return findInvoice(idb(db), number);
}

export function getPriceProof(db: Kysely<Database>, number: string): Promise<unknown> {
  return findPriceProof(idb(db), number);
}

export function listIssuedInvoices(
  db: Kysely<Database>,
  filter: InvoiceListFilter,
): Promise<{ total: number; invoices: InvoiceSummary[] }> {
  return listInvoices(idb(db), filter);
}

/** True when `token` is the download token of invoice `number` (constant-time on the hashes). */
export async function checkDownloadToken(db: Kysely<Database>, number: string, token: string): Promise<boolean> {
  const stored = await findDownloadTokenHash(idb(db), number);
  if (stored === null) return false;
  return timingSafeEqual(Buffer.from(hashDownloadToken(token), 'hex'), Buffer.from(stored, 'hex'));
}
