// Test databases: PostgreSQL when DATABASE_URL is set (a fresh database per call, dropped afterwards),
// otherwise an in-memory PGlite. Both get the real migrations.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrations.ts';

export interface TestDatabase extends DatabaseHandle {
  /** The URL of the fresh PostgreSQL database, when on PostgreSQL. */
  url?: string;
}

export const onPostgres = Boolean(process.env.DATABASE_URL);

export async function openTestDatabase(poolSize?: number): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const handle = await openDatabase({ dataDir: 'memory://' });
    await migrate(handle);
    return handle;
  }
  const name = `lataus_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({
    databaseUrl: url.toString(),
    dataDir: 'unused',
    ...(poolSize ? { poolSize } : {}),
  });
  await migrate(handle);
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
