// The simulator's memory: payment processes (txid), pseudo card PANs, references and issued ids.
// Plain data, so tests and GET /__sim/state can read it as it is.
import { preregisteredCards, type StoredCard } from './cards.ts';

export type PayoneMode = 'test' | 'live';
export type ProcessStatus =
  | 'redirect' // waiting for the 3-D Secure challenge
  | 'pending' // provider timeout, resolved later by notification
  | 'appointed' // reserved (preauthorization) or booked (authorization)
  | 'failed'; // challenge failed or abandoned

export interface Person {
  readonly customerid: string;
  readonly company: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly street: string;
  readonly zip: string;
  readonly city: string;
  readonly email: string;
  readonly country: string;
}

export interface Booking {
  readonly request: 'preauthorization' | 'authorization' | 'capture' | 'debit' | 'refund' | 'challenge';
  readonly sequencenumber: number;
  readonly amount: number;
  readonly at: string;
  readonly detail?: string;
}

/** One payment process. Amounts in minor units. */
export interface PaymentProcess {
  readonly txid: string;
  readonly userid: string;
  readonly portalid: string;
  readonly aid: string;
  readonly mode: PayoneMode;
  readonly request: 'preauthorization' | 'authorization';
  readonly clearingtype: 'cc';
  readonly reference: string;
  readonly currency: string;
  /** The process amount (`price`): what was reserved or authorised. */
  readonly amount: number;
  status: ProcessStatus;
  /** Sum of captures (for an authorization: the amount). */
  captured: number;
  /** Sum of positive debits (new claims). */
  claimed: number;
  /** Sum of credits (negative debits and refunds), as a positive number. */
  credited: number;
  /** Money received from / returned to the card, net. */
  paid: number;
  /** The rest of the reservation was released (capture of 0, or capturemode=completed). */
  released: boolean;
  /** Last sequencenumber used on this process (0 after the (pre)authorization). */
  sequencenumber: number;
  /** Unix seconds of the process start; every notification carries it. */
  readonly txtime: number;
  readonly card: Omit<StoredCard, 'behaviour'>;
  readonly person: Person;
  readonly param: string;
  readonly successurl: string;
  readonly errorurl: string;
  readonly backurl: string;
  readonly apiVersion: string;
  readonly bookings: Booking[];
}

export function receivable(p: PaymentProcess): number {
  return p.captured + p.claimed - p.credited;
}

export function balance(p: PaymentProcess): number {
  return receivable(p) - p.paid;
}

/** Reservation not yet captured or released. */
export function remainingReservation(p: PaymentProcess): number {
  if (p.request !== 'preauthorization' || p.released) return 0;
  return p.amount - p.captured;
}

export interface Ledger {
  readonly processes: Map<string, PaymentProcess>;
  /** `portalid:lower(reference)` → txid; references are unique per portal, case-insensitive, also in test mode. */
  readonly references: Map<string, string>;
  readonly cards: Map<string, StoredCard>;
  /** `c:<customerid>` or `p:<pseudocardpan>` → userid. */
  readonly userids: Map<string, string>;
  lastTxid: number;
  lastUserid: number;
}

export function createLedger(start: { txid: number; userid: number }): Ledger {
  const cards = new Map<string, StoredCard>();
  for (const card of preregisteredCards()) cards.set(card.pseudocardpan, card);
  return {
    processes: new Map(),
    references: new Map(),
    cards,
    userids: new Map(),
    lastTxid: start.txid,
    lastUserid: start.userid,
  };
}

/** Ids grow like PAYONE's: numeric, increasing, with gaps (other merchants' processes in between). */
export function issueTxid(ledger: Ledger, gap: number): string {
  ledger.lastTxid += Math.max(1, Math.floor(gap));
  return String(ledger.lastTxid);
}

export function issueUserid(ledger: Ledger, key: string | undefined, gap: number): string {
  if (key) {
    const known = ledger.userids.get(key);
    if (known) return known;
  }
  ledger.lastUserid += Math.max(1, Math.floor(gap));
  const userid = String(ledger.lastUserid);
  if (key) ledger.userids.set(key, userid);
  return userid;
}

/** Default id starts: derived from the clock so ids keep increasing across simulator restarts. */
export function defaultIdStart(now: Date): { txid: number; userid: number } {
  const seconds = Math.floor(now.getTime() / 1000);
  // 10-digit txids (PAYONE: NUMERIC(9..12)) and 9-digit userids (NUMERIC(6..12)).
  return { txid: seconds, userid: 100_000_000 + (seconds % 800_000_000) };
}
