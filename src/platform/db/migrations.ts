// Forward-only SQL migrations from migrations/NNNN_name.sql, each applied once in its own transaction.
// A checksum guards against editing a migration that has already been applied.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseHandle } from './database.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function readMigrations(dir: string): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Applies pending migrations; returns the names applied. Safe to run from several processes at once. */
export async function migrate(handle: DatabaseHandle, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = readMigrations(dir);
  return handle.withRawSession(async (s) => {
    await s.exec('select pg_advisory_lock(7401001)');
    try {
      await s.exec(`create table if not exists schema_migrations (
        name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
      const done = new Map(
        (await s.query<{ name: string; checksum: string }>('select name, checksum from schema_migrations')).map((r) => [
          r.name,
          r.checksum,
        ]),
      );
      const applied: string[] = [];
      for (const m of migrations) {
        const seen = done.get(m.name);
        if (seen) {
          if (seen !== m.checksum)
            throw new Error(`Migration ${m.name} was changed after it was applied; add a new migration instead`);
          continue;
        }
        await s.exec('begin');
        try {
          await s.exec(m.sql);
          await s.query('insert into schema_migrations (name, checksum) values ($1, $2)', [m.name, m.checksum]);
          await s.exec('commit');
        } catch (e) {
          await s.exec('rollback');
          throw new Error(`Migration ${m.name} failed: ${(e as Error).message}`);
        }
        applied.push(m.name);
      }
      return applied;
    } finally {
      await s.exec('select pg_advisory_unlock(7401001)');
    }
  });
}
