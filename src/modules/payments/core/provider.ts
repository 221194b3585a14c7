// The payment provider port: what the payments module needs from a PSP. The PAYONE adapter in src/payone/
// implements it; tests can replace it. Amounts are integer minor units; wire formats stay in the adapter.

export interface ReturnUrls {
  successUrl: string;
  errorUrl: string;
  backUrl: string;
}

export interface CardRef {
  pseudocardpan: string;
}

export type CredentialUse =
  /** Customer present, card not stored. */
  | { kind: 'single' }
  /** Customer present and agrees to store the card (first card-on-file transaction). */
  | { kind: 'store_initial' }
  /** Customer present, using a stored card. */
  | { kind: 'stored_customer_initiated' }
  /** Customer absent, merchant-initiated follow-up with a stored card. */
  | { kind: 'stored_merchant_initiated' };

export interface PreauthorizeCommand {
  reference: string;
  amount: number;
  currency: string;
  card: CardRef;
  returnUrls: ReturnUrls | null;
  credential: CredentialUse;
  customerId?: string | undefined;
  lastname?: string | undefined;
  country?: string | undefined;
  /** Echoed by PAYONE in every TransactionStatus (our payment id). */
  param?: string | undefined;
}

export interface CaptureCommand {
  txid: string;
  sequence: number;
  amount: number;
  currency: string;
  /** True for the last capture: releases the rest of the reservation. */
  final: boolean;
}

export interface RefundCommand {
  txid: string;
  sequence: number;
  amount: number; // positive minor units; the adapter applies PAYONE's sign
  currency: string;
}

export type ErrorClass =
  | 'declined' // card/issuer/risk said no: final, tell the customer
  | 'invalid_request' // our parameters: final, a bug or bad input
  | 'configuration' // credentials/portal setup: final, an operator must act
  | 'process_state' // the payment process does not allow this (e.g. capture too high): final
  | 'sequence' // 907: sequence number not the expected one
  | 'duplicate_reference' // 911
  | 'authentication' // 3-D Secure failed/required
  | 'customer_abort' // user cancelled / timed out
  | 'temporary' // retry later
  | 'unknown';

export type ProviderOutcome =
  | { status: 'approved'; txid: string; userid: string | null }
  | { status: 'redirect'; txid: string; userid: string | null; redirectUrl: string }
  | { status: 'pending'; txid: string | null; userid: string | null }
  | {
      status: 'error';
      code: string;
      message: string;
      customerMessage: string | null;
      class: ErrorClass;
      retryable: boolean;
    }
  /** No usable answer (timeout, connection reset, 5xx, garbage): the request may or may not have been processed. */
  | { status: 'unknown'; detail: string };

/** What was exchanged, for the payment event log (secrets already masked). */
export interface ProviderExchange {
  request: Record<string, string>;
  response: Record<string, string> | null;
  rawResponse: string | null;
  httpStatus: number | null;
  latencyMs: number;
  startedAt: Date;
}

export interface ProviderResult {
  outcome: ProviderOutcome;
  exchange: ProviderExchange;
}

export interface PaymentProvider {
  readonly name: string;
  preauthorize(cmd: PreauthorizeCommand): Promise<ProviderResult>;
  capture(cmd: CaptureCommand): Promise<ProviderResult>;
  refund(cmd: RefundCommand): Promise<ProviderResult>;
}
