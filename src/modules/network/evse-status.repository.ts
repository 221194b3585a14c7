// EVSE status changes (the OCPI status PATCH): applied in sets, one database call for many changes (a single change
// is a set of one). A change older than the stored EVSE is ignored; equal or newer ones are applied.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { EvseStatus } from './core/location.schema.ts';
import { utc } from './core/location.schema.ts';

type Db = Kysely<Database>;

export interface EvseStatusChange {
  country_code: string;
  party_id: string;
  location_id: string;
  evse_uid: string;
  status: EvseStatus;
  /** The OCPI DateTime as sent (stored as is in the objects). */
  last_updated: string;
}

/**
 * What happened to each change: `updated` (applied, or superseded by a newer change of the same batch that was
 * applied), `ignored` (older than the stored EVSE or than an earlier change of the batch), `not_found` (no such
 * location or EVSE; nothing was written for it).
 */
export type EvseStatusOutcome = 'updated' | 'ignored' | 'not_found';

const evseKey = (c: EvseStatusChange) =>
  `${c.country_code.toUpperCase()}*${c.party_id.toUpperCase()}*${c.location_id}*${c.evse_uid}`;

/**
 * Applies EVSE status changes in one statement (one transaction, or the caller's), whatever their number: the
 * database function (migrations/0010, last redefined in 0015) locks the touched locations (in key order, as every
 * writer of a location locks it first: no deadlocks between batches), updates the newest change per EVSE where it is
 * not older than the stored EVSE, then re-derives the search columns (availability counts, per-standard powers) and
 * last_updated of the locations that changed. The derivation mirrors core/search-columns.ts; the tests compare both.
 * Several changes of one EVSE: the newest wins (the last one sent among equal last_updated).
 */
export async function applyEvseStatusChanges(db: Db, changes: EvseStatusChange[]): Promise<EvseStatusOutcome[]> {
  const out: EvseStatusOutcome[] = new Array(changes.length).fill('not_found');
  if (changes.length === 0) return out;
  const at = changes.map((c) => Date.parse(utc(c.last_updated)));
  // Per EVSE, in arrival order: a change older than an earlier one of the batch is ignored (as it would be one
  // at a time); the winner is the newest, the last sent among equals.
  const groups = new Map<string, { items: number[]; winner: number }>();
  const ignoredInBatch = new Array<boolean>(changes.length).fill(false);
  for (let i = 0; i < changes.length; i++) {
    const k = evseKey(changes[i]!);
    const g = groups.get(k);
    if (!g) groups.set(k, { items: [i], winner: i });
    else {
      if (at[i]! < at[g.winner]!) ignoredInBatch[i] = true;
      else g.winner = i;
      g.items.push(i);
    }
  }
  const winners = [...groups.values()].map((g) => g.winner);
  // One call (migrations/0010): lock the locations, update the EVSEs, re-derive the locations' search columns.
  const r = await sql<{ n: number; old_at: Date; applied: boolean }>`
    select n, old_at, applied from network_apply_evse_statuses(
      ${winners.map((i) => changes[i]!.country_code.toUpperCase())}::text[],
      ${winners.map((i) => changes[i]!.party_id.toUpperCase())}::text[],
      ${winners.map((i) => changes[i]!.location_id)}::text[],
      ${winners.map((i) => changes[i]!.evse_uid)}::text[],
      ${winners.map((i) => changes[i]!.status)}::text[],
      ${winners.map((i) => utc(changes[i]!.last_updated))}::timestamptz[],
      ${winners.map((i) => changes[i]!.last_updated)}::text[],
      ${winners}::int[])`.execute(db);
  const stored = new Map<number, { old_at: Date; applied: boolean }>();
  for (const row of r.rows) stored.set(Number(row.n), { old_at: row.old_at, applied: row.applied });
  for (const g of groups.values()) {
    const s = stored.get(g.winner);
    for (const i of g.items) {
      if (!s) out[i] = 'not_found';
      else if (ignoredInBatch[i] || !s.applied || at[i]! < s.old_at.getTime()) out[i] = 'ignored';
      else out[i] = 'updated';
    }
  }
  return out;
}
