import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREPARE } from '../../../src/platform/db/database.ts';
import { migrate } from '../../../src/platform/db/migrations.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

describe(`database on ${onPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase();
  });
  afterAll(async () => {
    await t.close();
  });

  it('applies migrations once; a second run applies nothing', async () => {
    expect(await migrate(t)).toEqual([]);
    const rows = await t.db.selectFrom('parties').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('refuses a migration edited after it was applied', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lataus-mig-'));
    fs.writeFileSync(path.join(dir, '0001_network.sql'), 'select 1;');
    await expect(migrate(t, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it('returns int8 as strings and reports affected rows on both backends', async () => {
    const r = await sql<{ n: string }>`select 9007199254740993::int8 as n`.execute(t.db);
    expect(r.rows[0]?.n).toBe('9007199254740993');
    await t.db
      .insertInto('parties')
      .values({ country_code: 'DE', party_id: 'AAA', name: 'A', website: null })
      .execute();
    const u = await t.db.updateTable('parties').set({ name: 'B' }).where('party_id', '=', 'AAA').executeTakeFirst();
    expect(u.numUpdatedRows).toBe(1n);
  });

  it('serialises concurrent read-modify-write transactions without lost updates', async () => {
    await t.db
      .insertInto('parties')
      .values({ country_code: 'DE', party_id: 'CNT', name: '0', website: null })
      .execute();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.db
          .transaction()
          .execute(async (trx) => {
            const row = await trx
              .selectFrom('parties')
              .select('name')
              .where('party_id', '=', 'CNT')
              .forUpdate()
              .executeTakeFirstOrThrow();
            await trx
              .updateTable('parties')
              .set({ name: String(Number(row.name) + 1) })
              .where('party_id', '=', 'CNT')
              .execute();
            if (i === 3) throw new Error('roll this one back');
          })
          .catch(() => undefined),
      ),
    );
    const row = await t.db.selectFrom('parties').select('name').where('party_id', '=', 'CNT').executeTakeFirstOrThrow();
    expect(row.name).toBe('7');
  });

  it('does not commit a transaction in which a statement failed', async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('parties')
          .values({ country_code: 'FI', party_id: 'TXN', name: 'x', website: null })
          .execute();
        await sql`select 1/0`.execute(trx).catch(() => undefined); // swallowed error: the transaction is aborted
      }),
    ).rejects.toThrow();
    const n = await t.db.selectFrom('parties').select('party_id').where('party_id', '=', 'TXN').execute();
    expect(n).toEqual([]);
  });

  it('runs PREPARE-marked statements as prepared statements on PostgreSQL, with their parameters', async () => {
    const marked = (n: number) => sql<{ n: number }>`${sql.raw(PREPARE)} select ${n}::int + 1 as n`;
    // Several connections of the pool may run it: every run must answer for its own parameter.
    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map(async (n) => (await marked(n).execute(t.db)).rows[0]?.n),
    );
    expect(answers).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    if (!onPostgres) return; // PGlite: the marker is only a comment
    const prepared = await t.db.connection().execute(async (conn) => {
      await marked(41).execute(conn);
      return sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(conn);
    });
    expect(prepared.rows.map((r) => r.statement)).toContainEqual(expect.stringContaining('select $1::int + 1 as n'));
  });
});
