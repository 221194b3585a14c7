// Opens the database: PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite in DATA_DIR.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './lockfile.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type DbKind = 'postgres' | 'pglite';

/** A raw session for multi-statement SQL scripts (migrations), outside Kysely. */
export interface RawSession {
  exec(script: string): Promise<void>;
  query<R>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DbKind;
  /** Runs fn on one dedicated session (migrations, advisory locks). */
  withRawSession<T>(fn: (s: RawSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Statements that start with this comment run as named prepared statements on PostgreSQL (per connection, named by
 * a hash of their text): PostgreSQL then plans them once per connection instead of at every execution. For hot,
 * planning-heavy statements whose plan does not depend on the parameter values (station search, the payments'
 * compare-and-set writes and notification batches). A comment, so PGlite and EXPLAIN simply ignore it.
 */
export const PREPARE = '/* prepare */';

/** The pool Kysely uses, with PREPARE-marked statements sent as named prepared statements. */
function preparingPool(pool: pg.Pool): pg.Pool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `lataus_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      if (names.size > 1000) names.clear();
      names.set(text, name);
    }
    return name;
  };
  // One proxy per pooled client, so that Kysely (which keeps a connection object per client) sees the same one.
  const proxies = new WeakMap<pg.PoolClient, pg.PoolClient>();
  const wrap = (client: pg.PoolClient) => {
    let proxy = proxies.get(client);
    if (!proxy) {
      proxy = new Proxy(client, {
        get(target, key) {
          if (key === 'query')
            return (text: unknown, values?: unknown[]) =>
              typeof text === 'string' && text.startsWith(PREPARE)
                ? target.query({ name: nameOf(text), text, values })
                : target.query(text as string, values);
          const v = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      proxies.set(client, proxy);
    }
    return proxy;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  } as unknown as pg.Pool;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` for a throwaway in-memory database (tests). */
  dataDir: string;
  poolSize?: number;
  onIdleError?: (e: Error) => void;
}

export async function openDatabase(opts: DatabaseOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client that the server drops (restart, admin command) must not crash the process;
    // the pool discards it and the next checkout opens a new connection.
    pool.on('error', (e) => opts.onIdleError?.(e));
    // Fail fast with a clear message when the server cannot be reached.
    const client = await pool.connect().catch((e: Error) => {
      throw new Error(`Cannot connect to PostgreSQL at DATABASE_URL: ${e.message}`);
    });
    client.release();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
    return {
      db,
      kind: 'postgres',
      async withRawSession(fn) {
        const c = await pool.connect();
        try {
          return await fn({
            exec: async (script) => {
              await c.query(script); // no parameters: simple protocol, several statements allowed
            },
            query: async (text, params) => (await c.query(text, params)).rows,
          });
        } finally {
          c.release();
        }
      },
      close: () => db.destroy(),
    };
  }
  const inMemory = opts.dataDir.startsWith('memory://');
  const release = inMemory ? () => {} : lockDataDir(opts.dataDir);
  try {
    const pglite = await PGlite.create({
      dataDir: inMemory ? opts.dataDir : path.join(opts.dataDir, 'pglite'),
      // Same value types as node-postgres: int8 as string (not number/BigInt).
      parsers: { [types.INT8]: (v: string) => v },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      kind: 'pglite',
      // Runs through a Kysely connection so that it holds the PGlite mutex.
      withRawSession: (fn) =>
        db.connection().execute(() =>
          fn({
            exec: async (script) => {
              await pglite.exec(script);
            },
            query: async <R>(text: string, params?: unknown[]) => (await pglite.query<R>(text, params)).rows,
          }),
        ),
      close: async () => {
        await db.destroy();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
