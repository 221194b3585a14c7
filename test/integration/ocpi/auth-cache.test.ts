// The OCPI token cache: requests that arrive together while a token is looked up share one lookup (under load the
// lookup can take longer than the cache's lifetime, and every request would read the database again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerAuthCache } from '../../../src/modules/roaming/index.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

describe(`partner token cache (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let t: TestDatabase;
  let reads = 0;
  let cache: PartnerAuthCache;
  beforeAll(async () => {
    t = await openTestDatabase();
    const counted = new Proxy(t.db, {
      get(target, prop) {
        if (prop === 'withTables') reads++; // each query of the lookup starts there
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    cache = new PartnerAuthCache(counted as never);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('requests arriving together share one lookup, later ones use the cached answer', async () => {
    reads = 0;
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.get('unknown-token-hash')));
    expect(answers.every((a) => a === null)).toBe(true);
    expect(reads).toBe(1);
    await cache.get('unknown-token-hash');
    expect(reads).toBe(1);
  });

  it('a lookup under way when the credentials change is not kept', async () => {
    reads = 0;
    const before = cache.get('another-token-hash');
    cache.invalidate();
    expect(await before).toBeNull();
    await cache.get('another-token-hash');
    expect(reads).toBe(2);
  });
});
