// Several PAYONE notifications are stored with one statement (ids in order). A batch of them is read without locks
// and its outcome written in one compare-and-set statement. When a payment or a notification changed between the
// read and the write, the write must change nothing (the worker then does the batch again under row locks): a
// notification is never applied twice, nor to a stale payment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as repo from '../../../src/modules/payments/payments.repository.ts';
import { onPostgres } from '../../helpers/db.ts';
import { CARDS, type Harness, returnUrls, startHarness, waitFor } from './harness.ts';

describe(`notification batches written only if nothing changed (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ startWorker: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  const notesOf = (paymentTxid: string) =>
    h.t.db
      .selectFrom('payone_notifications')
      .select(['id', 'status', 'txaction'])
      .where('txid', '=', paymentTxid)
      .orderBy('id')
      .execute();
  const notificationEvents = async (paymentId: string) =>
    (await h.t.db.selectFrom('payment_events').select('name').where('payment_id', '=', paymentId).execute())
      .filter((e) => e.name === 'appointed')
      .map((e) => e.name);

  it('a payment changed since the read: nothing written; the worker then applies the notification once', async () => {
    const a = await h.service.preauthorize({
      sessionRef: 'batch-cas-1',
      amount: 5000,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.visa },
      returnUrls,
    });
    if (!a.ok) throw new Error(a.error.message);
    const txid = a.value.txid!;
    await waitFor(async () => (await notesOf(txid)).some((n) => n.txaction === 'appointed'), 'appointed stored');

    const read = await repo.readNotificationBatch(h.t.db, 50);
    const note = read.notes.find((n) => n.txid === txid)!;
    const seen = read.payments.find((p) => p.txid === txid)!;
    expect(note.txaction).toBe('appointed');
    expect(seen.state).toBe('pre_authorized');

    // Meanwhile the driver's capture changes the payment.
    const c = await h.service.capture(a.value.id, 1234);
    expect(c.ok).toBe(true);

    const written = await repo.writeNotificationBatch(h.t.db, {
      payments: [{ seen, next: repo.toPayment(seen) }],
      events: [{ paymentId: seen.id, type: 'notification', name: 'appointed', data: { notification_id: note.id } }],
      marks: [{ id: note.id, status: 'processed', paymentId: seen.id, detail: null }],
      at: new Date(),
    });
    expect(written).toBe(false);
    // Nothing of the batch was written: the notification is still to do, no log entry, the capture stands.
    expect((await notesOf(txid)).find((n) => n.id === note.id)?.status).toBe('received');
    expect(await notificationEvents(seen.id)).toEqual([]);
    const after = await h.service.getPaymentView(a.value.id);
    expect(after.ok && after.value.amounts.captured).toBe(1234);

    // The worker's round applies it (to the payment as it is now), once.
    while ((await h.service.handleNotifications(50)) > 0);
    expect((await notesOf(txid)).find((n) => n.id === note.id)?.status).not.toBe('received');
    expect(await notificationEvents(seen.id)).toEqual(['appointed']);

    // The same stale batch written again (another worker that read it earlier): refused, nothing doubled.
    const again = await repo.writeNotificationBatch(h.t.db, {
      payments: [],
      events: [{ paymentId: seen.id, type: 'notification', name: 'appointed', data: { notification_id: note.id } }],
      marks: [{ id: note.id, status: 'processed', paymentId: seen.id, detail: null }],
      at: new Date(),
    });
    expect(again).toBe(false);
    expect(await notificationEvents(seen.id)).toEqual(['appointed']);
  });
});

describe(`storing notifications together (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ startWorker: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('one statement for several notifications; each id is its own row, in the order given', async () => {
    const note = (i: number) => ({
      raw_body: `txid=9${i}&txaction=${i % 2 ? 'paid' : 'capture'}&sequencenumber=${i}&key=…`,
      content_type: 'application/x-www-form-urlencoded',
      remote_ip: `185.60.20.${i}`,
      fields: { txid: `9${i}`, txaction: i % 2 ? 'paid' : 'capture', sequencenumber: String(i) },
      txid: `9${i}`,
      reference: null,
      txaction: i % 2 ? 'paid' : 'capture',
      sequencenumber: i,
      transaction_status: null,
      dedupe_key: `store-together-${i}`,
    });
    const notes = [1, 2, 3, 4, 5].map(note);
    const ids = await repo.insertNotifications(h.t.db, notes);
    expect(ids).toHaveLength(5);
    const rows = await h.t.db
      .selectFrom('payone_notifications')
      .select(['id', 'dedupe_key', 'fields', 'sequencenumber', 'status', 'remote_ip'])
      .where('id', 'in', ids)
      .execute();
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    expect(ids.map((id) => byId.get(id)?.dedupe_key)).toEqual(notes.map((n) => n.dedupe_key));
    expect(byId.get(ids[2]!)).toMatchObject({
      fields: notes[2]!.fields,
      sequencenumber: 3,
      status: 'received',
      remote_ip: '185.60.20.3',
    });
  });
});
