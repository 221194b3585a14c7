// The ad-hoc journey over real HTTP with both simulators: offer → hold → START_SESSION → live session → stop →
// CDR priced twice → capture == invoice total → receipt PDF and mail in the outbox; and a double tap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  availableEvse,
  CARDS,
  type ChargeBody,
  getCharge,
  type Harness,
  json,
  newKey,
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

describe('ad-hoc charging', () => {
  it('shows the driver price (CPO tariff + markup), an estimate and the hold before the start', async () => {
    const evse = availableEvse(h);
    const r = await h.http('GET', `/api/v1/charge/${encodeURIComponent(evse.evse_id)}`);
    expect(r.status).toBe(200);
    const o = await json(r);
    expect(o.evse.evse_id).toBe(evse.evse_id);
    expect(o.evse.connectors.length).toBeGreaterThan(0);
    expect(o.location.time_zone).toMatch(/\//);
    expect(o.price.currency).toBe('EUR');
    expect(o.markup).toEqual({ percent: '10', fee: { excl_vat: '0.5000', incl_vat: '0.5950', vat: '19' } });
    expect(o.estimate.assumption).toMatch(/kWh/);
    expect(Number(o.estimate.total.incl_vat)).toBeGreaterThan(0);
    expect(o.hold.amount_minor).toBeGreaterThanOrEqual(Math.ceil(Number(o.estimate.total.incl_vat)) * 100);
    expect(o.hold.amount_minor % 100).toBe(0);
    expect(o.can_start).toBe(true);
    expect(o.reason).toBeNull();

    const missing = await h.http('GET', `/api/v1/charge/${encodeURIComponent('DE*SIM*E999999*1')}`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).code).toBe('EVSE_NOT_FOUND');
  });

  it('happy path: hold, start, live session, stop, CDR, capture == invoice total, receipt PDF and mail', async () => {
    const evse = availableEvse(h);
    const offer = await json(await h.http('GET', `/api/v1/charge/${encodeURIComponent(evse.evse_id)}`));
    const key = newKey();
    const body = {
      evse_id: evse.evse_id,
      connector_id: evse.connector_id,
      idempotency_key: key,
      email: 'anna@example.com',
      card: CARDS.visa,
    };
    const res = await h.http('POST', '/api/v1/charges', body);
    expect(res.status, await res.clone().text()).toBe(201);
    const started = await json(res);
    expect(started.access_token).toEqual(expect.any(String));
    expect(started.charge_url).toBe(`/charges/${started.charge_id}?t=${started.access_token}`);
    expect(['STARTING', 'CHARGING']).toContain(started.status);
    const token: string = started.access_token;
    const id: string = started.charge_id;

    // The same tap again (page reload): one charge, one hold.
    const again = await h.http('POST', '/api/v1/charges', body);
    expect(again.status).toBe(200);
    expect((await json(again)).charge_id).toBe(id);
    const holds = await h.t.db.selectFrom('payments').select('id').where('session_ref', 'like', `${id}%`).execute();
    expect(holds).toHaveLength(1);

    const charging = await waitStatus(h, id, token, ['CHARGING']);
    expect(charging.payment).toMatchObject({ state: 'pre_authorized', held_minor: offer.hold.amount_minor });
    // Live numbers from the CPO's Session pushes.
    const live = await until('kWh and a cost so far', async () => {
      const c = await getCharge(h, id, token);
      return Number(c.kwh) > 0 && c.cost_so_far ? c : null;
    });
    expect(live.cost_so_far).toMatchObject({ currency: 'EUR', at_least: true });

    const stop = await h.http('POST', `/api/v1/charges/${id}/stop?t=${encodeURIComponent(token)}`);
    expect(stop.status).toBe(202);
    const paid = await waitStatus(h, id, token, ['PAID']);
    expect(Number(paid.kwh)).toBeGreaterThan(0);
    expect(paid.final).not.toBeNull();
    expect(paid.receipt_url).toBe(`/api/v1/charges/${id}/receipt.pdf?t=${encodeURIComponent(token)}`);
    expect(paid.payment?.state).toMatch(/captured|paid/);

    // Capture == invoice total, to the cent.
    const detail = await json(await h.http('GET', `/api/v1/admin/charges/${id}`, undefined, admin));
    const invoice = (await h.t.db
      .selectFrom('invoices' as never)
      .select(['number', 'total_gross'] as never)
      .where('session_ref' as never, '=', id as never)
      .executeTakeFirstOrThrow()) as { number: string; total_gross: string };
    const payment = await h.t.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', detail.payment_id)
      .executeTakeFirstOrThrow();
    expect(Number(payment.amount_captured)).toBe(Number(invoice.total_gross));
    expect(paid.payment?.captured_minor).toBe(Number(invoice.total_gross));
    expect(Math.round(Number(paid.final!.incl_vat) * 100)).toBe(Number(invoice.total_gross));
    expect(detail.invoice_number).toBe(invoice.number);
    // Both prices with their proofs: what we owe the CPO (= the CDR's own total) and what the driver pays.
    expect(detail.cpo_price.proof.periods.length).toBeGreaterThan(0);
    expect(Number(detail.cpo_price.total_cost.excl_vat)).toBeCloseTo(
      Number(detail.cpo_price.cdr_total_cost.excl_vat),
      4,
    );
    expect(detail.driver_price.amount_minor).toBe(Number(invoice.total_gross));
    expect(detail.driver_price.lines.some((l: { category: string }) => l.category === 'markup')).toBe(true);
    // PAYONE captured exactly that (the rest of the hold is released).
    const sim = h.payone.state.transaction(payment.txid!) as { captured: number } | undefined;
    expect(sim?.captured).toBe(Number(invoice.total_gross));

    const pdf = await h.http('GET', paid.receipt_url!);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    const mail = await until('receipt mail', async () =>
      h.t.db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('to_address', '=', 'anna@example.com')
        .where('subject', 'like', '%receipt%')
        .executeTakeFirst(),
    );
    expect(mail.text_body).toContain(`/api/v1/invoices/${encodeURIComponent(invoice.number)}.pdf?token=`);
    const attachments = await h.t.db
      .selectFrom('mail_attachments')
      .selectAll()
      .where('mail_id', '=', mail.id)
      .execute();
    expect(attachments).toHaveLength(1);
    expect(attachments[0]!.content_type).toBe('application/pdf');
    // The mail's download link works.
    const link = /(http\S+\.pdf\?token=\S+)/.exec(mail.text_body)![1]!;
    expect((await fetch(link)).status).toBe(200);

    const history = (detail.status_history as { status: string }[]).map((s) => s.status);
    // FINISHED may be skipped when the CDR overtakes the Session's final PATCH.
    expect(history.filter((s) => s !== 'FINISHED')).toEqual([
      'AUTHORIZING',
      'STARTING',
      'CHARGING',
      'STOPPING',
      'PRICED',
      'PAID',
    ]);
  });

  it('rejects a page without the link token', async () => {
    const r = await h.http('GET', `/api/v1/charges/${newKey()}`);
    expect(r.status).toBe(404);
    const list = await h.http('GET', '/api/v1/admin/charges', undefined, admin);
    const items = (await json(list)).items as ChargeBody[];
    expect(items.length).toBeGreaterThan(0);
    const one = await h.http('GET', `/api/v1/charges/${items[0]!.id}?t=wrong`);
    expect(one.status).toBe(404);
  });
});
