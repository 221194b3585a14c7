// The hold is the most a driver can be charged: a charge whose cost so far reaches CHARGE_HOLD_STOP_PERCENT of it
// is stopped by Lataus (STOP_SESSION to the CPO), so the final amount still fits the preauthorization.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  availableEvse,
  CARDS,
  type Harness,
  type Json,
  json,
  newKey,
  startHarness,
  waitStatus,
} from './harness.ts';

let h: Harness;

beforeAll(async () => {
  // A fast simulated clock (1 real second = 10 charging minutes) and a stop at half the hold.
  h = await startHarness({
    env: { CHARGE_HOLD_STOP_PERCENT: '50', ADHOC_HOLD_MIN: '1' },
    cpo: { port: 0, locations: 3, speed: 600, commandDelayMs: 20 },
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('the hold limit', () => {
  it('stops the charge when the cost so far reaches the limit; the capture fits the hold', async () => {
    const evse = availableEvse(h);
    const offer = await json(await h.http('GET', `/api/v1/charge/${encodeURIComponent(evse.evse_id)}`));
    const res = await h.http('POST', '/api/v1/charges', {
      evse_id: evse.evse_id,
      connector_id: evse.connector_id,
      idempotency_key: newKey(),
      email: 'far@example.com',
      card: CARDS.visa,
    });
    expect(res.status).toBe(201);
    const { charge_id: id, access_token: token } = await json(res);
    // Nobody taps stop: Lataus does, once the cost reaches half the hold.
    const paid = await waitStatus(h, id, token, ['PAID'], 60_000);
    const detail = await json(await h.http('GET', `/api/v1/admin/charges/${id}`, undefined, admin));
    expect(detail.flags).toContain('HOLD_LIMIT_STOP');
    // A note for the back office, not a problem: the charge is paid and nobody has to act.
    expect(detail.needs_attention).toBe(false);
    const flagged = await json(await h.http('GET', '/api/v1/admin/charges?flagged=true', undefined, admin));
    expect(flagged.items.map((x: Json) => x.id)).not.toContain(id);
    expect((detail.status_history as { status: string }[]).map((s) => s.status)).toContain('STOPPING');
    const held: number = offer.hold.amount_minor;
    expect(paid.payment?.captured_minor).toBeGreaterThanOrEqual(Math.floor(held / 2));
    expect(paid.payment?.captured_minor).toBeLessThanOrEqual(held);
  }, 90_000);
});
