// Charging use cases: offer → hold on the card → START_SESSION → live session → STOP_SESSION → CDR priced twice
// (CPO price, driver price) → capture of exactly the receipt's total → receipt (invoice PDF) by mail. Each step is
// a compare-and-set on the charge's status (core/status.ts) in one short transaction; calls to PAYONE and to CPOs
// happen outside transactions. `advance(id)` looks at what the outside world reported (payment, command,
// Session, CDR) and takes the next step; roaming hooks, the page's polls and the worker's sweep all call it, so
// a lost hook or a crash only delays a step.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { Invoice, InvoicingModule } from '../invoicing/index.ts';
import type { Mailer } from '../mail/index.ts';
import { chooseTariff, findEvseByEvseId } from '../network/index.ts';
import type { PaymentsService, PaymentView, StoredCardView } from '../payments/index.ts';
import {
  type Cdr,
  CommandError,
  cdrPriceKey,
  findCdrForSession,
  findSessionByAuthorizationReference,
  getCommand,
  partnerForParty,
  type RoamingContext,
  type Session,
  saveToken,
  sendCommand,
  sessionsWithCdr,
  tokenPushCounts,
} from '../roaming/index.ts';
import { parseTariff, type Tariff } from '../tariffs/index.ts';
import { type ChargesRow, type ChargingRepo, chargeRecord, createChargingRepo } from './charging.repository.ts';
import { buildOffer, type Offer } from './core/offer.ts';
import { driverFinalPrice, isZero, type MarkupConfig, minorToMajor, moneyText, reachesHold } from './core/pricing.ts';
import {
  type ChargeEvent,
  type ChargeStatus,
  type FailureCode,
  failureText,
  needsAttention,
  OPEN_STATUSES,
  transition,
} from './core/status.ts';
import { type ChargeView, costSoFar, type PaymentSummary, type SessionSnapshot, toChargeView } from './core/view.ts';

export interface ChargingSettings {
  /** Where drivers reach us (links in mails, PAYONE return URLs); a function: tests learn the port late. */
  publicUrl: () => string;
  markup: MarkupConfig;
  holdMin: string;
  /** A charge is stopped when its cost so far reaches this share of the hold (percent), so the capture fits. */
  holdStopPercent: number;
  cdrWaitMs: number;
  redirectTimeoutMs: number;
  startTimeoutMs: number;
  /** The hosted card page (PAYONE's, or the simulator's /hosted/card). */
  cardPageUrl: string;
  /** Derives the ad-hoc access tokens (HMAC key). */
  secret: string;
}

export interface StoredCards {
  listCards(ownerRef: string): Promise<StoredCardView[]>;
}

export interface ChargingDeps {
  db: Kysely<Database>;
  roaming: RoamingContext;
  payments: PaymentsService;
  cards: StoredCards;
  invoicing: InvoicingModule;
  mailer: Mailer;
  settings: ChargingSettings;
  clock?: () => Date;
  log?: { error: (obj: object, msg: string) => void; warn?: (obj: object, msg: string) => void };
}

export interface CardInput {
  pseudocardpan: string;
  truncatedcardpan: string;
  cardtype: string;
  cardexpiredate: string;
}

export interface StartInput {
  evse_id: string;
  connector_id: string;
  idempotency_key: string;
  email?: string | undefined;
  card?: CardInput | undefined;
  stored_card_id?: string | undefined;
  use_virtual_card?: boolean | undefined;
}

export interface Driver {
  id: string;
  email: string;
}

export interface StartResult {
  created: boolean;
  charge_id: string;
  access_token: string | null;
  status: ChargeStatus;
  redirect_url: string | null;
  charge_url: string;
  failure_code: string | null;
  failure_reason: string | null;
}

/** Who is asking: the ad-hoc link's token, a signed-in driver, or the back office. */
export type Viewer = { token?: string | undefined; driverId?: string | undefined; admin?: boolean };

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const BRANDS: Record<string, string> = { V: 'VISA', M: 'Mastercard', A: 'American Express', D: 'Diners', J: 'JCB' };

/** How long a charge whose capture got no answer is watched for a late TransactionStatus that settles it. */
const UNKNOWN_CAPTURE_WATCH_MS = 7 * 24 * 3600_000;
/** A charging charge with no news gets a sweep pass this often (its cost may reach the hold limit meanwhile). */
const IDLE_CHARGING_PASS_MS = 30_000;
/** The sweep leaves a CDR this long to the roaming hook that is handling it (two handlers would both read it). */
const CDR_HOOK_GRACE_MS = 5_000;
/**
 * Charges the sweep advances at a time. All at once (up to 100) took every database connection for tens of
 * milliseconds: a CDR or a driver's request arriving meanwhile queued behind the sweep (pool waits of ~30 ms at p99).
 */
const SWEEP_CONCURRENCY = 4;

export type ChargingService = ReturnType<typeof createChargingService>;
type ChargeUpdate = Parameters<ChargingRepo['update']>[1];

export function createChargingService(deps: ChargingDeps) {
  const { db, roaming, payments, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  const repo: ChargingRepo = createChargingRepo(db);
  const logError = (err: unknown, msg: string) => deps.log?.error({ err }, msg);

  const accessToken = (id: string) =>
    createHmac('sha256', settings.secret).update(`charge-access:${id}`).digest('base64url');
  const base = () => settings.publicUrl().replace(/\/+$/, '');
  const chargePath = (r: { id: string; driver_id: string | null }) =>
    r.driver_id ? `/charges/${r.id}` : `/charges/${r.id}?t=${accessToken(r.id)}`;
  const tokenQuery = (r: { id: string; driver_id: string | null }) =>
    r.driver_id ? '' : `?t=${encodeURIComponent(accessToken(r.id))}`;

  // ------------------------------------------------------------------------------------------------- offer

  async function loadEvse(evseId: string) {
    const found = await findEvseByEvseId(db, evseId);
    if (!found) throw new AppError('EVSE_NOT_FOUND', `There is no charge point ${evseId}`);
    return found;
  }

  async function offerFor(evseId: string, connectorId?: string): Promise<Offer> {
    const found = await loadEvse(evseId);
    const now = clock();
    const connector = connectorId ? found.evse.connectors.find((c) => c.id === connectorId) : found.evse.connectors[0];
    if (connectorId && !connector)
      throw new AppError('CONNECTOR_NOT_FOUND', `Charge point ${evseId} has no connector ${connectorId}`);
    const tariff = connector
      ? chooseTariff(connector.tariff_ids ?? [], (id) => found.tariffs.get(id) as never, now)
      : null;
    const partner = await partnerForParty(roaming.db, found.country_code, found.party_id);
    return buildOffer({
      party: { country_code: found.country_code, party_id: found.party_id },
      location: found.location,
      evse: found.evse,
      connectorId: connector?.id,
      tariff,
      markup: settings.markup,
      holdMin: settings.holdMin,
      partnerReachable: partner !== null,
      at: now,
    });
  }

  /** GET /charge/:evse_id — what the driver sees before the start. */
  async function getOffer(evseId: string) {
    const o = await offerFor(evseId);
    return {
      evse: { evse_id: o.evse.evse_id, status: o.evse.status, connectors: o.evse.connectors },
      location: o.location,
      price: o.price,
      markup: o.markup_view,
      estimate: o.estimate,
      hold: o.hold,
      can_start: o.can_start,
      reason: o.reason,
    };
  }

  // ------------------------------------------------------------------------------------------------- start

  function startResult(r: ChargesRow, created: boolean, redirectUrl: string | null): StartResult {
    return {
      created,
      charge_id: r.id,
      access_token: r.driver_id ? null : accessToken(r.id),
      status: r.status as ChargeStatus,
      redirect_url: r.status === 'REDIRECT' ? redirectUrl : null,
      charge_url: chargePath(r),
      failure_code: r.failure_code,
      failure_reason: r.failure_reason,
    };
  }

  async function redirectUrlOf(r: ChargesRow): Promise<string | null> {
    if (r.status !== 'REDIRECT' || !r.payment_id) return null;
    const p = await payments.getPaymentView(r.payment_id);
    return p.ok ? p.value.redirect_url : null;
  }

  async function repeat(existing: ChargesRow, input: StartInput, driver: Driver | null): Promise<StartResult> {
    if (
      existing.evse_id !== input.evse_id ||
      existing.connector_id !== input.connector_id ||
      existing.driver_id !== (driver?.id ?? null)
    )
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency_key belongs to another charge');
    return startResult(existing, false, await redirectUrlOf(existing));
  }

  async function startCharge(input: StartInput, driver: Driver | null): Promise<StartResult> {
    const existing = await repo.byIdempotencyKey(input.idempotency_key);
    if (existing) return repeat(existing, input, driver);

    const email = driver?.email ?? input.email?.trim();
    if (!email) throw new AppError('VALIDATION_FAILED', 'email is required for a charge without an account');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      throw new AppError('VALIDATION_FAILED', `email "${email}" is not an e-mail address`);
    let card: { kind: 'new'; card: CardInput } | { kind: 'stored'; card: StoredCardView };
    if (input.card) card = { kind: 'new', card: input.card };
    else if (driver) {
      const cards = await deps.cards.listCards(driver.id);
      const chosen = input.stored_card_id
        ? cards.find((c) => c.id === input.stored_card_id)
        : (cards.find((c) => c.is_default) ?? cards[0]);
      if (!chosen)
        throw new AppError(
          'CARD_REQUIRED',
          input.stored_card_id ? 'No such saved card' : 'Add a card first: you have no saved card',
        );
      card = { kind: 'stored', card: chosen };
    } else throw new AppError('CARD_REQUIRED', 'Enter a card on the card page first (card is required)');

    const offer = await offerFor(input.evse_id, input.connector_id);
    if (!offer.can_start) throw new AppError('EVSE_NOT_AVAILABLE', offer.reason ?? 'The charge point cannot start');

    const id = randomUUID();
    const reference = id.replaceAll('-', '');
    let token: { uid: string; type: 'APP_USER' | 'AD_HOC_USER' };
    if (driver && input.use_virtual_card !== false)
      token = { uid: (await virtualCard(driver.id)).uid, type: 'APP_USER' };
    else token = { uid: `ADHOC${reference.slice(0, 24).toUpperCase()}`, type: 'AD_HOC_USER' };
    const masked =
      card.kind === 'new'
        ? { brand: BRANDS[card.card.cardtype] ?? card.card.cardtype, last4: card.card.truncatedcardpan.slice(-4) }
        : { brand: card.card.brand, last4: card.card.masked_pan.slice(-4) };
    const inserted = await repo.insert({
      id,
      idempotency_key: input.idempotency_key,
      driver_id: driver?.id ?? null,
      email,
      access_token_hash: driver ? null : sha256(accessToken(id)),
      country_code: offer.party.country_code,
      party_id: offer.party.party_id,
      location_id: offer.location.id,
      evse_uid: offer.evse.uid,
      evse_id: input.evse_id,
      connector_id: offer.connector_id,
      status: 'AUTHORIZING',
      status_history: JSON.stringify([{ status: 'AUTHORIZING', at: clock().toISOString(), event: 'created' }]),
      currency: offer.hold.currency,
      hold_minor: offer.hold.amount_minor,
      card: JSON.stringify(masked),
      token_uid: token.uid,
      token_type: token.type,
      authorization_reference: reference,
      offer: JSON.stringify(offer),
    });
    if (!inserted) {
      // Two taps raced: the other one inserted first.
      const other = await repo.byIdempotencyKey(input.idempotency_key);
      if (!other) throw new Error('charge vanished after an idempotency conflict');
      return repeat(other, input, driver);
    }

    const page = `${base()}${chargePath(inserted)}`;
    const sep = page.includes('?') ? '&' : '?';
    const pre = await payments.preauthorize({
      sessionRef: id,
      ownerRef: driver?.id ?? null,
      amount: offer.hold.amount_minor,
      currency: offer.hold.currency,
      card:
        card.kind === 'new'
          ? {
              pseudocardpan: card.card.pseudocardpan,
              ...(driver
                ? {
                    store: {
                      maskedPan: card.card.truncatedcardpan,
                      brand: card.card.cardtype,
                      expiry: card.card.cardexpiredate,
                    },
                  }
                : {}),
            }
          : { storedCardId: card.card.id },
      returnUrls: {
        successUrl: page,
        errorUrl: `${page}${sep}payment=failed`,
        backUrl: `${page}${sep}payment=cancelled`,
      },
    });
    let row: ChargesRow | null;
    let redirectUrl: string | null = null;
    if (!pre.ok) {
      const pid = pre.error.paymentId ?? null;
      row = await fail(id, 'preauth_declined', 'CARD_DECLINED', pre.error.customerMessage ?? pre.error.message, {
        payment_id: pid,
      });
    } else {
      const p = pre.value;
      await repo.update(id, { payment_id: p.id });
      row = await onPaymentView(id, p);
      redirectUrl = p.redirect_url;
    }
    row ??= await repo.get(id);
    if (!row) throw new Error('charge vanished');
    return startResult(row, true, redirectUrl);
  }

  /** Moves a charge waiting for its preauthorization according to the payment's state. */
  async function onPaymentView(id: string, p: PaymentView): Promise<ChargesRow | null> {
    if (p.state === 'pre_authorized') {
      const r = await move(id, 'preauth_approved');
      kick(id);
      return r;
    }
    if (p.state === 'redirect_pending') return move(id, 'preauth_redirect');
    if (p.state === 'failed') {
      const row = await repo.get(id);
      const ev: ChargeEvent = row?.status === 'REDIRECT' ? 'authentication_failed' : 'preauth_declined';
      return fail(
        id,
        ev,
        ev === 'authentication_failed' ? 'AUTHENTICATION_FAILED' : 'CARD_DECLINED',
        p.failure?.message,
      );
    }
    return repo.get(id);
  }

  // ------------------------------------------------------------------------------------------------- moves

  /** The columns a move writes: the patch, the new status, and the status history when the status changed. */
  function moveSet(row: ChargesRow, event: ChargeEvent, to: ChargeStatus, changed: boolean, patch: ChargeUpdate) {
    const now = clock();
    const history = (row.status_history as unknown[]) ?? [];
    return {
      ...patch,
      status: to,
      updated_at: now,
      ...(changed
        ? { status_history: JSON.stringify([...history, { status: to, at: now.toISOString(), event }]) }
        : {}),
    };
  }

  /**
   * Applies an event with compare-and-set; returns the updated row, or null when the event is not allowed now.
   * `seen`: the charge as the caller just read it; the move is then one UPDATE that succeeds only if the charge is
   * unchanged since (same status and updated_at), and falls back to the locking transaction when it changed.
   * `inTx` (work in the move's transaction, e.g. issuing the receipt) always takes the locking transaction: the
   * charge row is locked before anything `inTx` locks (the invoice counter), one order for every path. (Locking
   * the counter first and the charge last deadlocked against the locking path.)
   */
  async function move(
    id: string,
    event: ChargeEvent,
    patch: ChargeUpdate = {},
    inTx?: (trx: Kysely<Database>, row: ChargesRow) => Promise<ChargeUpdate | undefined>,
    seen?: ChargesRow,
  ): Promise<ChargesRow | null> {
    if (seen && !inTx) {
      const t = transition(seen.status as ChargeStatus, event);
      if (t.ok) {
        const r = await repo.updateIfUnchanged(id, seen, moveSet(seen, event, t.to, t.changed, patch));
        if (r) return r;
      }
    }
    return db.transaction().execute(async (trx) => {
      const row = await repo.lock(trx, id);
      if (!row) return null;
      const t = transition(row.status as ChargeStatus, event);
      if (!t.ok) return null;
      const extra = inTx ? await inTx(trx, row) : {};
      if (extra === undefined) return null;
      return repo.updateIn(trx, id, moveSet(row, event, t.to, t.changed, { ...patch, ...extra }));
    });
  }

  async function fail(
    id: string,
    event: ChargeEvent,
    code: FailureCode,
    detail?: string | null,
    patch: Parameters<ChargingRepo['update']>[1] = {},
  ): Promise<ChargesRow | null> {
    const r = await move(id, event, { ...patch, failure_code: code, failure_reason: failureText(code, detail) });
    if (r && (r.status === 'FAILED' || r.status === 'PAYMENT_FAILED')) void retireToken(r);
    return r;
  }

  /** A per-charge ad-hoc token is no longer valid once the charge is over. */
  async function retireToken(r: ChargesRow): Promise<void> {
    if (r.token_type !== 'AD_HOC_USER') return;
    try {
      // Pushed to the partner serving the charge's CPO (the one it was pushed to at the start), if any.
      await saveToken(roaming, adHocToken(r.token_uid, false), {
        partnerOfParty: { country_code: r.country_code, party_id: r.party_id },
      });
    } catch (e) {
      logError(e, 'retiring an ad-hoc token failed');
    }
  }

  function adHocToken(uid: string, valid: boolean) {
    return {
      uid,
      type: 'AD_HOC_USER' as const,
      contract_id: `${roaming.settings.countryCode}-${roaming.settings.partyId}-${uid.slice(5, 17)}`,
      issuer: roaming.settings.businessName,
      valid,
      whitelist: 'NEVER' as const,
    };
  }

  async function releaseHold(paymentId: string | null): Promise<void> {
    if (!paymentId) return;
    const r = await payments.capture(paymentId, 0);
    if (!r.ok && r.error.code !== 'ILLEGAL_STATE') logError(r.error, 'releasing a hold failed');
  }

  // ------------------------------------------------------------------------------------------------- advance

  const running = new Map<string, { again: boolean; done: Promise<void> }>();

  /** Runs `advance(id)` now, or once more after the run in progress (coalesced per charge in this process). */
  function kick(id: string): Promise<void> {
    const cur = running.get(id);
    if (cur) {
      cur.again = true;
      return cur.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          await advance(id).catch((e) => logError(e, `advancing charge ${id} failed`));
        } while (entry.again);
      } finally {
        running.delete(id);
      }
    })();
    running.set(id, entry);
    return entry.done;
  }

  /** Takes every step that is due for one charge; safe to call any number of times from anywhere. */
  async function advance(id: string): Promise<void> {
    for (let step = 0; step < 8; step++) {
      const row = await repo.get(id);
      if (!row) return;
      const progressed = await step1(row);
      if (!progressed) return;
    }
  }

  /** One step; true when the charge changed and another step may be due. */
  async function step1(row: ChargesRow): Promise<boolean> {
    const now = clock().getTime();
    switch (row.status as ChargeStatus) {
      case 'AUTHORIZING':
      case 'REDIRECT': {
        if (!row.payment_id) {
          if (now - row.created_at.getTime() > 120_000)
            return Boolean(await fail(row.id, 'authentication_abandoned', 'INTERRUPTED'));
          return false;
        }
        const p = await payments.getPaymentView(row.payment_id);
        if (!p.ok) return false;
        const view = p.value;
        if (
          row.status === 'REDIRECT' &&
          view.state === 'redirect_pending' &&
          now - row.updated_at.getTime() > settings.redirectTimeoutMs
        )
          return Boolean(await fail(row.id, 'authentication_abandoned', 'AUTHENTICATION_ABANDONED'));
        const after = await onPaymentView(row.id, view);
        return after !== null && after.status !== row.status;
      }
      case 'STARTING':
        return starting(row, now);
      case 'CHARGING':
      case 'STOPPING':
      case 'FINISHED':
      case 'CDR_PENDING':
        return running_(row, now);
      case 'PRICED':
        return priced(row);
      case 'PAYMENT_FAILED':
        return paymentFailed(row);
      case 'PAID':
        if (row.receipt_mail && receiptsQueued.has(row.id)) return false; // a pass for it is under way here
        if (row.receipt_mail) queueReceipt(row.id);
        return refundedCheck(row);
      default:
        return false;
    }
  }

  async function starting(row: ChargesRow, now: number): Promise<boolean> {
    const session = await findSessionByAuthorizationReference(roaming.db, row.authorization_reference);
    if (session) return onSession(row, session);
    if (!row.start_sent_at) {
      // Claim the start: only the process that sets start_sent_at sends START_SESSION.
      const claimed = await repo.claimStart(row.id, clock());
      if (!claimed) return false;
      return sendStart(claimed);
    }
    if (row.start_command_id) {
      const cmd = await getCommand(roaming, row.start_command_id);
      if (cmd && ['REJECTED', 'FAILED', 'TIMED_OUT', 'CANCELED'].includes(cmd.state)) {
        const code: FailureCode = cmd.state === 'TIMED_OUT' ? 'START_TIMEOUT' : 'START_REJECTED';
        return failStart(row, code, cmd.message);
      }
    }
    if (now - row.start_sent_at.getTime() > settings.startTimeoutMs) return failStart(row, 'START_TIMEOUT', null);
    return false;
  }

  async function failStart(row: ChargesRow, code: FailureCode, detail: string | null): Promise<boolean> {
    const r = await fail(row.id, code === 'START_TIMEOUT' ? 'start_timeout' : 'start_rejected', code, detail);
    if (r) await releaseHold(r.payment_id);
    return Boolean(r);
  }

  async function sendStart(row: ChargesRow): Promise<boolean> {
    try {
      const partnerId = await partnerForParty(roaming.db, row.country_code, row.party_id);
      if (!partnerId) return failStart(row, 'START_REJECTED', 'the operator is not connected');
      // The per-charge token goes to this charge's CPO only (other CPOs have no use for it).
      if (row.token_type === 'AD_HOC_USER') await saveToken(roaming, adHocToken(row.token_uid, true), { partnerId });
      const cmd = await sendCommand(roaming, partnerId, {
        type: 'START_SESSION',
        token_uid: row.token_uid,
        token_type: row.token_type as 'APP_USER',
        location_id: row.location_id,
        evse_uid: row.evse_uid,
        connector_id: row.connector_id,
        authorization_reference: row.authorization_reference,
      });
      await repo.update(row.id, { start_command_id: cmd.id });
      // FAILED here means the CPO could not be reached or did not answer in time (HTTP timeout).
      if (cmd.state === 'FAILED') return failStart(row, 'START_TIMEOUT', cmd.message ?? null);
      if (cmd.state === 'REJECTED') return failStart(row, 'START_REJECTED', cmd.message ?? null);
      return true;
    } catch (e) {
      if (e instanceof CommandError) return failStart(row, 'START_REJECTED', e.message);
      throw e;
    }
  }

  function snapshot(s: Session): SessionSnapshot {
    return {
      id: s.id,
      status: s.status,
      start_date_time: s.start_date_time,
      end_date_time: s.end_date_time ?? null,
      kwh: s.kwh,
      currency: s.currency,
      charging_periods: (s.charging_periods ?? []).map((p) => ({
        start_date_time: p.start_date_time,
        dimensions: p.dimensions.map((d) => ({ type: d.type, volume: d.volume })),
        ...(p.tariff_id ? { tariff_id: p.tariff_id } : {}),
      })) as SessionSnapshot['charging_periods'],
      last_updated: s.last_updated,
    };
  }

  /** A Session from the CPO: keep the live numbers; ACTIVE → CHARGING, COMPLETED/INVALID → FINISHED. */
  async function onSession(row: ChargesRow, s: Session): Promise<boolean> {
    const stored = row.session as SessionSnapshot | null;
    if (stored && stored.id === s.id && Date.parse(stored.last_updated) > Date.parse(s.last_updated)) return false;
    const live = {
      session: JSON.stringify(snapshot(s)),
      kwh: String(s.kwh),
      ocpi_session_id: s.id,
      started_at: new Date(s.start_date_time),
    };
    const ended = s.status === 'COMPLETED' || s.status === 'INVALID';
    const event: ChargeEvent = ended ? 'session_completed' : 'session_active';
    const r = await move(row.id, event, {
      ...live,
      ...(ended
        ? { stopped_at: new Date(s.end_date_time ?? s.last_updated), finished_at: row.finished_at ?? clock() }
        : {}),
    });
    if (!r) {
      // e.g. a CDR already priced the charge: the snapshot still helps the page; never move status backwards.
      if (!OPEN_STATUSES.includes(row.status as ChargeStatus)) return false;
      await repo.update(row.id, live);
      return false;
    }
    const stopped = await stopNearHold(r);
    return stopped || r.status !== row.status;
  }

  /**
   * Stops a charge whose cost so far has reached `holdStopPercent` of the hold (flag HOLD_LIMIT_STOP): the final
   * amount must fit the preauthorization. Checked on every session update and by the sweep (time-based tariffs
   * grow without updates).
   */
  async function stopNearHold(row: ChargesRow): Promise<boolean> {
    if (row.status !== 'CHARGING' || !row.session) return false;
    const rec = chargeRecord(row);
    if (!rec.session || !rec.offer.tariff) return false;
    const cost = costSoFar(rec.session, rec.offer.tariff, rec.offer.location.time_zone, rec.offer.markup, clock());
    if (!cost || !reachesHold(cost.incl_vat, rec.hold_minor, rec.currency, settings.holdStopPercent)) return false;
    const r = await requestStop(row, addFlag(row.flags, 'HOLD_LIMIT_STOP'));
    return r === 'STOPPING';
  }

  async function running_(row: ChargesRow, now: number): Promise<boolean> {
    if (await stopNearHold(row)) return true;
    const session = row.ocpi_session_id
      ? null
      : await findSessionByAuthorizationReference(roaming.db, row.authorization_reference);
    if (session && (await onSession(row, session))) return true;
    const sessionId = row.ocpi_session_id ?? session?.id;
    if (sessionId) {
      const cdr = await findCdrForSession(roaming.db, {
        country_code: row.country_code,
        party_id: row.party_id,
        session_id: sessionId,
      });
      if (cdr) return priceCharge(row, cdr);
    }
    if (row.status === 'STOPPING' && row.stop_command_id) {
      const cmd = await getCommand(roaming, row.stop_command_id);
      if (cmd && ['REJECTED', 'FAILED', 'TIMED_OUT'].includes(cmd.state)) {
        // The stop did not go through: still charging (the session push decides the rest).
        const r = await move(row.id, 'stop_rejected', { stop_command_id: null });
        return Boolean(r);
      }
    }
    if (row.status === 'FINISHED' && row.finished_at && now - row.finished_at.getTime() > settings.cdrWaitMs) {
      const r = await move(row.id, 'cdr_overdue', { flags: addFlag(row.flags, 'CDR_OVERDUE') });
      return Boolean(r);
    }
    return false;
  }

  /** PAYONE never answered the capture: it may have gone through, so the driver must not pay again (yet). */
  const outcomeUnknown = (row: ChargesRow) => row.flags.includes('CAPTURE_OUTCOME_UNKNOWN');
  const addFlag = (flags: string[], f: string) => (flags.includes(f) ? flags : [...flags, f]);

  // ------------------------------------------------------------------------------------------------- CDR → money

  /** Prices the CDR twice (CPO tariff; driver price = CPO price + markup), stores both with proofs, captures. */
  async function priceCharge(row: ChargesRow, cdr: Cdr): Promise<boolean> {
    const offer = row.offer as Offer;
    const embedded = (cdr.tariffs ?? [])
      .map((t) => parseTariff(t, { mode: 'pricing' }))
      .flatMap((p) => (p.ok ? [p.tariff] : []));
    const tariffs: Tariff[] = embedded.length ? embedded : offer.tariff ? [offer.tariff] : [];
    // The audit prices the same CDR when it arrives: with the same tariffs and time zone that price is reused.
    const priced = roaming.prices.price(cdrPriceKey(cdr), {
      cdr,
      tariffs,
      timeZone: offer.location.time_zone,
      breakdown: true,
    });
    if (!priced.ok) {
      await repo.update(row.id, { flags: addFlag(row.flags, 'PRICING_FAILED'), cdr_id: cdr.id });
      logError(priced.error, `charge ${row.id}: the CDR ${cdr.id} cannot be priced`);
      return false;
    }
    const cpo = priced.result;
    const kwh = cpo.total_energy;
    const cpoPrice = JSON.stringify({
      currency: cpo.currency,
      total_cost: cpo.total_cost,
      total_energy: cpo.total_energy,
      total_time: cpo.total_time,
      total_parking_time: cpo.total_parking_time,
      cdr_total_cost: cdr.total_cost,
      tariff_ids: tariffs.map((t) => t.id),
      proof: cpo.breakdown,
    });
    const common = {
      cdr_id: cdr.id,
      ocpi_session_id: cdr.session_id ?? row.ocpi_session_id,
      kwh,
      cpo_price: cpoPrice,
      stopped_at: new Date(cdr.end_date_time),
      started_at: new Date(cdr.start_date_time),
      priced_at: clock(),
    };
    if (isZero(kwh)) {
      // Decision (docs/charging.md): no energy → nothing charged, hold released, no receipt.
      const r = await fail(row.id, 'cdr_no_energy', 'NO_ENERGY', null, {
        ...common,
        flags: addFlag(row.flags, 'ZERO_KWH'),
      });
      if (r) await releaseHold(r.payment_id);
      return Boolean(r);
    }
    const driver = driverFinalPrice(cpo, offer.markup);
    const r = await move(
      row.id,
      'cdr_priced',
      { ...common, driver_price: JSON.stringify(driver), amount_minor: driver.amount_minor },
      undefined,
      row,
    );
    if (!r) return false;
    void retireToken(r);
    await requestCapture(r);
    return true;
  }

  /** Captures the driver's amount on the live payment (0 releases the hold); the outcome moves the charge. */
  async function requestCapture(row: ChargesRow): Promise<void> {
    const amount = Number(row.amount_minor);
    if (!row.payment_id) return;
    const c = await payments.capture(row.payment_id, amount);
    if (c.ok) {
      await onCapture(row, c.value);
      return;
    }
    if (c.error.code === 'AMOUNT_EXCEEDS_AUTHORIZATION') {
      const r = await fail(row.id, 'capture_failed', 'AMOUNT_EXCEEDS_HOLD', null, {
        flags: addFlag(row.flags, 'PAYMENT_FAILED'),
      });
      if (r) await releaseHold(row.payment_id);
      if (r) await mailPayAgain(r);
      return;
    }
    if (c.error.code === 'PAYMENT_DECLINED') {
      const r = await fail(row.id, 'capture_failed', 'CAPTURE_FAILED', c.error.customerMessage ?? c.error.message, {
        flags: addFlag(row.flags, 'PAYMENT_FAILED'),
      });
      if (r) await mailPayAgain(r);
      return;
    }
    if (c.error.code === 'OPERATION_IN_PROGRESS') return; // a capture is open: the payments worker finishes it
    logError(c.error, `charge ${row.id}: capture not possible`);
  }

  async function onCapture(row: ChargesRow, p: PaymentView): Promise<boolean> {
    const amount = Number(row.amount_minor);
    const done =
      (['captured', 'paid', 'partially_refunded', 'refunded'].includes(p.state) && p.amounts.captured === amount) ||
      (p.state === 'released' && amount === 0);
    if (done) return markPaid(row, p);
    // 'capture' (declined) or 'capture_no_answer' (PAYONE never answered after every retry: the outcome is
    // unknown, flagged for the back office; a later notification that the capture went through still pays it).
    if (p.state === 'failed' || p.failed_step?.startsWith('capture')) {
      const flags = addFlag(row.flags, 'PAYMENT_FAILED');
      if (p.failed_step === 'capture_no_answer') {
        // PAYONE may have taken the money: asking the driver to pay again could take it twice. The sweep watches
        // for PAYONE's TransactionStatus (which pays the charge); the back office sees the flag.
        const r = await fail(row.id, 'capture_failed', 'CAPTURE_UNCONFIRMED', null, {
          flags: addFlag(flags, 'CAPTURE_OUTCOME_UNKNOWN'),
        });
        return Boolean(r);
      }
      const detail = p.failed_step === 'capture' ? p.failure?.message : null;
      const r = await fail(row.id, 'capture_failed', 'CAPTURE_FAILED', detail, { flags });
      if (r) await mailPayAgain(r);
      return Boolean(r);
    }
    return false;
  }

  async function priced(row: ChargesRow): Promise<boolean> {
    if (!row.payment_id) return false;
    const p = await payments.getPaymentView(row.payment_id);
    if (!p.ok) return false;
    const view = p.value;
    if (view.state === 'pre_authorized') {
      await requestCapture(row); // crashed between pricing and the capture request
      return true;
    }
    return onCapture(row, view);
  }

  async function paymentFailed(row: ChargesRow): Promise<boolean> {
    if (!row.payment_id) return false;
    const p = await payments.getPaymentView(row.payment_id);
    if (!p.ok) return false;
    const view = p.value;
    if (view.state === 'pre_authorized' && row.payment_attempt > 1) {
      const c = await payments.capture(row.payment_id, Number(row.amount_minor));
      return c.ok ? onCapture(row, c.value) : false;
    }
    const amount = Number(row.amount_minor);
    if (['captured', 'paid'].includes(view.state) && view.amounts.captured === amount) return markPaid(row, view);
    return false;
  }

  async function refundedCheck(row: ChargesRow): Promise<boolean> {
    if (!row.payment_id) return false;
    const p = await payments.getPaymentView(row.payment_id);
    if (p.ok && p.value.state === 'refunded') return Boolean(await move(row.id, 'refunded'));
    return false;
  }

  /** Captured: issue the receipt (gapless number) in the same transaction as PAID, then mail it. */
  /** The receipt invoice of a charge (as read or locked) at its driver price. */
  function receiptInvoice(c: ChargesRow, dp: ReturnType<typeof driverFinalPrice>) {
    const offer = c.offer as Offer;
    const cardNote = c.card as { brand: string; last4: string } | null;
    return {
      buyer: { email: c.email },
      session: {
        location_name: offer.location.name,
        address: `${offer.location.address}, ${offer.location.city}`,
        evse_id: c.evse_id,
        start: (c.started_at ?? c.created_at).toISOString(),
        end: (c.stopped_at ?? clock()).toISOString(),
        kwh: String(c.kwh),
        time_zone: offer.location.time_zone,
      },
      session_ref: c.id,
      lines: dp.lines,
      currency: c.currency,
      payment: cardNote ? { card: { brand: cardNote.brand, last4: cardNote.last4 } } : null,
      price_proof: { ref: `charge:${c.id}`, proof: (c.cpo_price as { proof?: unknown } | null)?.proof },
    };
  }

  /** The invoice must say what was captured. */
  function checkInvoiceTotal(id: string, gross: number, p: PaymentView): void {
    if (gross !== p.amounts.captured)
      throw new Error(`charge ${id}: invoice total ${gross} ≠ captured ${p.amounts.captured}`);
  }

  /**
   * PAID, with its invoice. One statement when the charge is as the caller read it (compare-and-set; the invoice is
   * issued in it, the charge locked before the invoice counter); otherwise the locking transaction.
   */
  async function markPaid(row: ChargesRow, p: PaymentView): Promise<boolean> {
    const dp = row.driver_price as ReturnType<typeof driverFinalPrice> | null;
    const patch = { paid_at: clock(), payment_id: p.id };
    let r: ChargesRow | null = null;
    let invoice: Invoice | null = null;
    const t = transition(row.status as ChargeStatus, 'capture_approved');
    if (dp && t.ok) {
      const prepared = deps.invoicing.prepare(receiptInvoice(row, dp));
      if (!prepared.ok) throw new Error(`charge ${row.id}: invoice not issued: ${prepared.error.message}`);
      checkInvoiceTotal(row.id, prepared.draft.totals.gross, p);
      const set = moveSet(row, 'capture_approved', t.to, t.changed, {
        ...patch,
        receipt_mail: JSON.stringify({ token: prepared.download_token }),
      });
      r = await repo.updateWithInvoice(row.id, row, set, prepared.ctes);
      if (r) invoice = prepared.complete(r.invoice_number!).invoice;
    }
    r ??= await move(row.id, 'capture_approved', patch, async (trx, locked) => {
      if (!dp) return {};
      const issued = await deps.invoicing.issue(trx, receiptInvoice(locked, dp));
      if (!issued.ok) throw new Error(`charge ${locked.id}: invoice not issued: ${issued.error.message}`);
      checkInvoiceTotal(locked.id, issued.invoice.totals.gross, p);
      invoice = issued.invoice;
      return {
        invoice_number: issued.invoice.number,
        receipt_mail: JSON.stringify({ token: issued.download_token }),
      };
    });
    if (!r) return false;
    queueReceipt(r.id, invoice ? { row: r, invoice } : undefined);
    return true;
  }

  // Receipts (PDF + mail) are made after PAID, off the path from the CDR to the capture: a few at a time in the
  // background. `receipt_mail` stays set until the mail is queued, so the sweep sends any receipt left behind
  // (a crash, a failed render) and the mail goes out exactly once (`claimReceiptMail` claims it).
  const receiptQueue: string[] = [];
  const receiptsQueued = new Set<string>();
  /** What markPaid had in hand for a queued receipt (the charge as it was written PAID, the invoice it issued). */
  const receiptInputs = new Map<string, { row: ChargesRow; invoice: Invoice }>();
  let receiptsActive = 0;
  let receiptsDrained: Promise<void> = Promise.resolve();
  let drained: (() => void) | null = null;
  const RECEIPT_CONCURRENCY = 2;

  function queueReceipt(id: string, input?: { row: ChargesRow; invoice: Invoice }): void {
    if (receiptsQueued.has(id)) return;
    receiptsQueued.add(id);
    if (input) receiptInputs.set(id, input);
    receiptQueue.push(id);
    if (!drained) receiptsDrained = new Promise((resolve) => (drained = resolve));
    pumpReceipts();
  }

  function pumpReceipts(): void {
    while (receiptsActive < RECEIPT_CONCURRENCY && receiptQueue.length > 0) {
      const id = receiptQueue.shift()!;
      receiptsActive++;
      void sendReceipt(id)
        .catch((e) => logError(e, `charge ${id}: receipt mail failed (retried)`))
        .finally(() => {
          receiptsActive--;
          receiptsQueued.delete(id);
          receiptInputs.delete(id);
          pumpReceipts();
        });
    }
    if (receiptsActive === 0 && receiptQueue.length === 0 && drained) {
      drained();
      drained = null;
    }
  }

  /**
   * Queues the receipt mail (PDF attached + download link) once; the sweep retries after a crash. The mail is
   * written in one statement with the claim on the charge's `receipt_mail`, so it is queued exactly once.
   */
  async function sendReceipt(id: string): Promise<void> {
    const given = receiptInputs.get(id);
    const row = given?.row ?? (await repo.get(id));
    if (!row?.receipt_mail || !row.invoice_number) return;
    const invoice = given?.invoice ?? (await deps.invoicing.get(row.invoice_number));
    if (!invoice) return;
    const pdf = await deps.invoicing.renderPdf(invoice);
    const token = (row.receipt_mail as { token: string }).token;
    const link = deps.invoicing.receiptUrl(invoice.number, token);
    const offer = row.offer as Offer;
    await deps.mailer.sendMailIf(
      {
        to: row.email,
        subject: `Your charging receipt ${invoice.number}`,
        text: [
          'Thank you for charging with Lataus.',
          '',
          `Charge point: ${offer.location.name}, ${offer.location.address}, ${offer.location.city} (${row.evse_id})`,
          `Energy: ${row.kwh} kWh`,
          `Total: ${moneyText(minorToMajor(invoice.totals.gross, invoice.currency), invoice.currency)} (paid by card)`,
          '',
          `Your receipt ${invoice.number} is attached as a PDF. You can also download it here:`,
          link,
        ].join('\n'),
        attachments: [{ filename: `${invoice.number}.pdf`, content: pdf, contentType: 'application/pdf' }],
      },
      repo.claimReceiptMail(id),
    );
  }

  async function mailPayAgain(row: ChargesRow): Promise<void> {
    try {
      const url = `${base()}/api/v1/charges/${row.id}/pay-again${tokenQuery(row)}`;
      await deps.mailer.sendMail({
        to: row.email,
        subject: 'Your charging payment did not go through',
        text: [
          `We could not take ${moneyText(minorToMajor(Number(row.amount_minor), row.currency), row.currency)} from your card for your charge at ${(row.offer as Offer).location.name}.`,
          '',
          `Please pay with another card here: ${url}`,
        ].join('\n'),
      });
    } catch (e) {
      logError(e, 'pay-again mail failed');
    }
  }

  // ------------------------------------------------------------------------------------------------- driver actions

  async function authorized(id: string, v: Viewer): Promise<ChargesRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await repo.get(id) : null;
    if (!row) throw new AppError('CHARGE_NOT_FOUND', `There is no charge ${id}`);
    if (v.admin) return row;
    if (v.token && row.access_token_hash) {
      const a = Buffer.from(sha256(v.token), 'hex');
      const b = Buffer.from(row.access_token_hash, 'hex');
      if (a.length === b.length && timingSafeEqual(a, b)) return row;
    }
    if (v.driverId && row.driver_id === v.driverId) return row;
    if (!v.token && !v.driverId) throw new AppError('UNAUTHORIZED', 'Open the link of your charge, or sign in');
    throw new AppError('CHARGE_NOT_FOUND', `There is no charge ${id}`);
  }

  async function paymentSummary(row: ChargesRow): Promise<PaymentSummary | null> {
    if (!row.payment_id) return null;
    const p = await payments.getPaymentView(row.payment_id);
    if (!p.ok) return null;
    const v = p.value;
    const held = ['pre_authorized', 'capture_requested'].includes(v.state) ? v.amounts.authorized : 0;
    return { state: v.state, held_minor: held, captured_minor: v.amounts.captured - v.amounts.refunded };
  }

  async function viewOf(row: ChargesRow): Promise<ChargeView> {
    const q = tokenQuery(row);
    return toChargeView(chargeRecord(row), {
      now: clock(),
      payment: await paymentSummary(row),
      receiptUrl: row.invoice_number ? `/api/v1/charges/${row.id}/receipt.pdf${q}` : null,
      payAgainUrl:
        row.status === 'PAYMENT_FAILED' && !outcomeUnknown(row) ? `/api/v1/charges/${row.id}/pay-again${q}` : null,
    });
  }

  async function getCharge(id: string, v: Viewer): Promise<ChargeView> {
    let row = await authorized(id, v);
    // The page polls: take a due step at once for charges waiting on the payment (3-D Secure return).
    if (['AUTHORIZING', 'REDIRECT', 'PRICED', 'PAYMENT_FAILED'].includes(row.status)) {
      await kick(row.id);
      row = (await repo.get(row.id)) ?? row;
    }
    return viewOf(row);
  }

  async function stopCharge(id: string, v: Viewer): Promise<{ status: ChargeStatus }> {
    const row = await authorized(id, v);
    if (row.status === 'STOPPING' || !OPEN_STATUSES.includes(row.status as ChargeStatus) || row.status === 'FINISHED')
      return { status: row.status as ChargeStatus };
    if (row.status !== 'CHARGING')
      throw new AppError('CHARGE_NOT_STOPPABLE', `The charge is ${row.status.toLowerCase()}, not charging`);
    const status = await requestStop(row);
    if (status === 'UNREACHABLE')
      throw new AppError('CHARGE_NOT_STOPPABLE', 'The operator cannot be reached to stop the charge');
    return { status };
  }

  /** CHARGING → STOPPING and STOP_SESSION to the CPO (the driver's tap, or the hold limit with `flags`). */
  async function requestStop(row: ChargesRow, flags?: string[]): Promise<ChargeStatus | 'UNREACHABLE'> {
    const moved = await move(row.id, 'stop_requested', flags ? { flags } : {});
    if (!moved) return ((await repo.get(row.id))?.status ?? row.status) as ChargeStatus;
    const partnerId = await partnerForParty(roaming.db, row.country_code, row.party_id);
    if (!partnerId || !row.ocpi_session_id) {
      await move(row.id, 'stop_rejected');
      return 'UNREACHABLE';
    }
    const cmd = await sendCommand(roaming, partnerId, { type: 'STOP_SESSION', session_id: row.ocpi_session_id });
    await repo.update(row.id, { stop_command_id: cmd.id });
    if (cmd.state === 'REJECTED' || cmd.state === 'FAILED') kick(row.id);
    return 'STOPPING';
  }

  async function receiptPdf(id: string, v: Viewer): Promise<{ number: string; pdf: Buffer }> {
    const row = await authorized(id, v);
    if (!row.invoice_number) throw new AppError('NOT_FOUND', 'This charge has no receipt (yet)');
    const invoice = await deps.invoicing.get(row.invoice_number);
    if (!invoice) throw new AppError('NOT_FOUND', 'The receipt is missing');
    return { number: invoice.number, pdf: await deps.invoicing.renderPdf(invoice) };
  }

  /** The hosted card page for "pay again"; the browser comes back to our pay-again/card endpoint. */
  async function payAgainPage(id: string, v: Viewer): Promise<string> {
    const row = await authorized(id, v);
    if (row.status !== 'PAYMENT_FAILED' || outcomeUnknown(row)) return `${base()}${chargePath(row)}`;
    const back = `${base()}/api/v1/charges/${row.id}/pay-again/card${tokenQuery(row)}`;
    return cardPageUrl(back, `${base()}${chargePath(row)}`);
  }

  /** Pay again with a new card: a new preauthorization of exactly the amount due, then its capture. */
  async function payAgain(
    id: string,
    v: Viewer,
    card: CardInput,
  ): Promise<{ status: ChargeStatus; redirect_url: string | null; charge_url: string }> {
    const row = await authorized(id, v);
    if (row.status !== 'PAYMENT_FAILED' || row.amount_minor === null)
      throw new AppError('NOTHING_TO_PAY', `The charge is ${row.status.toLowerCase()}: nothing to pay`);
    if (outcomeUnknown(row))
      throw new AppError('NOTHING_TO_PAY', 'The first payment is still being confirmed by the card company');
    const attempt = row.payment_attempt + 1;
    const page = `${base()}${chargePath(row)}`;
    const sep = page.includes('?') ? '&' : '?';
    const pre = await payments.preauthorize({
      sessionRef: `${row.id}/${attempt}`,
      ownerRef: row.driver_id,
      amount: Number(row.amount_minor),
      currency: row.currency,
      card: { pseudocardpan: card.pseudocardpan },
      returnUrls: { successUrl: page, errorUrl: `${page}${sep}payment=failed`, backUrl: page },
    });
    if (!pre.ok) throw new AppError('CARD_DECLINED', pre.error.customerMessage ?? pre.error.message);
    await repo.update(row.id, {
      payment_id: pre.value.id,
      payment_attempt: attempt,
      card: JSON.stringify({ brand: BRANDS[card.cardtype] ?? card.cardtype, last4: card.truncatedcardpan.slice(-4) }),
    });
    if (pre.value.state === 'redirect_pending')
      return { status: 'PAYMENT_FAILED', redirect_url: pre.value.redirect_url, charge_url: chargePath(row) };
    await kick(row.id);
    const after = await repo.get(row.id);
    return { status: (after?.status ?? row.status) as ChargeStatus, redirect_url: null, charge_url: chargePath(row) };
  }

  /** The card page URL (PAYONE hosted page / simulator) that returns to `returnUrl` with the pseudo card PAN. */
  function cardPageUrl(returnUrl: string, backUrl?: string): string {
    const u = new URL(settings.cardPageUrl);
    u.searchParams.set('successurl', returnUrl);
    u.searchParams.set('backurl', backUrl ?? returnUrl);
    u.searchParams.set('errorurl', backUrl ?? returnUrl);
    return u.toString();
  }

  // ------------------------------------------------------------------------------------------------- registered

  /** The driver's virtual charge card (an OCPI APP_USER token), created and pushed to every CPO on first use. */
  async function virtualCard(driverId: string): Promise<{ uid: string; contract_id: string; created: boolean }> {
    const existing = await repo.virtualCard(driverId);
    if (existing) return { ...existing, created: false };
    const n = BigInt(`0x${randomUUID().replaceAll('-', '').slice(0, 14)}`) % 100_000_000n;
    const digits = n.toString().padStart(8, '0');
    const cc = roaming.settings.countryCode;
    const pid = roaming.settings.partyId;
    const uid = `${pid}${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`;
    const contract = `${cc}-${pid}-C${digits}`;
    const created = await repo.insertVirtualCard({ driver_id: driverId, uid, contract_id: contract });
    if (!created) {
      const again = await repo.virtualCard(driverId);
      if (!again) throw new Error('virtual card vanished');
      return { ...again, created: false };
    }
    await saveToken(roaming, {
      uid,
      type: 'APP_USER',
      contract_id: contract,
      issuer: roaming.settings.businessName,
      valid: true,
      whitelist: 'ALLOWED',
    });
    return { uid, contract_id: contract, created: true };
  }

  async function virtualCardView(driverId: string) {
    const c = await virtualCard(driverId);
    const pushes = await tokenPushCounts(roaming.db, c.uid, 'APP_USER');
    return {
      uid: c.uid,
      contract_id: c.contract_id,
      type: 'APP_USER' as const,
      valid: true,
      pushed_to: pushes.delivered,
    };
  }

  async function listDriverCharges(driverId: string): Promise<ChargeView[]> {
    const rows = await repo.listByDriver(driverId, 100);
    return Promise.all(rows.map(viewOf));
  }

  /**
   * A Session started at the charger with a driver's virtual card (the CPO authorized it in real time, not via
   * our START_SESSION): becomes a charge of that driver, paid with the default card (merchant-initiated hold).
   */
  async function adoptSession(s: Session): Promise<void> {
    if (s.cdr_token.type !== 'APP_USER') return;
    const driverId = await repo.driverOfVirtualCard(s.cdr_token.uid);
    if (!driverId) return;
    const key = `session:${s.country_code}*${s.party_id}*${s.id}`;
    if (await repo.byIdempotencyKey(key)) return;
    const driver = await db.selectFrom('drivers').select(['id', 'email']).where('id', '=', driverId).executeTakeFirst();
    const location = await db
      .selectFrom('evses')
      .select('evse_id')
      .where('country_code', '=', s.country_code)
      .where('party_id', '=', s.party_id)
      .where('location_id', '=', s.location_id)
      .where('uid', '=', s.evse_uid)
      .executeTakeFirst();
    if (!driver || !location?.evse_id) return;
    const offer = await offerFor(location.evse_id, s.connector_id).catch(() => null);
    if (!offer) return;
    const id = randomUUID();
    const reference = s.authorization_reference ?? `S${id.replaceAll('-', '')}`.slice(0, 36);
    const cards = await deps.cards.listCards(driverId);
    const card = cards.find((c) => c.is_default) ?? cards[0];
    const inserted = await repo.insert({
      id,
      idempotency_key: key,
      driver_id: driverId,
      email: driver.email,
      access_token_hash: null,
      country_code: s.country_code,
      party_id: s.party_id,
      location_id: s.location_id,
      evse_uid: s.evse_uid,
      evse_id: location.evse_id,
      connector_id: s.connector_id,
      status: 'STARTING',
      status_history: JSON.stringify([{ status: 'STARTING', at: clock().toISOString(), event: 'created' }]),
      currency: offer.hold.currency,
      hold_minor: offer.hold.amount_minor,
      card: card ? JSON.stringify({ brand: card.brand, last4: card.masked_pan.slice(-4) }) : null,
      token_uid: s.cdr_token.uid,
      token_type: 'APP_USER',
      authorization_reference: reference,
      offer: JSON.stringify(offer),
      start_sent_at: clock(),
      ocpi_session_id: s.id,
    });
    if (!inserted) return;
    if (card) {
      const pre = await payments.preauthorize({
        sessionRef: id,
        ownerRef: driverId,
        amount: offer.hold.amount_minor,
        currency: offer.hold.currency,
        card: { storedCardId: card.id },
        returnUrls: null,
      });
      if (pre.ok || pre.error.paymentId)
        await repo.update(id, { payment_id: pre.ok ? pre.value.id : (pre.error.paymentId ?? null) });
    }
    await onSession(inserted, s);
  }

  // ------------------------------------------------------------------------------------------------- hooks, sweep

  async function onSessionStored(s: Session): Promise<void> {
    const row = s.authorization_reference ? await repo.byAuthorizationReference(s.authorization_reference) : null;
    const bySession = row ?? (await repo.bySession(s.country_code, s.party_id, s.id));
    if (!bySession) return adoptSession(s);
    if (OPEN_STATUSES.includes(bySession.status as ChargeStatus)) {
      if (await onSession(bySession, s)) await kick(bySession.id);
    }
  }

  async function onCdrStored(cdr: Cdr): Promise<void> {
    const row =
      (cdr.authorization_reference ? await repo.byAuthorizationReference(cdr.authorization_reference) : null) ??
      (cdr.session_id ? await repo.bySession(cdr.country_code, cdr.party_id, cdr.session_id) : null);
    if (!row) return;
    if (!['STARTING', 'CHARGING', 'STOPPING', 'FINISHED', 'CDR_PENDING'].includes(row.status)) return;
    // Priced and captured (or failed) here: the charge has taken every step that is due; a further pass would
    // only read it again. Otherwise (not priceable, or another pass got there first) one more pass.
    if (!(await priceCharge(row, cdr))) await kick(row.id);
  }

  async function onCommandResult(c: { id: string }): Promise<void> {
    const row = await repo.byCommand(c.id);
    if (row) await kick(row.id);
  }

  /** Hooks for the roaming module (fast path; the sweep covers anything they miss). */
  const hooks = {
    sessionStored: (s: Session) => void onSessionStored(s).catch((e) => logError(e, 'session hook failed')),
    cdrStored: (cdr: Cdr) => void onCdrStored(cdr).catch((e) => logError(e, 'CDR hook failed')),
    commandResult: (c: { id: string }) => void onCommandResult(c).catch((e) => logError(e, 'command hook failed')),
  };

  /** When a charging charge without news last had a sweep pass (for the hold limit). */
  const idlePasses = new Map<string, number>();

  /** One sweep over open charges (oldest change first); returns how many were looked at. */
  async function sweep(limit = 100): Promise<number> {
    const now = clock().getTime();
    const rows = await repo.openForSweep(limit, new Date(now - 1000));
    // A charge still charging, with its session known, has few steps that can be due: its CDR arrived, or (rarely)
    // its cost reached the hold limit without a session update. One query answers the first for all of them; those
    // without a CDR get a pass only every IDLE_CHARGING_PASS_MS, for the hold limit.
    const charging = rows.filter((r) => r.status === 'CHARGING' && r.ocpi_session_id && !r.receipt_mail);
    const cdrKey = (r: { country_code: string; party_id: string; session_id: string }) =>
      `${r.country_code.toUpperCase()}*${r.party_id.toUpperCase()}*${r.session_id}`;
    // A CDR that arrived moments ago is being handled by the roaming hook; the sweep is for those it missed.
    const withCdr = await sessionsWithCdr(
      roaming.db,
      charging.map((r) => ({ country_code: r.country_code, party_id: r.party_id, session_id: r.ocpi_session_id! })),
      new Date(now - CDR_HOOK_GRACE_MS),
    );
    const idle = new Set(
      charging
        .filter(
          (r) =>
            !withCdr.has(
              cdrKey({ country_code: r.country_code, party_id: r.party_id, session_id: r.ocpi_session_id! }),
            ) && now - (idlePasses.get(r.id) ?? 0) < IDLE_CHARGING_PASS_MS,
        )
        .map((r) => r.id),
    );
    for (const r of charging) if (!idle.has(r.id)) idlePasses.set(r.id, now);
    if (idlePasses.size > 10 * limit) idlePasses.clear();
    // A charge whose receipt is already queued here needs no pass either.
    const due = rows.filter((r) => !idle.has(r.id) && !receiptsQueued.has(r.id)).map((r) => r.id);
    // PAYONE never answered their capture: a late TransactionStatus may have settled it.
    due.push(...(await repo.unknownCaptureIds(limit, new Date(now - UNKNOWN_CAPTURE_WATCH_MS))));
    let next = 0;
    const lane = async () => {
      while (next < due.length) await kick(due[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, lane));
    return rows.length;
  }

  // ------------------------------------------------------------------------------------------------- back office

  async function adminList(q: { status?: string | undefined; flagged?: boolean | undefined; limit?: number }) {
    const rows = await repo.list({ ...q, limit: q.limit ?? 100 });
    return Promise.all(
      rows.map(async (r) => ({
        ...(await viewOf(r)),
        email: r.email,
        driver_id: r.driver_id,
        flags: r.flags,
        needs_attention: needsAttention(r),
        payment_id: r.payment_id,
        invoice_number: r.invoice_number,
        created_at: r.created_at.toISOString(),
      })),
    );
  }

  async function adminGet(id: string) {
    const r = await authorized(id, { admin: true });
    return {
      ...(await viewOf(r)),
      email: r.email,
      driver_id: r.driver_id,
      flags: r.flags,
      needs_attention: needsAttention(r),
      failure_code: r.failure_code,
      payment_id: r.payment_id,
      payment_attempt: r.payment_attempt,
      invoice_number: r.invoice_number,
      amount_minor: r.amount_minor === null ? null : Number(r.amount_minor),
      hold_minor: Number(r.hold_minor),
      token: { uid: r.token_uid, type: r.token_type },
      authorization_reference: r.authorization_reference,
      start_command_id: r.start_command_id,
      stop_command_id: r.stop_command_id,
      ocpi_session_id: r.ocpi_session_id,
      cdr_id: r.cdr_id,
      offer: r.offer,
      cpo_price: r.cpo_price,
      driver_price: r.driver_price,
      status_history: r.status_history,
      created_at: r.created_at.toISOString(),
    };
  }

  return {
    getOffer,
    startCharge,
    getCharge,
    stopCharge,
    receiptPdf,
    payAgainPage,
    payAgain,
    cardPageUrl,
    virtualCardView,
    virtualCard,
    listDriverCharges,
    adminList,
    adminGet,
    advance: kick,
    sweep,
    hooks,
    /** Waits for every advance in flight (tests, shutdown). */
    async idle() {
      while (running.size || drained) {
        await Promise.all([...running.values()].map((r) => r.done));
        await receiptsDrained;
      }
    },
  };
}
