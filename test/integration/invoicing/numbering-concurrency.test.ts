// Gapless numbers under concurrency: 20 issuers at once, some rolling back. Row locks only show on PostgreSQL
// (PGlite runs one transaction at a time), so this runs there only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InvoicingSettings, issueInvoice } from '../../../src/modules/invoicing/invoicing.service.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

const line = {
  description: 'Energy',
  category: 'energy' as const,
  quantity: '10',
  unit: 'kWh' as const,
  unit_price: '0.39',
  vat_rate: '19',
  net: '3.9',
};

describe.skipIf(!onPostgres)('invoice numbers under concurrency (PostgreSQL only: PGlite cannot show locking)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  const settings = (prefix: string): InvoicingSettings => ({
    seller: { name: 'S', address: 'A', vat_id: 'DE1' },
    numberPrefix: prefix,
    timeZone: 'Europe/Berlin',
    clock: () => new Date('2026-06-01T12:00:00Z'),
  });

  async function run(prefix: string, issuers: number, rollsBack: (i: number) => boolean) {
    const outcomes = await Promise.allSettled(
      Array.from({ length: issuers }, (_, i) =>
        db.db.transaction().execute(async (trx) => {
          const r = await issueInvoice(
            trx,
            { buyer: { email: `d${i}@example.org` }, lines: [line], currency: 'EUR' },
            settings(prefix),
          );
          if (!r.ok) throw new Error(r.error.message);
          // hold the counter lock a little while others queue behind it
          await new Promise((res) => setTimeout(res, 5 + ((i * 7) % 13)));
          if (rollsBack(i)) throw new Error(`issuer ${i} rolls back`);
          return r.invoice.number;
        }),
      ),
    );
    const committed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const rolledBack = outcomes.filter((o) => o.status === 'rejected');
    for (const o of rolledBack) expect(String((o as PromiseRejectedResult).reason)).toMatch(/rolls back/);
    const stored = await db.db
      .withTables<{ invoices: { number: string; prefix: string; sequence: string } }>()
      .selectFrom('invoices')
      .select(['number', 'sequence'])
      .where('prefix', '=', prefix)
      .orderBy('sequence')
      .execute();
    return { committed, rolledBack: rolledBack.length, stored };
  }

  it('20 concurrent issuers get 1..20 with no duplicates', async () => {
    const { committed, stored } = await run('CC-', 20, () => false);
    expect(new Set(committed).size).toBe(20);
    expect(stored.map((s) => Number(s.sequence))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect([...committed].sort()).toEqual(stored.map((s) => s.number));
  });

  it('with every third issuer rolling back, the committed numbers are still contiguous and none is lost', async () => {
    const { committed, rolledBack, stored } = await run('RB-', 20, (i) => i % 3 === 1);
    expect(rolledBack).toBe(7);
    expect(committed).toHaveLength(13);
    expect(stored.map((s) => Number(s.sequence))).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(stored[12]!.number).toBe('RB-2026-000013');
    // the next issue continues right after
    const next = await db.db
      .transaction()
      .execute((trx) =>
        issueInvoice(trx, { buyer: { email: 'x@example.org' }, lines: [line], currency: 'EUR' }, settings('RB-')),
      );
    expect(next.ok && next.invoice.number).toBe('RB-2026-000014');
  });
});
