// Throwaway PostgreSQL databases for benchmarks: created beside the one DATABASE_URL names, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

async function admin(baseUrl: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/** Creates `<prefix>_<random>` and returns its URL. */
export async function createDatabase(baseUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin(baseUrl, `create database ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(baseUrl: string, url: string): Promise<void> {
  await admin(baseUrl, `drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
}
