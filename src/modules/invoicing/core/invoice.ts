// The issued invoice as the rest of the system sees it (stored, rendered, served). Amounts in minor units.
import type { InvoiceLine, VatGroup } from './totals.ts';

export type InvoiceKind = 'invoice' | 'credit_note';

export interface Seller {
  name: string;
  address: string;
  vat_id: string;
}

export interface Buyer {
  name: string | null;
  email: string;
  address: string | null;
}

/** The charging session an invoice is for; times are UTC instants shown in the location's time zone. */
export interface ChargingSessionInfo {
  location_name: string;
  address: string;
  evse_id: string;
  start: string;
  end: string;
  /** Decimal kWh, e.g. "20.5". */
  kwh: string;
  /** IANA zone of the location, e.g. "Europe/Berlin". */
  time_zone: string;
}

/** How the invoice was paid, for the note on the receipt ("Paid by card VISA …1234"). */
export interface PaymentNote {
  card?: { brand?: string; last4: string };
  /** Free text instead of or in addition to the card, e.g. "Paid with PayPal". */
  note?: string;
}

export interface InvoiceLineView extends InvoiceLine {
  position: number;
  /** The amount shown for the line in minor units (the group's rounded net distributed over its lines). */
  net_minor: number;
}

export interface Invoice {
  number: string;
  kind: InvoiceKind;
  /** For a credit note: the number of the invoice it cancels. */
  references_number: string | null;
  issued_at: string;
  /** The invoice date (YYYY-MM-DD) in the seller's time zone. */
  issue_date: string;
  currency: string;
  seller: Seller;
  buyer: Buyer;
  session: ChargingSessionInfo | null;
  session_ref: string | null;
  lines: InvoiceLineView[];
  vat_groups: VatGroup[];
  totals: { net: number; vat: number; gross: number };
  payment: PaymentNote | null;
  price_proof_ref: string | null;
}
