// Receipts are made after PAID, in the background: every paid charge still gets exactly one receipt mail with its
// PDF, the invoice numbers stay gapless when several charges are paid at once, and a receipt left behind (a crash
// between PAID and the mail) is sent by the sweep, once.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChargingRepo } from '../../../src/modules/charging/charging.repository.ts';
import { createInvoicingModule } from '../../../src/modules/invoicing/index.ts';
import {
  availableEvse,
  CARDS,
  type Harness,
  json,
  newKey,
  paidCharge,
  startHarness,
  until,
  waitStatus,
} from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const receiptMails = (email: string) =>
  h.t.db
    .selectFrom('mail_outbox')
    .select(['id', 'subject', 'text_body'])
    .where('to_address', '=', email)
    .where('subject', 'like', '%receipt%')
    .execute();

describe('receipts', () => {
  it('several charges paid at once: one receipt each, with its PDF, and gapless invoice numbers', async () => {
    const used: string[] = [];
    const charges: { id: string; token: string; email: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const evse = availableEvse(h, used);
      used.push(evse.evse_id);
      const email = `receipt-${i}-${Date.now()}@example.com`;
      const res = await h.http('POST', '/api/v1/charges', {
        evse_id: evse.evse_id,
        connector_id: evse.connector_id,
        idempotency_key: newKey(),
        email,
        card: CARDS.visa,
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const started = await json(res);
      charges.push({ id: started.charge_id, token: started.access_token, email });
    }
    for (const c of charges) await waitStatus(h, c.id, c.token, ['CHARGING']);
    await new Promise((r) => setTimeout(r, 1500)); // some energy
    await Promise.all(charges.map((c) => h.http('POST', `/api/v1/charges/${c.id}/stop?t=${c.token}`)));
    const paid = await Promise.all(charges.map((c) => waitStatus(h, c.id, c.token, ['PAID'])));
    expect(paid.every((p) => p.receipt_url)).toBe(true);

    const numbers: string[] = [];
    for (const c of charges) {
      const mails = await until('the receipt mail', async () => {
        const m = await receiptMails(c.email);
        return m.length > 0 ? m : null;
      });
      expect(mails).toHaveLength(1);
      const attachments = await h.t.db
        .selectFrom('mail_attachments')
        .select(['filename', 'content_type'])
        .where('mail_id', '=', mails[0]!.id)
        .execute();
      expect(attachments).toEqual([{ filename: expect.stringMatching(/\.pdf$/), content_type: 'application/pdf' }]);
      const row = await h.t.db
        .selectFrom('charges' as never)
        .select(['invoice_number', 'receipt_mail'] as never)
        .where('id' as never, '=', c.id as never)
        .executeTakeFirstOrThrow();
      const { invoice_number, receipt_mail } = row as { invoice_number: string; receipt_mail: unknown };
      expect(receipt_mail).toBeNull(); // claimed: never sent twice
      expect(mails[0]!.subject).toContain(invoice_number);
      numbers.push(invoice_number);
    }
    // Gapless: the invoices of this test are consecutive, with nothing issued in between.
    const sequences = await sql<{ sequence: number; number: string }>`
      select sequence, number from invoices order by sequence`.execute(h.t.db);
    const ours = sequences.rows.filter((r) => numbers.includes(r.number)).map((r) => Number(r.sequence));
    expect(ours).toHaveLength(3);
    const all = sequences.rows.map((r) => Number(r.sequence));
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => all[0]! + i));
    expect(Math.max(...ours) - Math.min(...ours)).toBe(2);
  });

  it('a receipt left behind after PAID is sent by the sweep, once', async () => {
    const email = `left-behind-${Date.now()}@example.com`;
    const started = await paidCharge(h, email);
    const first = await until('the receipt mail', async () => {
      const m = await receiptMails(email);
      return m.length > 0 ? m : null;
    });
    // As after a crash between PAID and the mail: the receipt is still to be sent and no mail exists.
    await sql`delete from mail_attachments where mail_id = ${first[0]!.id}`.execute(h.t.db);
    await sql`delete from mail_outbox where id = ${first[0]!.id}`.execute(h.t.db);
    await sql`update charges set receipt_mail = ${JSON.stringify({ token: 'left-behind' })}::jsonb,
      updated_at = now() - interval '1 hour' where id = ${started.charge_id}`.execute(h.t.db);
    const again = await until('the receipt mail sent by the sweep', async () => {
      const m = await receiptMails(email);
      return m.length > 0 ? m : null;
    });
    expect(again).toHaveLength(1);
    expect(again[0]!.text_body).toContain('token=left-behind');
    await new Promise((r) => setTimeout(r, 600)); // several more sweeps
    expect(await receiptMails(email)).toHaveLength(1);
  });

  it('PAID with its invoice in one statement writes nothing, and uses no invoice number, for a charge that changed', async () => {
    const { charge_id } = await paidCharge(h, `stale-${Date.now()}@example.com`);
    const repo = createChargingRepo(h.t.db);
    const paid = (await repo.get(charge_id))!;
    const counter = () =>
      sql<{ n: string }>`select coalesce(sum(last_sequence), 0)::text as n from invoice_number_counters`.execute(
        h.t.db,
      );
    const invoices = () => sql<{ n: string }>`select count(*)::text as n from invoices`.execute(h.t.db);
    const before = { counter: (await counter()).rows[0]!.n, invoices: (await invoices()).rows[0]!.n };
    const invoicing = createInvoicingModule({
      db: h.t.db,
      config: {
        SELLER_NAME: 'S',
        SELLER_ADDRESS: 'A',
        SELLER_VAT_ID: 'DE1',
        INVOICE_NUMBER_PREFIX: 'LAT-',
        PUBLIC_URL: h.url,
        PORT: 0,
        adminToken: 'x',
      },
    });
    const prepared = invoicing.prepare({
      buyer: { email: paid.email },
      lines: [
        {
          description: 'Energy',
          category: 'energy',
          quantity: '1',
          unit: 'kWh',
          unit_price: '0.50',
          vat_rate: '19',
          net: '0.50',
        },
      ],
      currency: 'EUR',
    });
    if (!prepared.ok) throw new Error(prepared.error.message);
    // As read while it was PRICED: the charge has moved on since.
    const stale = await repo.updateWithInvoice(
      charge_id,
      { status: 'PRICED', updated_at: paid.updated_at },
      { status: 'PAID' },
      prepared.ctes,
    );
    expect(stale).toBeNull();
    expect({ counter: (await counter()).rows[0]!.n, invoices: (await invoices()).rows[0]!.n }).toEqual(before);
    expect((await repo.get(charge_id))!.invoice_number).toBe(paid.invoice_number);
  });
});
