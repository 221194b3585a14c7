// OneClick stored cards (API side): list, delete, set default. Only PAYONE pseudo card PANs and masked numbers
// are kept; the pseudo card PAN never leaves this module (views show the masked PAN).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { CardRow } from './payments.repository.ts';

export interface StoredCardView {
  id: string;
  masked_pan: string;
  brand: string;
  expiry: string;
  is_default: boolean;
  created_at: string;
}

export type CardResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: 'CARD_NOT_FOUND' | 'INVALID_INPUT'; message: string } };

const view = (r: CardRow): StoredCardView => ({
  id: r.id,
  masked_pan: r.masked_pan,
  brand: r.brand,
  expiry: r.expiry,
  is_default: r.is_default,
  created_at: new Date(r.created_at).toISOString(),
});

export function createStoredCardsService(db: Kysely<Database>) {
  async function listCards(ownerRef: string): Promise<StoredCardView[]> {
    const rows = await db
      .selectFrom('stored_cards')
      .selectAll()
      .where('owner_ref', '=', ownerRef)
      .orderBy('is_default', 'desc')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(view);
  }

  /** Saves a card PAYONE tokenized (creditcardcheck with storecarddata=yes). The first card becomes default. */
  async function saveCard(
    ownerRef: string,
    c: { pseudocardpan: string; maskedPan: string; brand: string; expiry: string },
  ): Promise<CardResult<StoredCardView>> {
    if (!/^\d{10,25}$/.test(c.pseudocardpan))
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'pseudocardpan must be digits' } };
    // A full PAN must never be stored: the masked number must actually be masked.
    if (!/^\d{0,6}[xX*]+\d{0,4}$/.test(c.maskedPan))
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'maskedPan must be masked (e.g. 411111xxxxxx1111)' },
      };
    if (!/^\d{4}$/.test(c.expiry))
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'expiry must be YYMM' } };
    const row = await db.transaction().execute(async (tx) => {
      const has = await tx
        .selectFrom('stored_cards')
        .select('id')
        .where('owner_ref', '=', ownerRef)
        .limit(1)
        .executeTakeFirst();
      return tx
        .insertInto('stored_cards')
        .values({
          id: randomUUID(),
          owner_ref: ownerRef,
          pseudocardpan: c.pseudocardpan,
          masked_pan: c.maskedPan,
          brand: c.brand,
          expiry: c.expiry,
          is_default: !has,
        })
        .onConflict((oc) =>
          oc.columns(['owner_ref', 'pseudocardpan']).doUpdateSet({ expiry: c.expiry, masked_pan: c.maskedPan }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { ok: true, value: view(row) };
  }

  async function deleteCard(ownerRef: string, cardId: string): Promise<CardResult<null>> {
    return db.transaction().execute(async (tx) => {
      const gone = await tx
        .deleteFrom('stored_cards')
        .where('owner_ref', '=', ownerRef)
        .where('id', '=', cardId)
        .returning('is_default')
        .executeTakeFirst();
      if (!gone) return { ok: false, error: { code: 'CARD_NOT_FOUND', message: 'no such card' } } as const;
      if (gone.is_default) {
        const next = await tx
          .selectFrom('stored_cards')
          .select('id')
          .where('owner_ref', '=', ownerRef)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (next) await tx.updateTable('stored_cards').set({ is_default: true }).where('id', '=', next.id).execute();
      }
      return { ok: true, value: null } as const;
    });
  }

  async function setDefaultCard(ownerRef: string, cardId: string): Promise<CardResult<StoredCardView>> {
    return db.transaction().execute(async (tx) => {
      const card = await tx
        .selectFrom('stored_cards')
        .selectAll()
        .where('owner_ref', '=', ownerRef)
        .where('id', '=', cardId)
        .forUpdate()
        .executeTakeFirst();
      if (!card) return { ok: false, error: { code: 'CARD_NOT_FOUND', message: 'no such card' } } as const;
      await tx
        .updateTable('stored_cards')
        .set({ is_default: false })
        .where('owner_ref', '=', ownerRef)
        .where('is_default', '=', true)
        .execute();
      const row = await tx
        .updateTable('stored_cards')
        .set({ is_default: true })
        .where('id', '=', cardId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { ok: true, value: view(row) } as const;
    });
  }

  return { listCards, saveCard, deleteCard, setDefaultCard };
}
