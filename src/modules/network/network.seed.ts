// Seeds the generated demo network into an empty database (no parties yet), atomically.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { generateDemoNetwork } from './core/demo-network.ts';
import { hasParties, upsertLocations, upsertParties, upsertTariffs } from './network.repository.ts';

export interface SeedOptions {
  locations: number;
  seed: number;
  log: (msg: string) => void;
  /** Locations generated and written per batch. */
  batchSize?: number;
}

/**
 * Writes the demo network when the database has no parties; a second start finds them and does nothing.
 * One transaction: a crash mid-seed leaves nothing behind, and an advisory lock keeps two starting processes
 * from seeding twice. Returns whether it seeded.
 */
export async function seedDemoNetworkIfEmpty(db: Kysely<Database>, opts: SeedOptions): Promise<boolean> {
  if (await hasParties(db)) {
    opts.log('network: parties exist, demo network not seeded');
    return false;
  }
  const started = Date.now();
  const network = generateDemoNetwork({ locations: opts.locations, seed: opts.seed });
  const seeded = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(7401002)`.execute(trx);
    if (await hasParties(trx)) return false;
    await upsertParties(trx, network.parties);
    await upsertTariffs(trx, network.tariffs);
    let done = 0;
    let evses = 0;
    let nextLog = 0.1;
    for (const batch of network.batches(opts.batchSize ?? 1000)) {
      await upsertLocations(trx, batch);
      done += batch.length;
      for (const l of batch) evses += l.evses?.length ?? 0;
      if (done / network.size >= nextLog && done < network.size) {
        opts.log(`network: seeding demo network… ${done}/${network.size} locations`);
        while (done / network.size >= nextLog) nextLog += 0.1;
      }
    }
    opts.log(
      `network: seeded demo network (seed ${opts.seed}): ${network.parties.length} parties, ${network.tariffs.length} tariffs, ` +
        `${network.size} locations, ${evses} EVSEs in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return true;
  });
  return seeded;
}
