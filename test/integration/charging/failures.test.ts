// Failure paths of a charge, each over real HTTP with both simulators, each with a plain-words reason for the
// driver: declined card, 3-D Secure abandoned, START_SESSION rejected or timed out, 0 kWh, CDR never arriving,
// capture declined ("pay again") or unanswered (no pay again; a late TransactionStatus settles it), and the same
// start tapped twice at once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../../src/modules/charging/index.ts';
import {
  admin,
  availableEvse,
  CARDS,
  type Harness,
  type Json,
  json,
  newKey,
  startHarness,
  until,
  waitStatus,
} from './harness.ts';

let h: Harness;
const sim = () => h.cpo.sim as unknown as Record<string, unknown>;
const restore: Array<() => void> = [];

beforeAll(async () => {
  // CDRs are overdue after 1.2 s; OCPI calls time out after 1.5 s; a capture is tried twice.
  // A PAYONE call without an answer times out after 1.5 s.
  h = await startHarness({
    env: { CDR_WAIT_MINUTES: '0.02' },
    ocpiTimeoutMs: 1500,
    paymentsMaxAttempts: 2,
    payoneTimeoutMs: 1500,
  });
}, 60_000);
afterEach(async () => {
  while (restore.length) restore.pop()!();
  await fetch(`${h.payone.url}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiErrorRate: 0,
      apiTimeoutRate: 0,
      timeoutAfterProcessing: false,
      notificationsPaused: false,
      latencyMs: 0,
      captureErrorCode: null,
    }),
  });
  await fetch(`${h.cpo.url}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs: 0 }),
  });
});
afterAll(async () => {
  await h?.close();
});

/** A charge charged and stopped whose CDR the CPO holds back until `releaseCdr` (the simulator back to normal). */
async function chargeAndStopHoldingCdr() {
  const held: Json[] = [];
  patchSim('postCdr', () => async (cdr: Json) => {
    held.push(cdr);
  });
  const charge = await chargeAndStop();
  const releaseCdr = async () => {
    await until('the CDR', async () => held.length > 0);
    while (restore.length) restore.pop()!();
    await (sim().postCdr as (c: Json) => Promise<void>).call(h.cpo.sim, held[0]);
  };
  return { ...charge, releaseCdr };
}

async function setPayoneFaults(faults: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${h.payone.url}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(r.status).toBe(200);
}

function patchSim(name: string, replacement: (orig: (...a: Json[]) => Json) => (...a: Json[]) => Json) {
  const s = sim();
  const orig = (s[name] as (...a: Json[]) => Json).bind(h.cpo.sim);
  s[name] = replacement(orig);
  restore.push(() => {
    s[name] = orig;
  });
}

async function start(card: (typeof CARDS)[keyof typeof CARDS], email = 'driver@example.com') {
  const evse = availableEvse(h);
  const res = await h.http('POST', '/api/v1/charges', {
    evse_id: evse.evse_id,
    connector_id: evse.connector_id,
    idempotency_key: newKey(),
    email,
    card,
  });
  return { res, body: await json(res), evse };
}

const paymentsOf = (id: string) =>
  h.t.db.selectFrom('payments').selectAll().where('session_ref', 'like', `${id}%`).execute();

async function chargeAndStop(card = CARDS.visa) {
  const { res, body } = await start(card);
  expect(res.status).toBe(201);
  await waitStatus(h, body.charge_id, body.access_token, ['CHARGING']);
  await until('some energy', async () => {
    const c = await json(await h.http('GET', `/api/v1/charges/${body.charge_id}?t=${body.access_token}`));
    return Number(c.kwh) > 0;
  });
  const stop = await h.http('POST', `/api/v1/charges/${body.charge_id}/stop?t=${body.access_token}`);
  expect(stop.status).toBe(202);
  return { id: body.charge_id as string, token: body.access_token as string };
}

describe('failure paths', () => {
  it('a declined card: no start, the reason in plain words, nothing held', async () => {
    const { res, body } = await start(CARDS.declined);
    expect(res.status).toBe(402);
    expect(body.code).toBe('CARD_DECLINED');
    expect(body.failure_reason).toContain(FAILURE_REASONS.CARD_DECLINED);
    const c = await json(await h.http('GET', `/api/v1/charges/${body.charge_id}`, undefined, {}));
    expect(c.code).toBe('UNAUTHORIZED');
    const detail = await json(await h.http('GET', `/api/v1/admin/charges/${body.charge_id}`, undefined, admin));
    expect(detail.status).toBe('FAILED');
    expect(detail.start_command_id).toBeNull();
    const pays = await paymentsOf(body.charge_id);
    expect(pays.every((p) => p.state === 'failed' && Number(p.amount_authorized) === 0)).toBe(true);
  });

  it('3-D Secure abandoned: no start, nothing held', async () => {
    const { res, body } = await start(CARDS.challenge);
    expect(res.status).toBe(201);
    expect(body.status).toBe('REDIRECT');
    expect(body.redirect_url).toContain('/3ds/redirect');
    const txid = new URL(body.redirect_url).searchParams.get('txid')!;
    const cancel = await fetch(`${h.payone.url}/3ds/redirect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `outcome=cancelled&txid=${txid}`,
      redirect: 'manual',
    });
    expect(cancel.status).toBe(303);
    const c = await waitStatus(h, body.charge_id, body.access_token, ['FAILED']);
    expect(c.failure_reason).toContain('3-D Secure');
    expect(c.payment?.held_minor).toBe(0);
    const detail = await json(await h.http('GET', `/api/v1/admin/charges/${body.charge_id}`, undefined, admin));
    expect(detail.start_command_id).toBeNull();
  });

  it('3-D Secure passed: the charge starts', async () => {
    const { body } = await start(CARDS.challenge);
    const txid = new URL(body.redirect_url).searchParams.get('txid')!;
    await fetch(`${h.payone.url}/3ds/redirect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `outcome=authenticated&txid=${txid}`,
      redirect: 'manual',
    });
    await waitStatus(h, body.charge_id, body.access_token, ['CHARGING']);
    await h.http('POST', `/api/v1/charges/${body.charge_id}/stop?t=${body.access_token}`);
    await waitStatus(h, body.charge_id, body.access_token, ['PAID']);
  });

  it('the CPO rejects START_SESSION: the hold is released', async () => {
    patchSim('startCharging', () => () => ({ ok: false, result: 'EVSE_OCCUPIED', message: 'occupied' }));
    const { res, body } = await start(CARDS.visa);
    expect(res.status).toBe(201);
    const c = await waitStatus(h, body.charge_id, body.access_token, ['FAILED']);
    expect(c.failure_reason).toContain(FAILURE_REASONS.START_REJECTED);
    await until('hold released', async () => (await paymentsOf(body.charge_id))[0]?.state === 'released');
    const final = await json(await h.http('GET', `/api/v1/charges/${body.charge_id}?t=${body.access_token}`));
    expect(final.payment).toMatchObject({ state: 'released', held_minor: 0, captured_minor: 0 });
  });

  it('the CPO does not answer START_SESSION in time: the hold is released', async () => {
    await fetch(`${h.cpo.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 3000 }),
    });
    const { body } = await start(CARDS.visa);
    const c = await waitStatus(h, body.charge_id, body.access_token, ['FAILED']);
    expect(c.failure_reason).toContain(FAILURE_REASONS.START_TIMEOUT);
    await until('hold released', async () => (await paymentsOf(body.charge_id))[0]?.state === 'released');
  });

  it('a session with 0 kWh: nothing charged, hold released, no receipt', async () => {
    patchSim(
      'startCharging',
      (orig) => (input: Json) => orig({ ...input, vehicle: { start_soc: 100, target_soc: 100 } }),
    );
    const { res, body } = await start(CARDS.visa);
    expect(res.status).toBe(201);
    await waitStatus(h, body.charge_id, body.access_token, ['CHARGING']);
    await h.http('POST', `/api/v1/charges/${body.charge_id}/stop?t=${body.access_token}`);
    const c = await waitStatus(h, body.charge_id, body.access_token, ['FAILED']);
    expect(c.failure_reason).toBe(FAILURE_REASONS.NO_ENERGY);
    expect(c.receipt_url).toBeNull();
    await until('hold released', async () => (await paymentsOf(body.charge_id))[0]?.state === 'released');
    const detail = await json(await h.http('GET', `/api/v1/admin/charges/${body.charge_id}`, undefined, admin));
    expect(detail.flags).toContain('ZERO_KWH');
    expect(detail.invoice_number).toBeNull();
    expect(detail.cpo_price).not.toBeNull();
  });

  it('the CDR never arrives: flagged for the back office, the driver sees pending; a late CDR still bills', async () => {
    const { id, token, releaseCdr } = await chargeAndStopHoldingCdr();
    const pending = await waitStatus(h, id, token, ['CDR_PENDING']);
    expect(pending.status_text).toMatch(/pending/i);
    const flagged = await json(await h.http('GET', '/api/v1/admin/charges?flagged=true', undefined, admin));
    expect(flagged.items.find((x: Json) => x.id === id)?.flags).toContain('CDR_OVERDUE');
    expect(flagged.items.find((x: Json) => x.id === id)?.needs_attention).toBe(true);
    const byStatus = await json(await h.http('GET', '/api/v1/admin/charges?status=CDR_PENDING', undefined, admin));
    expect(byStatus.items.map((x: Json) => x.id)).toContain(id);
    // The CDR turns up after all.
    await releaseCdr();
    await waitStatus(h, id, token, ['PAID']);
  });

  it('capture declined: "pay again" with another card captures exactly the amount', async () => {
    const { id, token, releaseCdr } = await chargeAndStopHoldingCdr();
    await waitStatus(h, id, token, ['FINISHED', 'CDR_PENDING']);
    // PAYONE declines the capture (80: the reserved amount is no longer available).
    await setPayoneFaults({ captureErrorCode: 80 });
    await releaseCdr();
    const failed = await waitStatus(h, id, token, ['PAYMENT_FAILED'], 30_000).catch(async (e) => {
      const d = await json(await h.http('GET', `/api/v1/admin/charges/${id}`, undefined, admin));
      const jobs = await h.t.db.selectFrom('payment_jobs').selectAll().execute();
      console.log(
        JSON.stringify({ status: d.status, flags: d.flags, pays: await paymentsOf(id), jobs: jobs.slice(-3) }, null, 1),
      );
      throw e;
    });
    expect(failed.failure_reason).toContain(FAILURE_REASONS.CAPTURE_FAILED);
    expect(failed.pay_again_url).toBe(`/api/v1/charges/${id}/pay-again?t=${encodeURIComponent(token)}`);
    const firstPayment = (await paymentsOf(id))[0]!;
    const attempts = await h.t.db
      .selectFrom('payment_jobs')
      .select(['kind', 'attempts', 'status'])
      .where('payment_id', '=', firstPayment.id)
      .where('kind', '=', 'capture')
      .execute();
    // A decline is PAYONE's final answer: asked once, not retried.
    expect(attempts).toEqual([{ kind: 'capture', attempts: 1, status: 'done' }]);
    const flagged = await json(await h.http('GET', '/api/v1/admin/charges?status=PAYMENT_FAILED', undefined, admin));
    expect(flagged.items.find((x: Json) => x.id === id)?.flags).toContain('PAYMENT_FAILED');
    const mail = await h.t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('subject', 'like', '%did not go through%')
      .executeTakeFirst();
    expect(mail?.text_body).toContain(`/api/v1/charges/${id}/pay-again?t=`);

    // The pay-again link leads to the card page, which comes back to us with the new card.
    await setPayoneFaults({ captureErrorCode: null });
    const page = await h.http('GET', failed.pay_again_url!);
    expect(page.status).toBe(303);
    const cardPage = new URL(page.headers.get('location')!);
    expect(cardPage.pathname).toBe('/hosted/card');
    const back = new URL(cardPage.searchParams.get('successurl')!);
    const c = CARDS.mastercard;
    back.searchParams.set('status', 'VALID');
    for (const [k, v] of Object.entries(c)) back.searchParams.set(k, v);
    const done = await fetch(back, { redirect: 'manual' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${h.url}/charges/${id}?t=${token}`);
    const paid = await waitStatus(h, id, token, ['PAID']);
    const detail = await json(await h.http('GET', `/api/v1/admin/charges/${id}`, undefined, admin));
    expect(detail.payment_attempt).toBe(2);
    const second = await h.t.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', detail.payment_id)
      .executeTakeFirstOrThrow();
    expect(second.session_ref).toBe(`${id}/2`);
    const invoice = (await h.t.db
      .selectFrom('invoices' as never)
      .select(['total_gross'] as never)
      .where('session_ref' as never, '=', id as never)
      .executeTakeFirstOrThrow()) as { total_gross: string };
    expect(Number(second.amount_captured)).toBe(Number(invoice.total_gross));
    expect(Number(second.amount_requested)).toBe(Number(invoice.total_gross));
    expect(paid.payment?.captured_minor).toBe(Number(invoice.total_gross));
  });

  it('capture unanswered: flagged, then a late TransactionStatus that it went through pays the charge', async () => {
    const { id, token, releaseCdr } = await chargeAndStopHoldingCdr();
    await waitStatus(h, id, token, ['FINISHED', 'CDR_PENDING']);
    // PAYONE takes the capture but its answers never reach us, and its notifications are held back for now.
    await setPayoneFaults({ apiTimeoutRate: 1, timeoutAfterProcessing: true, notificationsPaused: true });
    await releaseCdr();
    const pending = await waitStatus(h, id, token, ['PAYMENT_FAILED'], 30_000);
    const flagged = await json(await h.http('GET', `/api/v1/admin/charges/${id}`, undefined, admin));
    expect(flagged.flags).toEqual(expect.arrayContaining(['PAYMENT_FAILED', 'CAPTURE_OUTCOME_UNKNOWN']));
    // PAYONE may have taken the money: the driver is told not to pay again, and cannot.
    expect(pending.failure_reason).toBe(FAILURE_REASONS.CAPTURE_UNCONFIRMED);
    expect(pending.status_text).toMatch(/do not pay again/);
    expect(pending.pay_again_url).toBeNull();
    const payAgain = await h.http('POST', `/api/v1/charges/${id}/pay-again?t=${encodeURIComponent(token)}`, {
      card: CARDS.mastercard,
    });
    expect(payAgain.status).toBe(409);
    const payAgainMail = await h.t.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('subject', 'like', '%did not go through%')
      .where('text_body', 'like', `%${id}%`)
      .executeTakeFirst();
    expect(payAgainMail).toBeUndefined();
    // PAYONE's TransactionStatus arrives later; nobody opens the charge page: the sweep settles it.
    await setPayoneFaults({ apiTimeoutRate: 0, timeoutAfterProcessing: false, notificationsPaused: false });
    const row = await until('the charge paid without a page view', async () => {
      const r = await h.t.db
        .selectFrom('charges' as never)
        .select(['status', 'amount_minor'] as never)
        .where('id' as never, '=', id as never)
        .executeTakeFirstOrThrow();
      return (r as { status: string }).status === 'PAID' ? (r as { status: string; amount_minor: string }) : null;
    });
    const payment = (await paymentsOf(id))[0]!;
    expect(Number(payment.amount_captured)).toBe(Number(row.amount_minor));
    // Captured once at PAYONE, whatever the retries did.
    const atPayone = h.payone.state.transaction(payment.txid!) as { captured: number } | undefined;
    expect(atPayone?.captured).toBe(Number(row.amount_minor));
  }, 60_000);

  it('the same start tapped twice at once: one charge, one hold', async () => {
    const evse = availableEvse(h);
    const body = {
      evse_id: evse.evse_id,
      connector_id: evse.connector_id,
      idempotency_key: newKey(),
      email: 'twice@example.com',
      card: CARDS.visa,
    };
    const [a, b] = await Promise.all([
      h.http('POST', '/api/v1/charges', body),
      h.http('POST', '/api/v1/charges', body),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    const [ja, jb] = [await json(a), await json(b)];
    expect(ja.charge_id).toBe(jb.charge_id);
    expect(ja.access_token).toBe(jb.access_token);
    const rows = await h.t.db
      .selectFrom('charges' as never)
      .select('id' as never)
      .where('idempotency_key' as never, '=', body.idempotency_key as never)
      .execute();
    expect(rows).toHaveLength(1);
    await waitStatus(h, ja.charge_id, ja.access_token, ['CHARGING']);
    expect(await paymentsOf(ja.charge_id)).toHaveLength(1);
    // A reused key for another connector is refused.
    const other = await h.http('POST', '/api/v1/charges', { ...body, connector_id: 'X' });
    expect(other.status).toBe(409);
    await h.http('POST', `/api/v1/charges/${ja.charge_id}/stop?t=${ja.access_token}`);
    await waitStatus(h, ja.charge_id, ja.access_token, ['PAID']);
  });
});
