// The same CDR handled several times at once (the roaming hook, the sweep, another process): the charge is priced
// and captured once. The pricing move is a conditional UPDATE on the charge as read; the ones that lose fall back
// to the locking transaction, which refuses a second pricing.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChargingRepo } from '../../../src/modules/charging/charging.repository.ts';
import type { Cdr } from '../../../src/modules/roaming/index.ts';
import { CARDS, type Harness, insertChargingCopies, paidTemplateCharge, startHarness, until } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** A real charge to copy (its row, offer, CDR), made once. */
let templates: ReturnType<typeof paidTemplateCharge> | null = null;

/**
 * A charge in CHARGING with its own hold, and its CDR stored without telling anyone (no hook). `age`: how long
 * ago the charge last changed and its CDR arrived.
 */
async function chargingWithStoredCdr(age = 0) {
  templates ??= paidTemplateCharge(h, 'race@example.com');
  const { template, cdr: cdrTemplate } = await templates;
  // A second charge in CHARGING with its own hold, and its CDR (not delivered yet).
  const id = randomUUID();
  const ref = id.replaceAll('-', '');
  const pre = await h.payments.service.preauthorize({
    sessionRef: id,
    amount: 5000,
    currency: 'EUR',
    card: { pseudocardpan: CARDS.visa.pseudocardpan },
    returnUrls: { successUrl: h.url, errorUrl: h.url, backUrl: h.url },
  });
  if (!pre.ok) throw new Error(pre.error.message);
  await insertChargingCopies(h, template, [
    {
      id,
      ref,
      paymentId: pre.value.id,
      tokenUid: `RACE${ref.slice(0, 16)}`,
      sessionId: `RACE-${ref.slice(0, 20)}`,
      updatedAt: new Date(Date.now() - age),
    },
  ]);
  const cdr = {
    ...cdrTemplate,
    id: `CDR-RACE-${ref.slice(0, 20)}`,
    session_id: `RACE-${ref.slice(0, 20)}`,
    authorization_reference: ref,
  };
  await storeCdr(cdr, age);
  return { id, paymentId: pre.value.id, cdr };
}

/** Stores a CDR as arrived `age` ms ago, without telling anyone (no hook). */
async function storeCdr(cdr: Cdr, age: number) {
  await sql`insert into ocpi_cdrs (country_code, party_id, id, partner_id, session_id, credit, currency,
      total_cost_excl, object, last_updated, audit_status, received_at)
    values (${cdr.country_code}, ${cdr.party_id}, ${cdr.id}, ${h.partnerId}, ${cdr.session_id}, false,
      ${cdr.currency}, ${String(cdr.total_cost.excl_vat)}, ${JSON.stringify(cdr)}, now(), 'PENDING',
      ${new Date(Date.now() - age)})`.execute(h.t.db);
}

describe('one CDR, many handlers', () => {
  it('prices and captures once when the CDR is handled several times at once', async () => {
    const { id, paymentId, cdr } = await chargingWithStoredCdr();
    // Four handlers at once, as the hook, the sweep and other processes would.
    for (let i = 0; i < 4; i++) h.roaming.hooks?.cdrStored?.(cdr);
    await h.charging.service.sweep();

    const paid = await until('paid', async () => {
      const r = (
        await sql<{ status: string; amount_minor: string; status_history: { status: string }[] }>`
        select status, amount_minor, status_history from charges where id = ${id}`.execute(h.t.db)
      ).rows[0]!;
      return r.status === 'PAID' ? r : null;
    });
    await h.charging.service.idle();
    expect(paid.status_history.map((s) => s.status)).toEqual(['PRICED', 'PAID']);
    const captures = await h.t.db
      .selectFrom('payment_jobs')
      .select('kind')
      .where('payment_id', '=', paymentId)
      .where('kind', '=', 'capture')
      .execute();
    expect(captures).toHaveLength(1);
    const view = await h.payments.service.getPaymentView(paymentId);
    if (!view.ok) throw new Error(view.error.message);
    const booked = h.payone.state.transaction(view.value.txid!)!;
    expect(booked.bookings.filter((b) => b.request === 'capture')).toHaveLength(1);
    expect(booked.captured).toBe(Number(paid.amount_minor));
    // The conditional update itself: a charge read before a change is not written over.
    const repo = createChargingRepo(h.t.db);
    const now = (await repo.get(id))!;
    const stale = { status: now.status, updated_at: new Date(now.updated_at.getTime() - 1) };
    expect(await repo.updateIfUnchanged(id, stale, { status: 'PRICED' })).toBeNull();
    expect(await repo.updateIfUnchanged(id, { ...now, status: 'CHARGING' }, { status: 'PRICED' })).toBeNull();
    expect((await repo.get(id))!.status).toBe('PAID');
    const same = await repo.updateIfUnchanged(id, now, { flags: ['CHECKED'] });
    expect(same?.flags).toEqual(['CHECKED']);
    const invoices = await sql<{ n: string }>`select count(*) as n from invoices where session_ref = ${id}`.execute(
      h.t.db,
    );
    expect(Number(invoices.rows[0]!.n)).toBe(1);
  });

  it('a CDR stored while no hook heard of it is found by the sweep, which then prices and captures', async () => {
    const { id } = await chargingWithStoredCdr(60_000);
    const idle = await chargingWithStoredCdr(60_000); // and another charging session without a CDR yet
    await sql`delete from ocpi_cdrs where id = ${idle.cdr.id}`.execute(h.t.db);
    await h.charging.service.sweep();
    const paid = await until('paid by the sweep', async () => {
      const r = (await sql<{ status: string }>`select status from charges where id = ${id}`.execute(h.t.db)).rows[0]!;
      return r.status === 'PAID' ? r : null;
    });
    expect(paid.status).toBe('PAID');
    await h.charging.service.idle();
    const other = (await sql<{ status: string }>`select status from charges where id = ${idle.id}`.execute(h.t.db))
      .rows[0]!;
    expect(other.status).toBe('CHARGING');
  });

  it('a CDR that has just arrived is left to the hook handling it: the sweep does not read it twice', async () => {
    const fresh = await chargingWithStoredCdr(60_000);
    await sql`delete from ocpi_cdrs where id = ${fresh.cdr.id}`.execute(h.t.db);
    await h.charging.service.sweep(); // the charge's pass for the hold limit, before its CDR
    await h.charging.service.idle();
    await storeCdr(fresh.cdr, 0);
    await h.charging.service.sweep();
    await h.charging.service.idle();
    const status = async () =>
      (await sql<{ status: string }>`select status from charges where id = ${fresh.id}`.execute(h.t.db)).rows[0]!
        .status;
    expect(await status()).toBe('CHARGING');
    // Had the hook failed, the sweep takes it once the grace is over.
    await sql`update ocpi_cdrs set received_at = now() - interval '6 seconds' where id = ${fresh.cdr.id}`.execute(
      h.t.db,
    );
    await h.charging.service.sweep();
    await until('paid by the sweep', async () => (await status()) === 'PAID');
  });
});
