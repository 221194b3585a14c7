// EVSE status changes applied in sets (the OCPI status PATCH at volume): one transaction for many changes, with
// set-based statements, instead of one transaction per change. Same rules as updateEvseStatus plus the ingest's
// last_updated check: a change older than the stored EVSE is ignored; equal or newer ones are applied.
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
const locationKey = (c: EvseStatusChange) =>
  `${c.country_code.toUpperCase()}*${c.party_id.toUpperCase()}*${c.location_id}`;

/**
 * Applies EVSE status changes in one transaction (or in the caller's), in four statements whatever their number:
 * lock the touched locations (in key order, as every writer of a location locks it first: no deadlocks between
 * batches), update the newest change per EVSE where it is not older than the stored EVSE, then re-derive the
 * search columns (availability counts, connector arrays) and last_updated of the locations that changed. The
 * derivation mirrors core/search-columns.ts like updateEvseStatus does; the tests compare both.
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
  const cols = (idx: number[]) => ({
    cc: idx.map((i) => changes[i]!.country_code.toUpperCase()),
    pid: idx.map((i) => changes[i]!.party_id.toUpperCase()),
    loc: idx.map((i) => changes[i]!.location_id),
  });

  const run = async (trx: Db) => {
    const locs = [...new Map(winners.map((i) => [locationKey(changes[i]!), i])).values()];
    const l = cols(locs);
    await sql`select 1 from locations l
      join unnest(${l.cc}::char(2)[], ${l.pid}::text[], ${l.loc}::text[]) as k(cc, pid, id)
        on l.country_code = k.cc and l.party_id = k.pid and l.id = k.id
      order by l.country_code, l.party_id, l.id
      for update of l`.execute(trx);
    const w = cols(winners);
    const r = await sql<{ n: number; old_at: Date; applied: boolean }>`
      with w as (
        select * from unnest(${w.cc}::char(2)[], ${w.pid}::text[], ${w.loc}::text[],
          ${winners.map((i) => changes[i]!.evse_uid)}::text[], ${winners.map((i) => changes[i]!.status)}::text[],
          ${winners.map((i) => utc(changes[i]!.last_updated))}::timestamptz[],
          ${winners.map((i) => changes[i]!.last_updated)}::text[], ${winners}::int[])
          as w(cc, pid, loc, uid, status, at, lu, n)
      ),
      cur as (
        select w.*, e.last_updated as old_at from w
        join evses e on e.country_code = w.cc and e.party_id = w.pid and e.location_id = w.loc and e.uid = w.uid
      ),
      upd as (
        update evses e set
          status = cur.status,
          object = jsonb_set(
            case when cur.at > e.last_updated
              then jsonb_set(e.object, '{last_updated}', to_jsonb(cur.lu)) else e.object end,
            '{status}', to_jsonb(cur.status)),
          last_updated = greatest(e.last_updated, cur.at)
        from cur
        where e.country_code = cur.cc and e.party_id = cur.pid and e.location_id = cur.loc and e.uid = cur.uid
          and cur.at >= e.last_updated
        returning cur.n
      )
      select cur.n, cur.old_at, (upd.n is not null) as applied from cur left join upd on upd.n = cur.n`.execute(trx);
    const stored = new Map<number, { old_at: Date; applied: boolean }>();
    for (const row of r.rows) stored.set(Number(row.n), { old_at: row.old_at, applied: row.applied });
    // The locations whose EVSEs changed: re-derive their search columns; last_updated = the newest change.
    const newest = new Map<string, number>();
    for (const i of winners) {
      if (!stored.get(i)?.applied) continue;
      const k = locationKey(changes[i]!);
      const j = newest.get(k);
      if (j === undefined || at[i]! > at[j]!) newest.set(k, i);
    }
    const touched = [...newest.values()];
    if (touched.length > 0) {
      const t = cols(touched);
      await sql`
        with t as (
          select * from unnest(${t.cc}::char(2)[], ${t.pid}::text[], ${t.loc}::text[],
            ${touched.map((i) => utc(changes[i]!.last_updated))}::timestamptz[],
            ${touched.map((i) => changes[i]!.last_updated)}::text[]) as t(cc, pid, loc, at, lu)
        )
        update locations l set
          evse_total = d.evse_total, evse_available = d.evse_available, evse_occupied = d.evse_occupied,
          max_power_w = d.max_power_w, conn_standards = d.conn_standards, conn_power_w = d.conn_power_w,
          conn_available = d.conn_available,
          object = case when t.at > l.last_updated
            then jsonb_set(l.object, '{last_updated}', to_jsonb(t.lu)) else l.object end,
          last_updated = greatest(l.last_updated, t.at)
        from t cross join lateral (
          select
            count(distinct e.uid) filter (where e.status <> 'REMOVED')::int as evse_total,
            count(distinct e.uid) filter (where e.status = 'AVAILABLE')::int as evse_available,
            count(distinct e.uid) filter (where e.status in ('CHARGING', 'BLOCKED', 'RESERVED'))::int as evse_occupied,
            coalesce(max(c.power_w) filter (where e.status <> 'REMOVED'), 0)::int as max_power_w,
            coalesce(array_agg(c.standard order by e.position, c.position) filter (where e.status <> 'REMOVED'), '{}') as conn_standards,
            coalesce(array_agg(c.power_w order by e.position, c.position) filter (where e.status <> 'REMOVED'), '{}') as conn_power_w,
            coalesce(array_agg(e.status = 'AVAILABLE' order by e.position, c.position) filter (where e.status <> 'REMOVED'), '{}') as conn_available
          from evses e join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
            and c.location_id = e.location_id and c.evse_uid = e.uid
          where e.country_code = t.cc and e.party_id = t.pid and e.location_id = t.loc
        ) d
        where l.country_code = t.cc and l.party_id = t.pid and l.id = t.loc`.execute(trx);
    }
    return stored;
  };

  const stored = db.isTransaction ? await run(db) : await db.transaction().execute(run);
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
