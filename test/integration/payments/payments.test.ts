// Payments end to end over HTTP: Lataus ⇄ PAYONE simulator, on PGlite or PostgreSQL (DATABASE_URL).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm } from '../../../src/payone/form.ts';
import { onPostgres } from '../../helpers/db.ts';
import { ADMIN, CARDS, type Harness, PORTAL_KEY, returnUrls, startHarness, waitFor } from './harness.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
let session = 0;
const sessionRef = () => `S-${Date.now()}-${++session}`;

describe(`payments through the PAYONE simulator (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const payment = async (id: string) => {
    const r = await h.service.getPayment(id);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  const simTx = (txid: string) => h.sim.state.transaction(txid)!;
  const preauth = async (amount = 5000, card: string = CARDS.visa) => {
    const r = await h.service.preauthorize({
      sessionRef: sessionRef(),
      amount,
      currency: 'EUR',
      card: { pseudocardpan: card },
      returnUrls,
    });
    return r;
  };
  const notificationsOf = (paymentId: string) =>
    h.t.db.selectFrom('payone_notifications').selectAll().where('payment_id', '=', paymentId).orderBy('id').execute();

  it('preauthorize → capture → paid, with the timeline', async () => {
    const r = await preauth(5000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.state).toBe('pre_authorized');
    expect(r.value.amounts).toMatchObject({ requested: 5000, authorized: 5000 });
    const id = r.value.id;
    await waitFor(async () => (await notificationsOf(id)).some((n) => n.txaction === 'appointed'), 'appointed');

    const c = await h.service.capture(id, 3120);
    expect(c.ok && c.value.state).toBe('captured');
    await waitFor(async () => (await payment(id)).payment.state === 'paid', 'paid');
    const { payment: p, timeline } = await payment(id);
    expect(p.amounts).toEqual({ requested: 5000, authorized: 5000, captured: 3120, refunded: 0 });
    expect(p.failed_step).toBeNull();
    // PAYONE booked exactly what we captured, once, and released the rest
    const tx = simTx(p.txid!);
    expect(tx.captured).toBe(3120);
    expect(tx.released).toBe(true);
    expect(tx.bookings.filter((b: { request: string }) => b.request === 'capture')).toHaveLength(1);
    const names = timeline.map((e) => `${e.type}:${e.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'transition:preauth_requested',
        'request:preauthorization',
        'response:preauthorization',
        'transition:preauth_approved',
        'notification:appointed',
        'request:capture',
        'response:capture',
        'transition:capture_approved',
        'notification:capture',
        'notification:paid',
        'transition:notify_paid',
      ]),
    );
    const response = timeline.find((e) => e.type === 'response' && e.name === 'capture')!;
    expect(response.latency_ms).toBeGreaterThan(0);
  });

  it('a declined card: PAYMENT_DECLINED, state failed, failed_step preauthorization', async () => {
    const r = await preauth(5000, CARDS.declined);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'PAYMENT_DECLINED', pspCode: '5' });
    const { payment: p } = await payment(r.error.paymentId!);
    expect(p).toMatchObject({ state: 'failed', failed_step: 'preauthorization', failure: { code: '5' } });
    // a failed payment cannot be captured
    const c = await h.service.capture(p.id, 100);
    expect(c.ok === false && c.error.code).toBe('ILLEGAL_STATE');
  });

  it('partial capture releases the rest; capture 0 releases everything', async () => {
    const a = await preauth(8000);
    if (!a.ok) throw new Error('preauth');
    const c = await h.service.capture(a.value.id, 2000);
    expect(c.ok && c.value.amounts.captured).toBe(2000);
    expect(simTx(a.value.txid!)).toMatchObject({ captured: 2000, released: true, remainingReservation: 0 });

    const b = await preauth(8000);
    if (!b.ok) throw new Error('preauth');
    const r = await h.service.capture(b.value.id, 0);
    expect(r.ok && r.value.state).toBe('released');
    expect(simTx(b.value.txid!)).toMatchObject({ captured: 0, released: true });
    await waitFor(
      async () => (await notificationsOf(b.value.id)).some((n) => n.txaction === 'capture' && n.status !== 'received'),
      'capture notification processed',
    );
    expect((await payment(b.value.id)).payment.state).toBe('released');
  });

  it('capture above the authorization is refused before calling PAYONE', async () => {
    const a = await preauth(1000);
    if (!a.ok) throw new Error('preauth');
    const calls = h.sim.state.apiCalls.length;
    const r = await h.service.capture(a.value.id, 1001);
    expect(r.ok === false && r.error.code).toBe('AMOUNT_EXCEEDS_AUTHORIZATION');
    expect(h.sim.state.apiCalls.length).toBe(calls);
    expect((await payment(a.value.id)).timeline.some((e) => e.type === 'rejected')).toBe(true);
  });

  it('refunds with debit: partial, then the rest; never more than captured', async () => {
    const a = await preauth(6000);
    if (!a.ok) throw new Error('preauth');
    await h.service.capture(a.value.id, 4000);
    const r1 = await h.service.refund(a.value.id, 1500);
    expect(r1.ok && r1.value).toMatchObject({ state: 'partially_refunded', amounts: { refunded: 1500 } });
    const tooMuch = await h.service.refund(a.value.id, 2600);
    expect(tooMuch.ok === false && tooMuch.error.code).toBe('AMOUNT_EXCEEDS_REFUNDABLE');
    const r2 = await h.service.refund(a.value.id, 2500);
    expect(r2.ok && r2.value.state).toBe('refunded');
    const tx = simTx(a.value.txid!);
    expect(tx.credited).toBe(4000);
    expect(tx.sequencenumber).toBe(3);
    await waitFor(
      async () =>
        (await notificationsOf(a.value.id)).filter((n) => n.txaction === 'debit' && n.status !== 'received').length ===
        2,
      'debit notifications',
    );
    expect((await payment(a.value.id)).payment.state).toBe('refunded');
  });

  it('3-D Secure: REDIRECT, then the customer authenticates and appointed arrives', async () => {
    const r = await preauth(4000, CARDS.challenge);
    expect(r.ok && r.value.state).toBe('redirect_pending');
    if (!r.ok) return;
    expect(r.value.redirect_url).toMatch(/\/3ds\/redirect\?/);
    const res = await fetch(new URL('/3ds/redirect', h.sim.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `txid=${r.value.txid}&outcome=authenticated`,
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(returnUrls.successUrl);
    await waitFor(async () => (await payment(r.value.id)).payment.state === 'pre_authorized', 'pre_authorized');
    const c = await h.service.capture(r.value.id, 4000);
    expect(c.ok && c.value.state).toBe('captured');
  });

  it('3-D Secure failed: the failed notification ends the payment', async () => {
    const r = await preauth(4000, CARDS.challenge);
    if (!r.ok) throw new Error('preauth');
    await fetch(new URL('/3ds/redirect', h.sim.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `txid=${r.value.txid}&outcome=failed`,
      redirect: 'manual',
    });
    const p = await waitFor(async () => {
      const v = (await payment(r.value.id)).payment;
      return v.state === 'failed' ? v : null;
    }, 'failed');
    expect(p.failed_step).toBe('3ds_authentication');
  });

  it('a wrong key gets no TSOK and changes nothing', async () => {
    // A txid of its own: the simulator may still deliver earlier tests' notifications meanwhile, so count only ours.
    const txid = '9990001117';
    const ours = () =>
      h.t.db
        .selectFrom('payone_notifications')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('txid', '=', txid)
        .executeTakeFirst();
    const body = encodeForm(
      { key: md5('not-the-key'), txaction: 'paid', portalid: '2000000', aid: '10001', txid, sequencenumber: '1' },
      'ISO-8859-1',
    );
    const res = await fetch(`${h.appUrl}/payone/transaction-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toBe('TSOK');
    expect(await ours()).toEqual({ n: '0' });
    // The same notification with the right key is stored: the count above could have seen it.
    const good = encodeForm(
      { key: md5(PORTAL_KEY), txaction: 'paid', portalid: '2000000', aid: '10001', txid, sequencenumber: '1' },
      'ISO-8859-1',
    );
    const ok = await fetch(`${h.appUrl}/payone/transaction-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: good,
    });
    expect(await ok.text()).toBe('TSOK');
    expect(await ours()).toEqual({ n: '1' });
  });

  it('an unknown reference is stored, flagged and still acknowledged', async () => {
    const body = encodeForm(
      {
        key: md5(PORTAL_KEY),
        txaction: 'appointed',
        portalid: '2000000',
        aid: '10001',
        clearingtype: 'cc',
        txid: '999999999',
        reference: 'NOPE123',
        sequencenumber: '0',
        currency: 'EUR',
        price: '10.00',
        lastname: 'Jäger',
      },
      'ISO-8859-1',
    );
    const res = await fetch(`${h.appUrl}/payone/transaction-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('TSOK');
    const row = await waitFor(
      () =>
        h.t.db
          .selectFrom('payone_notifications')
          .selectAll()
          .where('txid', '=', '999999999')
          .where('status', '=', 'unknown_reference')
          .executeTakeFirst(),
      'flagged',
    );
    expect((row.fields as Record<string, string>).lastname).toBe('Jäger');
    expect(row.raw_body).toContain('lastname=J%E4ger');
    expect(row.raw_body).toContain('key=***');
  });

  it('duplicated and reordered notifications change nothing twice', async () => {
    h.sim.state.setFaults({ duplicateNotificationRate: 1, outOfOrderNotifications: true });
    try {
      const a = await preauth(7000);
      if (!a.ok) throw new Error('preauth');
      await h.service.capture(a.value.id, 6000);
      await h.service.refund(a.value.id, 1000);
      await h.sim.state.idle(10_000);
      const p = await waitFor(async () => {
        const ns = await notificationsOf(a.value.id);
        return ns.length >= 8 && ns.every((n) => n.status !== 'received') ? payment(a.value.id) : null;
      }, 'all notifications processed');
      expect(p.payment).toMatchObject({
        state: 'partially_refunded',
        amounts: { authorized: 7000, captured: 6000, refunded: 1000 },
      });
      const statuses = (await notificationsOf(a.value.id)).map((n) => n.status);
      expect(statuses).toContain('duplicate');
      expect(statuses).not.toContain('rejected');
    } finally {
      h.sim.state.setFaults({ duplicateNotificationRate: 0, outOfOrderNotifications: false });
    }
  });

  it('never stores or logs the portal key, its hash, or a full pseudo card PAN', async () => {
    const events = await h.t.db.selectFrom('payment_events').select('data').execute();
    const notes = await h.t.db.selectFrom('payone_notifications').select(['raw_body', 'fields']).execute();
    const text = JSON.stringify(events) + JSON.stringify(notes);
    expect(text).not.toContain(PORTAL_KEY);
    expect(text).not.toContain(md5(PORTAL_KEY));
    for (const card of Object.values(CARDS)) expect(text).not.toContain(card);
    expect(text).toContain('***************1111'); // masked pseudo card PAN is there
  });

  it('the admin API: auth, preauthorize, capture, refund, list by state, detail with failed_step', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    expect((await h.app.inject({ url: '/api/v1/admin/payments' })).statusCode).toBe(401);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/payments',
      headers: auth,
      payload: { session_ref: sessionRef(), amount: 2500, pseudocardpan: CARDS.mastercard },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json().state).toBe('pre_authorized');
    const cap = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/payments/${id}/capture`,
      headers: auth,
      payload: { amount: 2400 },
    });
    expect(cap.json()).toMatchObject({ state: 'captured', amounts: { captured: 2400 } });
    const ref = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/payments/${id}/refund`,
      headers: auth,
      payload: { amount: 100 },
    });
    expect(ref.json().state).toBe('partially_refunded');
    const tooMuch = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/payments/${id}/refund`,
      headers: auth,
      payload: { amount: 99999 },
    });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json()).toMatchObject({ code: 'CONFLICT', payment_error: 'AMOUNT_EXCEEDS_REFUNDABLE' });

    const declined = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/payments',
      headers: auth,
      payload: { session_ref: sessionRef(), amount: 2500, pseudocardpan: CARDS.declined },
    });
    expect(declined.statusCode).toBe(409);
    expect(declined.json()).toMatchObject({ payment_error: 'PAYMENT_DECLINED', psp_code: '5' });
    const failedId = declined.json().payment_id;
    const list = await h.app.inject({ url: '/api/v1/admin/payments?state=failed', headers: auth });
    expect(list.json().items.map((p: { id: string }) => p.id)).toContain(failedId);
    expect(list.json().items.every((p: { state: string }) => p.state === 'failed')).toBe(true);
    const detail = await h.app.inject({ url: `/api/v1/admin/payments/${failedId}`, headers: auth });
    expect(detail.json()).toMatchObject({ state: 'failed', failed_step: 'preauthorization' });
    expect(detail.json().timeline.length).toBeGreaterThan(2);
    expect(
      (await h.app.inject({ url: `/api/v1/admin/payments/${crypto.randomUUID()}`, headers: auth })).statusCode,
    ).toBe(404);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/payments',
      headers: auth,
      payload: { session_ref: 'x', amount: -1 },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('one live payment per charging session', async () => {
    const ref = sessionRef();
    const input = { sessionRef: ref, amount: 1000, currency: 'EUR', card: { pseudocardpan: CARDS.visa }, returnUrls };
    const first = await h.service.preauthorize(input);
    const second = await h.service.preauthorize(input);
    expect(second.ok === false && second.error).toMatchObject({
      code: 'SESSION_HAS_PAYMENT',
      paymentId: first.ok ? first.value.id : '',
    });
    // Released (a capture of 0), the session's payment is no longer live: the driver may pay for it anew.
    if (!first.ok) throw new Error('preauthorization failed');
    const released = await h.service.capture(first.value.id, 0);
    expect(released.ok && released.value.state).toBe('released');
    const third = await h.service.preauthorize(input);
    expect(third.ok && third.value.state).toBe('pre_authorized');
    const fourth = await h.service.preauthorize(input);
    expect(fourth.ok === false && fourth.error).toMatchObject({
      code: 'SESSION_HAS_PAYMENT',
      paymentId: third.ok ? third.value.id : '',
    });
  });
});

describe(`notification delivery retries (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  let failuresLeft = 2;
  beforeAll(async () => {
    h = await startHarness({
      wrapService: (s) => ({
        ...s,
        receiveNotification: async (n) => {
          if (failuresLeft-- > 0) throw new Error('database unavailable (simulated)');
          return s.receiveNotification(n);
        },
      }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('PAYONE retries until TSOK; only the acknowledged delivery is stored', async () => {
    const r = await h.service.preauthorize({
      sessionRef: 'retry-1',
      amount: 1200,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.visa },
      returnUrls,
    });
    if (!r.ok) throw new Error('preauth');
    await h.sim.state.idle(10_000);
    const [item] = h.sim.state.notificationsFor(r.value.txid!);
    expect(item!.status).toBe('delivered');
    expect(item!.attempts.map((a) => a.outcome)).toEqual(['http-error', 'http-error', 'TSOK']);
    const rows = await h.t.db.selectFrom('payone_notifications').selectAll().where('txid', '=', r.value.txid).execute();
    expect(rows).toHaveLength(1);
  });
});
