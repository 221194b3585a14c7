// Invoice numbers: prefix + year + "-" + sequence of at least 6 digits, e.g. "LAT-2026-000001". The sequence is
// gapless per prefix and year (allocated in the issuing transaction, see invoicing.repository.ts).

export function formatInvoiceNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}${year}-${String(sequence).padStart(6, '0')}`;
}

/** Characters an invoice number can have (prefix A-Z, 0-9, "-"); used to validate path parameters. */
export const INVOICE_NUMBER_PATTERN = /^[A-Z0-9-]{1,40}$/;
