// Invoicing: gapless-numbered, immutable invoices and credit notes for charging sessions (lines straight from
// the tariff engine's price proof, plus the eMSP markup), rounded once per VAT rate; A4 PDF receipts and their API.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Invoice } from './core/invoice.ts';
import { renderInvoicePdf } from './invoice.pdf.ts';
import { invoicingRoutes } from './invoicing.routes.ts';
import {
  getInvoice,
  type InvoicingSettings,
  type IssueInvoiceInput,
  type IssueOutcome,
  issueCreditNote,
  issueInvoice,
  prepareInvoice,
} from './invoicing.service.ts';

export { creditNoteLines } from './core/credit-note.ts';
export {
  type FromPricedSessionOptions,
  linesFromPricedSession,
  type Markup,
  NotInvoiceableError,
} from './core/from-priced-session.ts';
export type {
  Buyer,
  ChargingSessionInfo,
  Invoice,
  InvoiceKind,
  InvoiceLineView,
  PaymentNote,
  Seller,
} from './core/invoice.ts';
export { formatInvoiceNumber } from './core/number.ts';
export {
  amountToCapture,
  computeTotals,
  InvalidLineError,
  type InvoiceLine,
  type InvoiceTotals,
  type InvoiceUnit,
  type LineCategory,
  type VatGroup,
} from './core/totals.ts';
export { formatMoney, renderInvoicePdf } from './invoice.pdf.ts';
export type { InvoiceListFilter, InvoiceSummary } from './invoicing.repository.ts';
export { invoicingRoutes } from './invoicing.routes.ts';
export {
  checkDownloadToken,
  getInvoice,
  type InvoicingError,
  type InvoicingErrorCode,
  type InvoicingSettings,
  type IssueInvoiceInput,
  type IssueOutcome,
  issueCreditNote,
  issueInvoice,
  listIssuedInvoices,
  type PreparedInvoice,
  prepareInvoice,
} from './invoicing.service.ts';

export interface InvoicingModuleOptions {
  db: Kysely<Database>;
  config: Pick<
    Config,
    'SELLER_NAME' | 'SELLER_ADDRESS' | 'SELLER_VAT_ID' | 'INVOICE_NUMBER_PREFIX' | 'PUBLIC_URL' | 'PORT' | 'adminToken'
  >;
  clock?: () => Date;
  /** The seller's time zone for invoice dates and the year in numbers (default Europe/Berlin). */
  timeZone?: string;
}

export interface InvoicingModule {
  settings: InvoicingSettings;
  /** Issues inside the caller's transaction (see `issueInvoice`). */
  issue(trx: Kysely<Database>, input: IssueInvoiceInput): Promise<IssueOutcome>;
  /**
   * An invoice (not a credit note: those need database checks) validated and totalled, for the caller to issue in
   * one statement with its own change (see `prepareInvoice`).
   */
  prepare(input: Omit<IssueInvoiceInput, 'kind' | 'references'>): ReturnType<typeof prepareInvoice>;
  /** Issues a credit note cancelling an invoice completely, inside the caller's transaction. */
  issueCreditNote(trx: Kysely<Database>, invoiceNumber: string): Promise<IssueOutcome>;
  get(number: string): Promise<Invoice | null>;
  renderPdf(invoice: Invoice): Promise<Buffer>;
  /** The receipt link for a driver: `<PUBLIC_URL>/api/v1/invoices/<number>.pdf?token=<download token>`. */
  receiptUrl(number: string, downloadToken: string): string;
  /** Routes under /api/v1. */
  routes: FastifyPluginAsync;
}

/** Wires the module from configuration (seller, number prefix) for the composition root. */
export function createInvoicingModule(opts: InvoicingModuleOptions): InvoicingModule {
  const c = opts.config;
  const settings: InvoicingSettings = {
    seller: { name: c.SELLER_NAME, address: c.SELLER_ADDRESS, vat_id: c.SELLER_VAT_ID },
    numberPrefix: c.INVOICE_NUMBER_PREFIX,
    timeZone: opts.timeZone ?? 'Europe/Berlin',
    clock: opts.clock ?? (() => new Date()),
  };
  const base = (c.PUBLIC_URL ?? `http://127.0.0.1:${c.PORT}`).replace(/\/+$/, '');
  return {
    settings,
    issue: (trx, input) => issueInvoice(trx, input, settings),
    prepare: (input) => prepareInvoice({ ...input, kind: 'invoice', references: null }, settings),
    issueCreditNote: (trx, invoiceNumber) => issueCreditNote(trx, { invoice_number: invoiceNumber }, settings),
    get: (number) => getInvoice(opts.db, number),
    renderPdf: renderInvoicePdf,
    receiptUrl: (number, token) =>
      `${base}/api/v1/invoices/${encodeURIComponent(number)}.pdf?token=${encodeURIComponent(token)}`,
    routes: invoicingRoutes({ db: opts.db, adminToken: c.adminToken }),
  };
}
