// Registered drivers: saved cards (OneClick), the virtual card (APP_USER token pushed to the CPO), a one-tap start
// with the virtual card, and a start at the charger authorized by the CPO in real time with that card.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availableEvse,
  CARDS,
  CSRF,
  type Harness,
  type Json,
  json,
  newKey,
  pushTokens,
  startHarness,
  until,
  waitStatus,
} from './harness.ts';

let h: Harness;
let cookie: string;
let headers: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  const r = await h.http(
    'POST',
    '/api/v1/auth/signup',
    { email: 'rita@example.com', password: 'correct horse battery staple 42' },
    CSRF,
  );
  expect(r.status, await r.clone().text()).toBe(201);
  cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  headers = { cookie, ...CSRF };
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('registered driver', () => {
  it('needs a card before a OneClick start', async () => {
    const evse = availableEvse(h);
    const r = await h.http(
      'POST',
      '/api/v1/charges',
      { evse_id: evse.evse_id, connector_id: evse.connector_id, idempotency_key: newKey() },
      headers,
    );
    expect(r.status).toBe(400);
    expect((await json(r)).code).toBe('CARD_REQUIRED');
  });

  it('saves cards, the first is the default; set default; delete', async () => {
    const add = async (c: (typeof CARDS)[keyof typeof CARDS]) => h.http('POST', '/api/v1/me/cards', c, headers);
    expect((await add(CARDS.mastercard)).status).toBe(201);
    expect((await add(CARDS.visa)).status).toBe(201);
    let list = (await json(await h.http('GET', '/api/v1/me/cards', undefined, { cookie }))).items as Json[];
    expect(list).toHaveLength(2);
    const visa = list.find((c) => c.masked_pan.endsWith('1111'));
    const master = list.find((c) => c.masked_pan.endsWith('0004'));
    expect(master.is_default).toBe(true);
    expect((await h.http('POST', `/api/v1/me/cards/${visa.id}/default`, undefined, headers)).status).toBe(200);
    list = (await json(await h.http('GET', '/api/v1/me/cards', undefined, { cookie }))).items;
    expect(list.find((c) => c.id === visa.id).is_default).toBe(true);
    expect((await h.http('DELETE', `/api/v1/me/cards/${master.id}`, undefined, headers)).status).toBe(204);
    // Without the CSRF header a cookie request that changes something is refused.
    expect((await h.http('POST', '/api/v1/me/cards', CARDS.mastercard, { cookie })).status).toBe(403);
    expect((await h.http('GET', '/api/v1/me/cards')).status).toBe(401);
  });

  it('has a virtual card: an APP_USER token pushed to every connected CPO', async () => {
    const first = await json(await h.http('GET', '/api/v1/me/virtual-card', undefined, { cookie }));
    expect(first).toMatchObject({
      type: 'APP_USER',
      valid: true,
      contract_id: expect.stringMatching(/^DE-LAT-C\d{8}$/),
    });
    await pushTokens(h);
    const after = await json(await h.http('GET', '/api/v1/me/virtual-card', undefined, { cookie }));
    expect(after.uid).toBe(first.uid);
    expect(after.pushed_to).toBe(1);
  });

  it('OneClick with the virtual card: one tap, no card entry, to a paid charge in "my charges"', async () => {
    const evse = availableEvse(h);
    const r = await h.http(
      'POST',
      '/api/v1/charges',
      { evse_id: evse.evse_id, connector_id: evse.connector_id, idempotency_key: newKey(), use_virtual_card: true },
      headers,
    );
    expect(r.status, await r.clone().text()).toBe(201);
    const c = await json(r);
    expect(c.access_token).toBeNull();
    expect(c.charge_url).toBe(`/charges/${c.charge_id}`);
    await waitStatus(h, c.charge_id, null, ['CHARGING'], 20_000, { cookie });
    // Someone else cannot see it.
    expect((await h.http('GET', `/api/v1/charges/${c.charge_id}`)).status).toBe(401);
    const vc = await json(await h.http('GET', '/api/v1/me/virtual-card', undefined, { cookie }));
    const session = [...(h.cpo.state().sessions as Json[])].find(
      (s) => s.token_uid === vc.uid || s.cdr_token?.uid === vc.uid,
    );
    expect(session ?? 'session with the virtual card').toBeTruthy();
    await until('some energy', async () => {
      const x = await json(await h.http('GET', `/api/v1/charges/${c.charge_id}`, undefined, { cookie }));
      return Number(x.kwh) > 0;
    });
    expect((await h.http('POST', `/api/v1/charges/${c.charge_id}/stop`, undefined, headers)).status).toBe(202);
    const paid = await waitStatus(h, c.charge_id, null, ['PAID'], 20_000, { cookie });
    expect(paid.receipt_url).toBe(`/api/v1/charges/${c.charge_id}/receipt.pdf`);
    expect((await h.http('GET', paid.receipt_url!, undefined, { cookie })).status).toBe(200);
    const mine = (await json(await h.http('GET', '/api/v1/me/charges', undefined, { cookie }))).items as Json[];
    expect(mine.map((x) => x.id)).toContain(c.charge_id);
    expect(mine.find((x) => x.id === c.charge_id).status).toBe('PAID');
  });

  it('starts at the charger with the virtual card: the CPO authorizes it in real time; billed to the default card', async () => {
    const vc = await json(await h.http('GET', '/api/v1/me/virtual-card', undefined, { cookie }));
    const evse = availableEvse(h);
    const loc = [...h.cpo.sim.locations.values()].find((l) => l.evses?.some((e) => e.evse_id === evse.evse_id))!;
    const swipe = await fetch(`${h.cpo.url}/__sim/swipe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token_uid: vc.uid, token_type: 'APP_USER', location_id: loc.id, evse_uid: evse.uid }),
    });
    const s = (await swipe.json()) as Json;
    expect(s, JSON.stringify(s)).toMatchObject({ ok: true, authorization: { allowed: 'ALLOWED' } });
    const charge = await until('the charge of the swiped session', async () => {
      const mine = (await json(await h.http('GET', '/api/v1/me/charges', undefined, { cookie }))).items as Json[];
      return mine.find((x) => x.evse_id === evse.evse_id && x.status === 'CHARGING');
    });
    expect(charge.payment).toMatchObject({ state: 'pre_authorized' });
    await h.http('POST', `/api/v1/charges/${charge.id}/stop`, undefined, headers);
    await waitStatus(h, charge.id, null, ['PAID'], 20_000, { cookie });
  });
});
