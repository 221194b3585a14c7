// OneClick stored cards (service level; the /me/cards routes follow with the identity module).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoredCardsService } from '../../../src/modules/payments/stored-cards.service.ts';
import { onPostgres } from '../../helpers/db.ts';
import { CARDS, type Harness, returnUrls, startHarness } from './harness.ts';

describe(`stored cards (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  let cards: ReturnType<typeof createStoredCardsService>;
  beforeAll(async () => {
    h = await startHarness();
    cards = createStoredCardsService(h.t.db);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('saves, lists (default first), sets the default, deletes (default moves on)', async () => {
    const a = await cards.saveCard('driver-1', {
      pseudocardpan: CARDS.visa,
      maskedPan: '411111xxxxxx1111',
      brand: 'V',
      expiry: '3012',
    });
    const b = await cards.saveCard('driver-1', {
      pseudocardpan: CARDS.mastercard,
      maskedPan: '550000xxxxxx0004',
      brand: 'M',
      expiry: '2911',
    });
    if (!a.ok || !b.ok) throw new Error('save');
    expect(a.value.is_default).toBe(true);
    expect(b.value.is_default).toBe(false);
    expect(JSON.stringify(await cards.listCards('driver-1'))).not.toContain(CARDS.visa); // views never show the token
    const d = await cards.setDefaultCard('driver-1', b.value.id);
    expect(d.ok && d.value.is_default).toBe(true);
    expect((await cards.listCards('driver-1')).map((c) => [c.id, c.is_default])).toEqual([
      [b.value.id, true],
      [a.value.id, false],
    ]);
    expect(await cards.setDefaultCard('driver-2', a.value.id)).toMatchObject({
      ok: false,
      error: { code: 'CARD_NOT_FOUND' },
    });
    expect(await cards.deleteCard('driver-2', a.value.id)).toMatchObject({ ok: false });
    expect((await cards.deleteCard('driver-1', b.value.id)).ok).toBe(true);
    expect(await cards.listCards('driver-1')).toMatchObject([{ id: a.value.id, is_default: true }]);
  });

  it('refuses a full PAN as masked number', async () => {
    const r = await cards.saveCard('driver-3', {
      pseudocardpan: CARDS.visa,
      maskedPan: '4111111111111111',
      brand: 'V',
      expiry: '3012',
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('stores a card on the first authorized payment and charges it later merchant-initiated', async () => {
    const first = await h.service.preauthorize({
      sessionRef: 'oneclick-1',
      ownerRef: 'driver-9',
      amount: 3000,
      currency: 'EUR',
      card: { pseudocardpan: CARDS.mastercard, store: { maskedPan: '550000xxxxxx0004', brand: 'M', expiry: '2911' } },
      returnUrls,
    });
    expect(first.ok && first.value.state).toBe('pre_authorized');
    const [card] = await cards.listCards('driver-9');
    expect(card).toMatchObject({ masked_pan: '550000xxxxxx0004', is_default: true });
    const mit = await h.service.preauthorize({
      sessionRef: 'oneclick-2',
      ownerRef: 'driver-9',
      amount: 2000,
      currency: 'EUR',
      card: { storedCardId: card!.id },
      returnUrls: null,
    });
    expect(mit.ok && mit.value.state).toBe('pre_authorized');
    if (!mit.ok) return;
    const detail = await h.service.getPayment(mit.value.id);
    const request = detail.ok ? detail.value.timeline.find((e) => e.type === 'request') : undefined;
    expect((request?.data as { params: Record<string, string> } | undefined)?.params).toMatchObject({
      recurrence: 'recurring',
      customer_is_present: 'no',
      pseudocardpan: '***************0004',
    });
    const other = await h.service.preauthorize({
      sessionRef: 'oneclick-3',
      ownerRef: 'someone-else',
      amount: 2000,
      currency: 'EUR',
      card: { storedCardId: card!.id },
      returnUrls: null,
    });
    expect(other).toMatchObject({ ok: false, error: { code: 'CARD_NOT_FOUND' } });
  });
});
