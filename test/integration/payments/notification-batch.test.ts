// Notifications processed several per transaction (the worker's batch) end exactly as one at a time would.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm } from '../../../src/payone/form.ts';
import { onPostgres } from '../../helpers/db.ts';
import { CARDS, type Harness, PORTAL_KEY, returnUrls, startHarness } from './harness.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
let session = 0;

describe(`notifications in batches (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ startWorker: false }); // the test decides when notifications are processed
  });
  afterAll(async () => {
    await h?.close();
  });

  const notificationsOf = (paymentId: string) =>
    h.t.db.selectFrom('payone_notifications').selectAll().where('payment_id', '=', paymentId).orderBy('id').execute();
  const received = async () =>
    Number(
      (
        await h.t.db
          .selectFrom('payone_notifications')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'received')
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Two payments: one captured in full, one partially and then refunded; all their notifications stored. */
  async function twoPayments(tag: string) {
    const ids: string[] = [];
    for (const [capture, refund] of [
      [5000, 0],
      [3000, 500],
    ] as const) {
      const r = await h.service.preauthorize({
        sessionRef: `${tag}-${++session}`,
        amount: 5000,
        currency: 'EUR',
        card: { pseudocardpan: CARDS.visa },
        returnUrls,
      });
      if (!r.ok) throw new Error(r.error.message);
      const c = await h.service.capture(r.value.id, capture);
      if (!c.ok) throw new Error(c.error.message);
      if (refund) {
        await h.sim.state.idle(10_000); // paid before the debit: the same arrival order in both runs
        const f = await h.service.refund(r.value.id, refund);
        if (!f.ok) throw new Error(f.error.message);
      }
      ids.push(r.value.id);
    }
    await h.sim.state.idle(10_000); // every notification acknowledged, i.e. stored
    return ids;
  }

  async function outcome(id: string) {
    const p = await h.service.getPayment(id);
    if (!p.ok) throw new Error(p.error.message);
    const { state, amounts } = p.value.payment;
    const timeline = p.value.timeline
      .filter((e) => e.type === 'notification' || e.name.startsWith('notify_'))
      .map((e) => `${e.type}:${e.name}:${e.state_before ?? ''}>${e.state_after ?? ''}`);
    const statuses = (await notificationsOf(id)).map((n) => `${n.txaction}:${n.status}`);
    return { state, amounts, timeline, statuses };
  }

  it('a batch gives the same states, timelines and notification outcomes as one at a time', async () => {
    const batched = await twoPayments('batch');
    const unknown = encodeForm(
      {
        key: md5(PORTAL_KEY),
        txaction: 'appointed',
        portalid: '2000000',
        aid: '10001',
        clearingtype: 'cc',
        txid: '999999998',
        reference: 'NOPE-BATCH',
        sequencenumber: '0',
        currency: 'EUR',
        price: '10.00',
      },
      'ISO-8859-1',
    );
    const res = await fetch(`${h.appUrl}/payone/transaction-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: unknown,
    });
    expect(await res.text()).toBe('TSOK');
    const waiting = await received();
    expect(waiting).toBeGreaterThanOrEqual(8); // 2 × (appointed, capture, paid) + debit + the unknown one
    expect(await h.service.handleNotifications(100)).toBe(waiting);
    expect(await received()).toBe(0);
    const flagged = await h.t.db
      .selectFrom('payone_notifications')
      .select(['status', 'payment_id'])
      .where('reference', '=', 'NOPE-BATCH')
      .executeTakeFirstOrThrow();
    expect(flagged).toEqual({ status: 'unknown_reference', payment_id: null });

    const single = await twoPayments('single');
    while (await h.service.handleNotification()) {}

    for (let i = 0; i < 2; i++) {
      const a = await outcome(batched[i]!);
      const b = await outcome(single[i]!);
      expect(a).toEqual(b);
      expect(a.statuses.length).toBeGreaterThanOrEqual(3);
      expect(a.statuses.every((s) => !s.endsWith(':received'))).toBe(true);
    }
    expect((await outcome(batched[0]!)).state).toBe('paid');
    expect((await outcome(batched[1]!)).amounts).toEqual({
      requested: 5000,
      authorized: 5000,
      captured: 3000,
      refunded: 500,
    });
  });

  it('notifications arriving together are stored together, each answered with its own row', async () => {
    const txids = Array.from({ length: 30 }, (_, i) => String(888_000_000 + i));
    const ids = await Promise.all(
      txids.map((txid) =>
        h.service.receiveNotification({
          raw: Buffer.from(`txid=${txid}&txaction=appointed`, 'latin1'),
          contentType: 'application/x-www-form-urlencoded',
          remoteIp: '127.0.0.1',
          fields: { txid, txaction: 'appointed', reference: `GROUP-${txid}`, sequencenumber: '0' },
        }),
      ),
    );
    expect(new Set(ids).size).toBe(30);
    const rows = await h.t.db
      .selectFrom('payone_notifications')
      .select(['id', 'txid', 'reference', 'raw_body'])
      .where('id', 'in', ids)
      .execute();
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    ids.forEach((id, i) => {
      expect(byId.get(String(id))).toMatchObject({
        txid: txids[i],
        reference: `GROUP-${txids[i]}`,
        raw_body: `txid=${txids[i]}&txaction=appointed`,
      });
    });
    expect(await h.service.handleNotifications(100)).toBe(30);
  });

  it('with nothing waiting, a batch does nothing', async () => {
    expect(await h.service.handleNotifications(50)).toBe(0);
  });
});
