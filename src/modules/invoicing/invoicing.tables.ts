// Table types of migrations/0045_invoicing.sql (kept beside the module, merged into Kysely with `withTables`).
import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;
/** int8: a string on both backends. */
type Int8 = ColumnType<string, string | number, string | number>;
/** `date` is read as text (`issue_date::text`): node-postgres would make a local-midnight Date of it. */
type DateText = ColumnType<string, string, string>;
type Numeric = ColumnType<string, string, string>;

export type InvoicingTables = {
  invoice_number_counters: { prefix: string; year: number; last_sequence: Int8 };
  invoices: {
    number: string;
    prefix: string;
    year: number;
    sequence: Int8;
    kind: string;
    references_number: string | null;
    issued_at: Timestamp;
    issue_date: DateText;
    currency: string;
    seller: Json;
    buyer: Json;
    buyer_email: string;
    charging_session: Json | null;
    session_ref: string | null;
    vat_groups: Json;
    total_net: Int8;
    total_vat: Int8;
    total_gross: Int8;
    payment: Json | null;
    price_proof_ref: string | null;
    price_proof: Json | null;
    download_token_hash: string;
  };
  invoice_lines: {
    invoice_number: string;
    position: number;
    description: string;
    category: string;
    quantity: Numeric;
    unit: string;
    unit_price: Numeric;
    vat_rate: Numeric | null;
    net: Numeric;
    net_minor: Int8;
  };
};

/** A database handle or a transaction (a Transaction is a Kysely) with the invoicing tables typed. */
export type InvoicingDb = Kysely<Database & InvoicingTables>;

/** The handle (or transaction) with the invoicing tables typed. */
export function idb(db: Kysely<Database>): InvoicingDb {
  return db.withTables<InvoicingTables>();
}
