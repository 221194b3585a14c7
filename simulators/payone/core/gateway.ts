// The Server API as PAYONE answers it: standard-parameter and key checks, (pre)authorization, capture, debit,
// refund, creditcardcheck, and the effects (notifications, later settlement) each outcome causes.
// Deterministic given the ledger, the parameters, the time and the id gaps.
import { type CardBehaviour, checkCard, type StoredCard } from './cards.ts';
import { type PayoneErrorCode, payoneError } from './errors.ts';
import { isWellFormedServerKey, type KeyHashSetting, verifyServerKey } from './keys.ts';
import {
  balance,
  issueTxid,
  issueUserid,
  type Ledger,
  type PaymentProcess,
  type PayoneMode,
  type Person,
  receivable,
  remainingReservation,
} from './ledger.ts';
import { type NotificationEvent, type NotifyVersion, notificationFields, type Txaction } from './notification.ts';
import type { ResponseFields } from './wire.ts';

export interface GatewaySettings {
  readonly mid: string;
  readonly portalid: string;
  readonly aid: string;
  readonly portalKey: string;
  readonly keyHash: KeyHashSetting;
  /** Base URL of the simulator as browsers reach it; 3-D Secure redirect URLs point here. */
  readonly publicUrl: string;
  /** Amounts ending in magic cents trigger outcomes (see MAGIC_AMOUNT_CENTS). */
  readonly magicAmounts: boolean;
  readonly notifyVersion: NotifyVersion;
}

export type Effect =
  /** Queue a TransactionStatus with these fields (computed now, so amounts are those of this moment). */
  | {
      readonly kind: 'notify';
      readonly txid: string;
      readonly txaction: Txaction;
      readonly sequencenumber: number;
      readonly fields: ResponseFields;
    }
  /** After the paid delay: the card money arrives → call settlePayment. */
  | { readonly kind: 'settle'; readonly txid: string; readonly sequencenumber: number }
  /** After the pending delay: the provider answers → call resolvePending. */
  | { readonly kind: 'resolve-pending'; readonly txid: string };

export interface GatewayResult {
  readonly fields: ResponseFields;
  readonly effects: readonly Effect[];
  readonly txid?: string;
}

export interface GatewayContext {
  readonly now: Date;
  /** Gap between consecutive ids (PAYONE's ids are global, so a merchant sees gaps). */
  readonly idGap: () => number;
}

/** Amount cents (amount % 100) that drive (pre)authorization outcomes when magic amounts are on. */
export const MAGIC_AMOUNT_CENTS: Readonly<
  Record<number, { readonly label: string; readonly behaviour: CardBehaviour }>
> = {
  5: { label: 'declined: 5 Authorization declined', behaviour: { kind: 'decline', errorcode: 5 } },
  51: { label: 'declined: 13 Limit exceeded (insufficient funds)', behaviour: { kind: 'decline', errorcode: 13 } },
  91: { label: 'declined: 91 Card issuer temporarily not available', behaviour: { kind: 'decline', errorcode: 91 } },
  3: { label: 'provider timeout: PENDING (api_version ≥ 3.9) or 903', behaviour: { kind: 'pending' } },
  16: { label: '3-D Secure challenge: REDIRECT', behaviour: { kind: 'challenge' } },
};

const SUPPORTED_REQUESTS = new Set([
  'preauthorization',
  'authorization',
  'capture',
  'debit',
  'refund',
  'creditcardcheck',
]);
/** Real request names the simulator does not implement: 2002 instead of 1202. */
const KNOWN_UNSUPPORTED = new Set([
  '3dscheck',
  'managemandate',
  'getfile',
  'getinvoice',
  'updateuser',
  'getuser',
  'vauthorization',
  'createaccess',
  'updateaccess',
  'addresscheck',
  'consumerscore',
  'bankaccountcheck',
  'genericpayment',
  'updatereminder',
]);
const NEEDS_AID = new Set(['preauthorization', 'authorization', 'creditcardcheck']);
const CLEARINGTYPES = new Set(['elv', 'cc', 'vor', 'rec', 'cod', 'sb', 'wlt', 'fnc', 'csh', 'fin']);
const API_VERSIONS = ['3.8', '3.9', '3.10', '3.11'];

export function errorFields(code: PayoneErrorCode): ResponseFields {
  const e = payoneError(code);
  return [
    ['status', 'ERROR'],
    ['errorcode', String(e.errorcode)],
    ['errormessage', e.errormessage],
    ['customermessage', e.customermessage],
  ];
}

function fail(code: PayoneErrorCode): GatewayResult {
  return { fields: errorFields(code), effects: [] };
}

function apiVersionAtLeast(version: string, minimum: string): boolean {
  const [a1, a2] = version.split('.').map(Number);
  const [b1, b2] = minimum.split('.').map(Number);
  return a1! > b1! || (a1 === b1 && a2! >= b2!);
}

class Params {
  constructor(private readonly map: ReadonlyMap<string, string>) {}
  /** The value, or undefined when absent or empty (PAYONE treats an empty parameter as missing). */
  get(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined || v === '' ? undefined : v;
  }
  text(name: string): string {
    return this.map.get(name) ?? '';
  }
}

/** Checks the parameters every request carries and the credentials (digest §2). */
function checkStandard(p: Params, s: GatewaySettings): PayoneErrorCode | { request: string; mode: PayoneMode } {
  const request = p.get('request');
  if (request === undefined) return 1202;
  if (!SUPPORTED_REQUESTS.has(request) && !KNOWN_UNSUPPORTED.has(request)) return 1202;
  const mid = p.get('mid');
  if (mid === undefined || !/^\d{1,6}$/.test(mid)) return 1203;
  const portalid = p.get('portalid');
  if (portalid === undefined || !/^\d{1,7}$/.test(portalid)) return 1205;
  const aid = p.get('aid');
  if (aid !== undefined ? !/^\d{1,6}$/.test(aid) : NEEDS_AID.has(request)) return 1204;
  const key = p.get('key');
  if (key === undefined || !isWellFormedServerKey(key)) return 1206;
  const mode = p.get('mode');
  if (mode !== 'test' && mode !== 'live') return 1010;
  const apiVersion = p.get('api_version');
  if (apiVersion !== undefined && !API_VERSIONS.includes(apiVersion)) return 1012;
  if (mid !== s.mid) return 2003;
  if (portalid !== s.portalid) return 2005;
  if (aid !== undefined && aid !== s.aid) return 2004;
  if (!verifyServerKey(key, s.portalKey, s.keyHash)) return 2006;
  if (KNOWN_UNSUPPORTED.has(request)) return 2002;
  return { request, mode };
}

export function processRequest(
  ledger: Ledger,
  settings: GatewaySettings,
  raw: ReadonlyMap<string, string>,
  ctx: GatewayContext,
): GatewayResult {
  const p = new Params(raw);
  const standard = checkStandard(p, settings);
  if (typeof standard === 'number') return fail(standard);
  switch (standard.request) {
    case 'preauthorization':
    case 'authorization':
      return authorize(ledger, settings, p, standard.request, standard.mode, ctx);
    case 'capture':
      return capture(ledger, settings, p, standard.mode, ctx);
    case 'debit':
      return debit(ledger, settings, p, standard.mode, ctx, 'debit');
    case 'refund':
      return debit(ledger, settings, p, standard.mode, ctx, 'refund');
    case 'creditcardcheck':
      return creditCardCheck(ledger, p, ctx);
    default:
      return fail(2002);
  }
}

function notify(settings: GatewaySettings, process: PaymentProcess, event: NotificationEvent): Effect {
  return {
    kind: 'notify',
    txid: process.txid,
    txaction: event.txaction,
    sequencenumber: event.sequencenumber,
    fields: notificationFields(process, event, settings.portalKey, settings.notifyVersion),
  };
}

function isMerchantInitiated(p: Params): boolean {
  const recurrence = p.get('recurrence');
  return p.get('customer_is_present') === 'no' || recurrence === 'recurring' || recurrence === 'installment';
}

function urlOk(value: string | undefined): boolean {
  return value === undefined || (value.length >= 2 && value.length <= 255);
}

function authorize(
  ledger: Ledger,
  settings: GatewaySettings,
  p: Params,
  request: 'preauthorization' | 'authorization',
  mode: PayoneMode,
  ctx: GatewayContext,
): GatewayResult {
  const reference = p.get('reference');
  if (reference === undefined || !/^[0-9a-zA-Z._/-]{1,20}$/.test(reference)) return fail(1003);
  const clearingtype = p.get('clearingtype');
  if (clearingtype === undefined || !CLEARINGTYPES.has(clearingtype)) return fail(1001);
  const amountText = p.get('amount');
  if (amountText === undefined || !/^\d{1,10}$/.test(amountText)) return fail(1016);
  const amount = Number(amountText);
  const currency = p.get('currency');
  if (currency === undefined || !/^[A-Z]{3}$/.test(currency)) return fail(1005);
  if (clearingtype !== 'cc') return fail(923);
  const ecommercemode = p.get('ecommercemode');
  if (ecommercemode !== undefined && !['internet', '3dsecure', 'moto'].includes(ecommercemode)) return fail(1999);
  const customerIsPresent = p.get('customer_is_present');
  if (customerIsPresent !== undefined && !['yes', 'no'].includes(customerIsPresent)) return fail(1036);
  const recurrence = p.get('recurrence');
  if (recurrence !== undefined && !['none', 'oneclick', 'recurring', 'installment'].includes(recurrence)) {
    return fail(1037);
  }
  if (!urlOk(p.get('successurl'))) return fail(1041);
  if (!urlOk(p.get('errorurl'))) return fail(1043);
  if (!urlOk(p.get('backurl'))) return fail(1042);
  if (p.get('lastname') === undefined) return fail(1302);
  const country = p.get('country');
  if (country === undefined || !/^[A-Z]{2}$/.test(country)) return fail(1340);
  if (amount < 1) return fail(944);
  if (amount > 1_999_999_999) return fail(945);
  const pseudocardpan = p.get('pseudocardpan');
  if (pseudocardpan === undefined || !/^\d{1,19}$/.test(pseudocardpan)) return fail(1073);
  const card = ledger.cards.get(pseudocardpan);
  if (!card) return fail(872);
  const referenceKey = `${settings.portalid}:${reference.toLowerCase()}`;
  if (ledger.references.has(referenceKey)) return fail(911);
  const nowYymm = (ctx.now.getUTCFullYear() % 100) * 100 + ctx.now.getUTCMonth() + 1;
  if (Number(card.cardexpiredate) < nowYymm) return fail(33);

  let behaviour = card.behaviour;
  const magic = settings.magicAmounts ? MAGIC_AMOUNT_CENTS[amount % 100] : undefined;
  if (magic && behaviour.kind === 'approve') behaviour = magic.behaviour;
  if (behaviour.kind === 'decline') return fail(behaviour.errorcode);
  const apiVersion = p.get('api_version') ?? '3.8';
  if (behaviour.kind === 'pending' && !apiVersionAtLeast(apiVersion, '3.9')) return fail(903);
  if (behaviour.kind === 'challenge') {
    if (ecommercemode === 'moto' || isMerchantInitiated(p)) {
      behaviour = { kind: 'approve' }; // exempt from SCA: no challenge
    } else if (ecommercemode === 'internet') {
      return fail(4219);
    } else {
      if (p.get('successurl') === undefined) return fail(1041);
      if (p.get('errorurl') === undefined) return fail(1043);
      if (p.get('backurl') === undefined) return fail(1042);
    }
  }

  const customerid = p.text('customerid');
  const person: Person = {
    customerid,
    company: p.text('company'),
    firstname: p.text('firstname'),
    lastname: p.text('lastname'),
    street: p.text('street'),
    zip: p.text('zip'),
    city: p.text('city'),
    email: p.text('email'),
    country,
  };
  const txid = issueTxid(ledger, ctx.idGap());
  const userid = issueUserid(ledger, customerid ? `c:${customerid}` : `p:${pseudocardpan}`, ctx.idGap());
  const { behaviour: _behaviour, ...cardData } = card;
  const process: PaymentProcess = {
    txid,
    userid,
    portalid: settings.portalid,
    aid: settings.aid,
    mode,
    request,
    clearingtype: 'cc',
    reference,
    currency,
    amount,
    status: 'appointed',
    captured: 0,
    claimed: 0,
    credited: 0,
    paid: 0,
    released: false,
    sequencenumber: 0,
    txtime: Math.floor(ctx.now.getTime() / 1000),
    card: cardData,
    person,
    param: p.text('param'),
    successurl: p.text('successurl'),
    errorurl: p.text('errorurl'),
    backurl: p.text('backurl'),
    apiVersion,
    bookings: [{ request, sequencenumber: 0, amount, at: ctx.now.toISOString(), detail: behaviour.kind }],
  };
  ledger.processes.set(txid, process);
  ledger.references.set(referenceKey, txid);

  if (behaviour.kind === 'challenge') {
    process.status = 'redirect';
    const md = String((Number(txid) * 7919) % 100_000_000).padStart(8, '0');
    const redirecturl = `${settings.publicUrl}/3ds/redirect?md=${md}&txid=${txid}`;
    return {
      txid,
      fields: [
        ['status', 'REDIRECT'],
        ['redirecturl', redirecturl],
        ['txid', txid],
      ],
      effects: [],
    };
  }
  if (behaviour.kind === 'pending') {
    process.status = 'pending';
    const effects: Effect[] = [];
    if (settings.notifyVersion === '7.6') {
      effects.push(
        notify(settings, process, {
          txaction: 'appointed',
          sequencenumber: 0,
          transactionStatus: 'pending',
          reasoncode: '903',
        }),
      );
    }
    effects.push({ kind: 'resolve-pending', txid });
    const fields: Array<readonly [string, string]> = [
      ['status', 'PENDING'],
      ['txid', txid],
      ['userid', userid],
    ];
    if (settings.notifyVersion === '7.6') fields.push(['reasoncode', '903']);
    return { txid, fields, effects };
  }
  return {
    txid,
    fields: [
      ['status', 'APPROVED'],
      ['txid', txid],
      ['userid', userid],
    ],
    effects: appoint(settings, process),
  };
}

/** The process is reserved/booked: appointed now; an authorization's money arrives later (paid). */
function appoint(settings: GatewaySettings, process: PaymentProcess): Effect[] {
  process.status = 'appointed';
  if (process.request === 'authorization') process.captured = process.amount;
  const effects: Effect[] = [
    notify(settings, process, { txaction: 'appointed', sequencenumber: 0, transactionStatus: 'completed' }),
  ];
  if (process.request === 'authorization') effects.push({ kind: 'settle', txid: process.txid, sequencenumber: 0 });
  return effects;
}

type Located = { process: PaymentProcess; sequencenumber: number } | { error: PayoneErrorCode };

/** txid, mode, sequencenumber and currency checks shared by capture, debit and refund (digest §5). */
function locate(ledger: Ledger, settings: GatewaySettings, p: Params, mode: PayoneMode, seqOptional: boolean): Located {
  const txid = p.get('txid');
  if (txid === undefined || !/^\d{1,12}$/.test(txid)) return { error: 1008 };
  const process = ledger.processes.get(txid);
  if (!process || process.portalid !== settings.portalid) return { error: 913 };
  if (process.mode !== mode) return { error: 926 };
  const expected = process.sequencenumber + 1;
  const seqText = p.get('sequencenumber');
  let sequencenumber = expected;
  if (seqText === undefined) {
    if (!(seqOptional && process.sequencenumber === 0)) return { error: 1009 };
  } else {
    if (!/^\d{1,3}$/.test(seqText) || Number(seqText) > 127) return { error: 1009 };
    sequencenumber = Number(seqText);
    if (sequencenumber !== expected) return { error: 907 };
  }
  const currency = p.get('currency');
  if (currency === undefined || !/^[A-Z]{3}$/.test(currency)) return { error: 1005 };
  if (currency !== process.currency) return { error: 910 };
  return { process, sequencenumber };
}

function settleaccountOf(p: Params): 'yes' | 'no' | 'auto' | undefined | null {
  const v = p.get('settleaccount');
  if (v === undefined) return undefined;
  return v === 'yes' || v === 'no' || v === 'auto' ? v : null;
}

function capture(
  ledger: Ledger,
  settings: GatewaySettings,
  p: Params,
  mode: PayoneMode,
  ctx: GatewayContext,
): GatewayResult {
  const located = locate(ledger, settings, p, mode, true);
  if ('error' in located) return fail(located.error);
  const { process, sequencenumber } = located;
  const amountText = p.get('amount');
  if (amountText === undefined || !/^\d{1,10}$/.test(amountText)) return fail(1016);
  const amount = Number(amountText);
  const capturemode = p.get('capturemode');
  if (capturemode !== undefined && capturemode !== 'completed' && capturemode !== 'notcompleted') return fail(1032);
  const settleaccount = settleaccountOf(p);
  if (settleaccount === null) return fail(1031);
  if (process.request !== 'preauthorization' || process.status !== 'appointed') return fail(950);
  if (amount === 0 && capturemode === 'notcompleted') return fail(935);
  if (amount > remainingReservation(process)) return fail(908);

  process.captured += amount;
  if (amount === 0 || capturemode === 'completed') process.released = true;
  process.sequencenumber = sequencenumber;
  process.bookings.push({
    request: 'capture',
    sequencenumber,
    amount,
    at: ctx.now.toISOString(),
    detail: amount === 0 ? 'release' : (capturemode ?? ''),
  });
  const effects: Effect[] = [
    notify(settings, process, { txaction: 'capture', sequencenumber, transactionStatus: 'completed' }),
  ];
  const settles = settleaccount !== 'no';
  if (amount > 0 && settles) effects.push({ kind: 'settle', txid: process.txid, sequencenumber });
  return {
    txid: process.txid,
    fields: [
      ['status', 'APPROVED'],
      ['txid', process.txid],
      ['settleaccount', settles ? 'yes' : 'no'],
    ],
    effects,
  };
}

const TRANSACTION_TYPES = new Set(['GT', 'FD', 'RT', 'RL', 'MG', 'VZ', 'VD']);

/** debit: amount < 0 credits, > 0 adds a claim. refund: amount must be negative and the balance settled. */
function debit(
  ledger: Ledger,
  settings: GatewaySettings,
  p: Params,
  mode: PayoneMode,
  ctx: GatewayContext,
  request: 'debit' | 'refund',
): GatewayResult {
  const located = locate(ledger, settings, p, mode, false);
  if ('error' in located) return fail(located.error);
  const { process, sequencenumber } = located;
  const amountText = p.get('amount');
  const pattern = request === 'refund' ? /^-\d{1,10}$/ : /^-?\d{1,10}$/;
  if (amountText === undefined || !pattern.test(amountText)) return fail(1016);
  const amount = Number(amountText);
  const transactiontype = p.get('transactiontype');
  if (transactiontype !== undefined && !TRANSACTION_TYPES.has(transactiontype)) return fail(1035);
  const settleaccount = settleaccountOf(p);
  if (settleaccount === null) return fail(1031);
  if (process.status !== 'appointed') return fail(950);
  if (request === 'refund' && balance(process) !== 0) return fail(915);
  if (amount < 0 && -amount > receivable(process)) return fail(906);

  const settles = settleaccount !== 'no';
  if (amount < 0) {
    process.credited += -amount;
    // A card credit goes straight back to the card: money returned up to what was received.
    if (settles) process.paid -= Math.min(-amount, Math.max(0, process.paid));
  } else {
    process.claimed += amount;
  }
  process.sequencenumber = sequencenumber;
  process.bookings.push({ request, sequencenumber, amount, at: ctx.now.toISOString(), detail: transactiontype });
  const effects: Effect[] = [
    notify(settings, process, { txaction: request, sequencenumber, transactionStatus: 'completed' }),
  ];
  if (amount > 0 && settles) effects.push({ kind: 'settle', txid: process.txid, sequencenumber });
  const fields: Array<readonly [string, string]> = [
    ['status', 'APPROVED'],
    ['txid', process.txid],
  ];
  if (request === 'debit') fields.push(['settleaccount', settles ? 'yes' : 'no']);
  return { txid: process.txid, fields, effects };
}

function creditCardCheck(ledger: Ledger, p: Params, ctx: GatewayContext): GatewayResult {
  const cardpan = p.get('cardpan');
  if (cardpan === undefined) return fail(1078);
  const cardtype = p.get('cardtype');
  if (cardtype === undefined) return fail(1076);
  const cardexpiredate = p.get('cardexpiredate');
  if (cardexpiredate === undefined || !/^\d{4}$/.test(cardexpiredate)) return fail(1077);
  const storecarddata = p.get('storecarddata') ?? 'yes';
  if (storecarddata !== 'yes' && storecarddata !== 'no') return fail(1000);
  const result = registerCard(ledger, { pan: cardpan, cardexpiredate, cvc: p.get('cardcvc2'), cardtype }, ctx.now);
  if (!result.ok) {
    const e = payoneError(result.errorcode);
    return {
      fields: [
        ['status', 'INVALID'],
        ['errorcode', String(e.errorcode)],
        ['errormessage', e.errormessage],
        ['customermessage', e.customermessage],
      ],
      effects: [],
    };
  }
  const fields: Array<readonly [string, string]> = [['status', 'VALID']];
  if (storecarddata === 'yes') fields.push(['pseudocardpan', result.card.pseudocardpan]);
  fields.push(
    ['truncatedcardpan', result.card.truncatedcardpan],
    ['cardtype', result.card.cardtype],
    ['cardexpiredate', result.card.cardexpiredate],
  );
  return { fields, effects: [] };
}

/** Validates raw card data and stores the card under its pseudo PAN (the hosted page and creditcardcheck). */
export function registerCard(
  ledger: Ledger,
  input: { pan: string; cardexpiredate: string; cvc?: string | undefined; cardtype?: string | undefined },
  now: Date,
): { ok: true; card: StoredCard } | { ok: false; errorcode: PayoneErrorCode; field: string } {
  const checked = checkCard(
    {
      pan: input.pan,
      cardexpiredate: input.cardexpiredate,
      ...(input.cvc !== undefined ? { cvc: input.cvc } : {}),
      ...(input.cardtype !== undefined ? { cardtype: input.cardtype } : {}),
    },
    now,
  );
  if (!checked.ok) return checked;
  const known = ledger.cards.get(checked.pseudocardpan);
  const card: StoredCard = {
    pseudocardpan: checked.pseudocardpan,
    truncatedcardpan: checked.truncatedcardpan,
    cardtype: checked.cardtype,
    cardexpiredate: checked.cardexpiredate,
    behaviour: known?.behaviour ?? { kind: 'approve' },
  };
  ledger.cards.set(card.pseudocardpan, card);
  return { ok: true, card };
}

export type ChallengeOutcome = 'authenticated' | 'failed' | 'cancelled';

/** The customer finished the 3-D Secure page. Returns where the browser goes next. */
export function completeChallenge(
  ledger: Ledger,
  settings: GatewaySettings,
  txid: string,
  outcome: ChallengeOutcome,
  now: Date,
): { ok: true; redirectTo: string; effects: Effect[] } | { ok: false; reason: string } {
  const process = ledger.processes.get(txid);
  if (!process) return { ok: false, reason: 'unknown txid' };
  if (process.status !== 'redirect') return { ok: false, reason: `challenge already finished (${process.status})` };
  process.bookings.push({ request: 'challenge', sequencenumber: 0, amount: 0, at: now.toISOString(), detail: outcome });
  if (outcome === 'authenticated') {
    return { ok: true, redirectTo: process.successurl, effects: appoint(settings, process) };
  }
  process.status = 'failed';
  const effects: Effect[] = [];
  // txaction=failed exists from notify_version 7.5 on.
  if (settings.notifyVersion === '7.5' || settings.notifyVersion === '7.6') {
    effects.push(notify(settings, process, { txaction: 'failed', sequencenumber: 0, transactionStatus: 'completed' }));
  }
  return { ok: true, redirectTo: outcome === 'failed' ? process.errorurl : process.backurl, effects };
}

/** The provider answered after a timeout: the PENDING process becomes appointed. */
export function resolvePending(ledger: Ledger, settings: GatewaySettings, txid: string): Effect[] {
  const process = ledger.processes.get(txid);
  if (process?.status !== 'pending') return [];
  return appoint(settings, process);
}

/** The card money arrives: balance goes to 0 with txaction=paid (same sequencenumber as the booking). */
export function settlePayment(
  ledger: Ledger,
  settings: GatewaySettings,
  txid: string,
  sequencenumber: number,
): Effect[] {
  const process = ledger.processes.get(txid);
  if (!process) return [];
  const open = balance(process);
  if (open <= 0) return [];
  process.paid += open;
  return [notify(settings, process, { txaction: 'paid', sequencenumber, transactionStatus: 'completed' })];
}

/** A chargeback (admin action): the money is taken back, txaction=cancelation with failedcause=cb. */
export function chargeback(ledger: Ledger, settings: GatewaySettings, txid: string): Effect[] | undefined {
  const process = ledger.processes.get(txid);
  if (!process || process.paid <= 0) return undefined;
  process.paid = 0;
  return [
    notify(settings, process, {
      txaction: 'cancelation',
      sequencenumber: process.sequencenumber,
      transactionStatus: 'completed',
      failedcause: 'cb',
    }),
  ];
}
