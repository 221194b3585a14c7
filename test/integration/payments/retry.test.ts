// The back office asks PAYONE again for a request that got no usable answer after every attempt: the same
// reference and sequence number, so nothing is booked twice, whatever PAYONE did with the earlier attempts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CARDS, type Harness, returnUrls, startHarness, waitFor } from './harness.ts';

describe('retrying an unanswered request from the back office', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxAttempts: 2, providerTimeoutMs: 300, sim: { apiTimeoutMs: 2000 } });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.sim.state.setFaults({
      apiErrorRate: 0,
      apiTimeoutRate: 0,
      timeoutAfterProcessing: false,
      notificationsPaused: false,
    });
  });

  const retry = (id: string) =>
    fetch(`${h.appUrl}/api/v1/admin/payments/${id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
  const payment = async (id: string) => {
    const r = await h.service.getPayment(id);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };

  async function unansweredCapture(sessionRef: string, processed: boolean) {
    const a = await h.service.preauthorize({
      sessionRef,
      amount: 5000,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.visa },
      returnUrls,
    });
    if (!a.ok) throw new Error(a.error.message);
    h.sim.state.setFaults(
      processed ? { apiTimeoutRate: 1, timeoutAfterProcessing: true, notificationsPaused: true } : { apiErrorRate: 1 },
    );
    await h.service.capture(a.value.id, 4200);
    await waitFor(
      async () => (await payment(a.value.id)).payment.failed_step === 'capture_no_answer',
      'the capture gave up',
      20_000,
    );
    h.sim.state.setFaults({ apiErrorRate: 0, apiTimeoutRate: 0, timeoutAfterProcessing: false });
    return a.value;
  }

  it('PAYONE never got it: the retry captures, once', async () => {
    const p = await unansweredCapture('retry-not-booked', false);
    expect(h.sim.state.transaction(p.txid!)!.captured).toBe(0);
    const r = await retry(p.id);
    expect(r.status).toBe(200);
    const v = await waitFor(async () => {
      const x = (await payment(p.id)).payment;
      return x.state === 'captured' || x.state === 'paid' ? x : null;
    }, 'captured');
    expect(v.amounts.captured).toBe(4200);
    expect(v.failed_step).toBeNull();
    expect(h.sim.state.transaction(p.txid!)!.captured).toBe(4200);
    const timeline = (await payment(p.id)).timeline;
    expect(timeline.some((e) => e.type === 'note' && e.name === 'retry_requested')).toBe(true);
    // Nothing gave up any more: a second retry is refused.
    const again = await retry(p.id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { payment_error?: string }).payment_error).toBe('ILLEGAL_STATE');
  });

  it('PAYONE booked it but the answers were lost: the retry is refused as a repeat, booked once', async () => {
    const p = await unansweredCapture('retry-booked', true);
    expect(h.sim.state.transaction(p.txid!)!.captured).toBe(4200);
    expect((await retry(p.id)).status).toBe(200);
    const v = await waitFor(async () => {
      const x = (await payment(p.id)).payment;
      return x.state === 'captured' || x.state === 'paid' ? x : null;
    }, 'captured');
    expect(v.amounts.captured).toBe(4200);
    const tx = h.sim.state.transaction(p.txid!)!;
    expect(tx.captured).toBe(4200);
    expect(tx.bookings.filter((b: { request: string }) => b.request === 'capture')).toHaveLength(1);
    const timeline = (await payment(p.id)).timeline;
    expect(timeline.some((e) => e.type === 'note' && e.name === 'capture_done')).toBe(true);
  });

  it('refuses a payment with nothing to retry, and an unknown one', async () => {
    const a = await h.service.preauthorize({
      sessionRef: 'retry-nothing',
      amount: 1000,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.visa },
      returnUrls,
    });
    if (!a.ok) throw new Error(a.error.message);
    expect((await retry(a.value.id)).status).toBe(409);
    expect((await retry('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
