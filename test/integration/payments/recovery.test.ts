// Lost answers: PAYONE processed our request but the answer never arrived. The job is retried with the same
// reference / sequencenumber and PAYONE's answer (911/907) or the notification tells us the truth: nothing is
// ever booked twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../../helpers/db.ts';
import { CARDS, type Harness, returnUrls, startHarness, waitFor } from './harness.ts';

describe(`recovery from lost PAYONE answers (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ providerTimeoutMs: 300, sim: { apiTimeoutMs: 2000 } });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.sim.state.setFaults({ apiTimeoutRate: 0, timeoutAfterProcessing: false, notificationsPaused: false });
  });

  const state = async (id: string) => {
    const r = await h.service.getPayment(id);
    return r.ok ? r.value.payment : null;
  };

  it('a capture whose answer is lost is captured exactly once', async () => {
    const a = await h.service.preauthorize({
      sessionRef: 'lost-capture',
      amount: 9000,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.visa },
      returnUrls,
    });
    if (!a.ok) throw new Error(a.error.message);
    // hold notifications back so that only PAYONE's answer to the repeated capture can tell us
    h.sim.state.setFaults({ apiTimeoutRate: 1, timeoutAfterProcessing: true, notificationsPaused: true });
    const c = await h.service.capture(a.value.id, 8000);
    expect(c.ok && c.value.state).toBe('capture_requested'); // outcome unknown: the job will retry
    const again = await h.service.capture(a.value.id, 8000);
    expect(again.ok === false && again.error.code).toBe('OPERATION_IN_PROGRESS'); // never a second capture job
    h.sim.state.setFaults({ apiTimeoutRate: 0, timeoutAfterProcessing: false });
    const p = await waitFor(async () => {
      const v = await state(a.value.id);
      return v?.state === 'captured' ? v : null;
    }, 'captured after retry');
    expect(p.amounts.captured).toBe(8000);
    const tx = h.sim.state.transaction(a.value.txid!)!;
    expect(tx.captured).toBe(8000);
    expect(tx.bookings.filter((b: { request: string }) => b.request === 'capture')).toHaveLength(1);
    // the repeated capture (same sequencenumber) was refused with 907 instead of being booked again
    const calls = h.sim.state.apiCalls.filter((x) => x.request === 'capture');
    expect(calls.map((x) => x.errorcode ?? x.status)).toEqual(['APPROVED', '907']);
    const detail = await h.service.getPayment(a.value.id);
    const timeline = detail.ok ? detail.value.timeline : [];
    expect(timeline.some((e) => e.type === 'note' && e.name === 'capture_done')).toBe(true);
    h.sim.state.setFaults({ notificationsPaused: false });
    await waitFor(async () => (await state(a.value.id))?.state === 'paid', 'paid');
  });

  it('a preauthorization whose answer is lost is settled by the appointed notification', async () => {
    h.sim.state.setFaults({ apiTimeoutRate: 1, timeoutAfterProcessing: true, notificationsPaused: true });
    const a = await h.service.preauthorize({
      sessionRef: 'lost-preauth',
      amount: 4000,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.visa },
      returnUrls,
    });
    h.sim.state.setFaults({ apiTimeoutRate: 0, timeoutAfterProcessing: false });
    expect(a.ok && a.value.state).toBe('preauth_requested');
    if (!a.ok) return;
    // the job re-sends the same reference: PAYONE refuses a second reservation (911) and we wait for appointed
    await waitFor(async () => h.sim.state.apiCalls.some((x) => x.errorcode === '911'), 'the repeated preauthorization');
    h.sim.state.setFaults({ notificationsPaused: false });
    const p = await waitFor(async () => {
      const v = await state(a.value.id);
      return v?.state === 'pre_authorized' ? v : null;
    }, 'pre_authorized');
    const procs = h.sim.state.snapshot().transactions.filter((t: { reference: string }) => t.reference === p.reference);
    expect(procs).toHaveLength(1); // reserved once
  });
});
