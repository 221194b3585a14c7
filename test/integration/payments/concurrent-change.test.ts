// A payment's change is written in one compare-and-set statement when nobody changed the payment since it was
// read. Here PAYONE's TransactionStatus for a capture is processed while our capture call is still being
// recorded, so the answer finds the payment changed: it is recorded again under the row lock, from a fresh read,
// and the capture counts once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../../helpers/db.ts';
import { CARDS, type Harness, returnUrls, startHarness, waitFor } from './harness.ts';

describe(`a payment changed while PAYONE's answer is recorded (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  let holdCaptureAnswer = false;
  beforeAll(async () => {
    h = await startHarness({
      afterProviderCall: async (job) => {
        if (job.kind !== 'capture' || !holdCaptureAnswer) return;
        // The simulator sends the capture's TransactionStatus at once; wait until the worker applied it.
        await waitFor(async () => {
          const n = await h.t.db
            .selectFrom('payone_notifications')
            .select('status')
            .where('payment_id', '=', job.payment_id)
            .where('txaction', '=', 'capture')
            .executeTakeFirst();
          return n?.status === 'processed';
        }, 'the capture notification processed');
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the answer is recorded under the lock from a fresh read; one capture, one job, a full timeline', async () => {
    const a = await h.service.preauthorize({
      sessionRef: 'concurrent-1',
      amount: 5000,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.visa },
      returnUrls,
    });
    if (!a.ok) throw new Error(a.error.message);
    holdCaptureAnswer = true;
    const c = await h.service.capture(a.value.id, 2750);
    holdCaptureAnswer = false;
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(['captured', 'paid']).toContain(c.value.state);
    expect(c.value.amounts.captured).toBe(2750);

    const r = await h.service.getPayment(a.value.id);
    if (!r.ok) throw new Error(r.error.message);
    const names = r.value.timeline.map((e) => `${e.type}:${e.name}`);
    // The notification's transition came first (it changed the payment under our feet); our answer, recorded
    // afterwards, is logged and changes nothing twice.
    expect(names.filter((n) => n === 'request:capture')).toHaveLength(1);
    expect(names.filter((n) => n === 'response:capture')).toHaveLength(1);
    expect(names.indexOf('notification:capture')).toBeLessThan(names.indexOf('response:capture'));
    expect(h.sim.state.transaction(r.value.payment.txid!)!.captured).toBe(2750);
    const jobs = await h.t.db
      .selectFrom('payment_jobs')
      .select(['kind', 'status', 'attempts'])
      .where('payment_id', '=', a.value.id)
      .where('kind', '=', 'capture')
      .execute();
    expect(jobs).toEqual([{ kind: 'capture', status: 'done', attempts: 1 }]);
  });
});
