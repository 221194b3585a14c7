// Pull client: a partner's locations, tariffs, sessions and CDRs through its Sender interfaces — a first full sync
// and periodic deltas (date_from = last synced window end, date_to = this window's end), following `Link` page by
// page. The cursor (next page URL) is persisted after every page, so a crash resumes where it stopped; a lease
// (locked_until, FOR UPDATE SKIP LOCKED) keeps two workers from running the same cursor.
import { sql } from 'kysely';
import { OcpiError } from '../../ocpi/core/envelope.ts';
import { nextLink } from '../../ocpi/core/pagination.ts';
import type { RoamingContext } from './context.ts';
import { endpointUrl } from './core/endpoints.ts';
import { postCdr, putLocation, putSession, putTariff, removeTariff } from './ingest.service.ts';
import { dataOf, ocpiCall } from './ocpi-client.ts';
import { getPartner, logPartnerEvent, type Partner } from './partners.repository.ts';
import { type Db, rdb } from './roaming.tables.ts';

export const SYNC_MODULES = ['locations', 'tariffs', 'sessions', 'cdrs'] as const;
export type SyncModule = (typeof SYNC_MODULES)[number];
export type SyncMode = 'FULL' | 'DELTA';

const LEASE_MS = 120_000;
const MAX_ATTEMPTS = 5;
/** Sessions GET requires date_from; a full sync asks from the epoch. */
const EPOCH = '1970-01-01T00:00:00Z';

/** Queues a sync of the given modules (a running one is left alone; it continues). */
export async function queueSync(
  db: Db,
  partnerId: string,
  mode: SyncMode,
  modules: readonly SyncModule[] = SYNC_MODULES,
): Promise<void> {
  for (const module of modules) {
    await sql`
      insert into ocpi_sync_cursors (partner_id, module, status, mode)
      values (${partnerId}, ${module}, 'QUEUED', ${mode})
      on conflict (partner_id, module) do update set
        status = 'QUEUED', mode = excluded.mode, next_url = null, window_from = null, window_to = null,
        pages = 0, objects = 0, rejected = 0, attempts = 0, locked_until = null, last_error = null
      where ocpi_sync_cursors.status <> 'RUNNING'`.execute(db);
  }
}

export async function syncCursors(db: Db, partnerId: string) {
  return rdb(db)
    .selectFrom('ocpi_sync_cursors')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('module')
    .execute();
}

interface Claimed {
  partner_id: string;
  module: SyncModule;
  mode: SyncMode;
  next_url: string | null;
  window_from: Date | null;
  window_to: Date;
  attempts: number;
}

async function claim(db: Db, partnerId?: string): Promise<Claimed | null> {
  return db.transaction().execute(async (trx) => {
    const r = await sql<{ partner_id: string; module: SyncModule }>`
      select partner_id, module from ocpi_sync_cursors
      where status in ('QUEUED', 'RUNNING') and (locked_until is null or locked_until < now())
        and (${partnerId ?? null}::uuid is null or partner_id = ${partnerId ?? null}::uuid)
      order by started_at nulls first limit 1 for update skip locked`.execute(trx);
    const row = r.rows[0];
    if (!row) return null;
    // A fresh run fixes its window: from the last synced end (DELTA) to now.
    const u = await sql<Claimed>`
      update ocpi_sync_cursors set
        status = 'RUNNING',
        locked_until = now() + make_interval(secs => ${LEASE_MS / 1000}),
        started_at = case when status = 'QUEUED' then now() else started_at end,
        window_to = coalesce(window_to, now()),
        window_from = case when status = 'QUEUED' and mode = 'DELTA' then synced_to else window_from end
      where partner_id = ${row.partner_id} and module = ${row.module}
      returning partner_id, module, mode, next_url, window_from, window_to, attempts`.execute(trx);
    return u.rows[0] ?? null;
  });
}

function firstUrl(base: string, c: Claimed): string {
  const u = new URL(base);
  const from = c.window_from ? c.window_from.toISOString() : c.module === 'sessions' ? EPOCH : undefined;
  if (from) u.searchParams.set('date_from', from);
  u.searchParams.set('date_to', c.window_to.toISOString());
  u.searchParams.set('offset', '0');
  return u.toString();
}

async function ingestOne(
  ctx: RoamingContext,
  partner: Partner,
  parties: Set<string>,
  module: SyncModule,
  obj: unknown,
): Promise<void> {
  const o = (obj ?? {}) as { country_code?: unknown; party_id?: unknown; id?: unknown };
  if (module === 'cdrs') {
    await postCdr(ctx, partner.id, parties, obj);
    return;
  }
  const owner = { country_code: String(o.country_code ?? ''), party_id: String(o.party_id ?? '') };
  if (!parties.has(`${owner.country_code}*${owner.party_id}`.toUpperCase()))
    throw new OcpiError(2001, `object of ${owner.country_code}/${owner.party_id}, not a party of this partner`);
  const id = String(o.id ?? '');
  if (module === 'locations') await putLocation(ctx, owner, id, obj);
  else if (module === 'tariffs') await putTariff(ctx, owner, id, obj);
  else await putSession(ctx, partner.id, owner, id, obj);
}

export interface SyncStepResult {
  partner_id: string;
  module: SyncModule;
  pages: number;
  objects: number;
  rejected: number;
  done: boolean;
  error?: string;
}

/**
 * Claims one due cursor and pulls up to `maxPages` pages. Returns null when nothing is due.
 * `stopAfterPage` is a test hook that simulates a crash after a page (the cursor is kept RUNNING).
 */
export async function runSyncStep(
  ctx: RoamingContext,
  opts: { maxPages?: number; partnerId?: string; stopAfterPage?: number } = {},
): Promise<SyncStepResult | null> {
  const c = await claim(ctx.db, opts.partnerId);
  if (!c) return null;
  const res: SyncStepResult = {
    partner_id: c.partner_id,
    module: c.module,
    pages: 0,
    objects: 0,
    rejected: 0,
    done: false,
  };
  const partner = await getPartner(ctx.db, c.partner_id);
  const base = partner ? endpointUrl(partner, c.module, 'SENDER') : null;
  const key = sql`partner_id = ${c.partner_id} and module = ${c.module}`;
  if (partner?.status !== 'REGISTERED' || !partner.outgoing_token || !base) {
    const why = !base ? `the partner has no ${c.module} Sender endpoint` : 'the partner is not registered';
    await sql`update ocpi_sync_cursors set status = 'IDLE', locked_until = null, last_error = ${why}, finished_at = now()
              where ${key}`.execute(ctx.db);
    return { ...res, done: true, error: why };
  }
  const parties = new Set(
    (
      await rdb(ctx.db)
        .selectFrom('ocpi_partner_parties')
        .select(['country_code', 'party_id'])
        .where('partner_id', '=', partner.id)
        .execute()
    ).map((p) => `${p.country_code}*${p.party_id}`.toUpperCase()),
  );
  const cpo = partner.roles.find((r) => r.role === 'CPO');
  // A FULL pull of tariffs or locations also finds the ones gone at the CPO (a missed DELETE push; a location the
  // CPO no longer lists): it records every id it is shown, from the first page on (a resumed pull keeps what
  // earlier pages recorded).
  const tracksDeletes = c.mode === 'FULL' && (c.module === 'tariffs' || c.module === 'locations');
  const seenKey = sql`partner_id = ${c.partner_id} and module = ${c.module}`;
  if (tracksDeletes && !c.next_url) await sql`delete from ocpi_sync_seen where ${seenKey}`.execute(ctx.db);
  let url: string | null = c.next_url ?? firstUrl(base, c);
  const maxPages = opts.maxPages ?? 1000;
  try {
    while (url && res.pages < maxPages) {
      const reply = await ocpiCall(
        {
          method: 'GET',
          url,
          token: partner.outgoing_token,
          encoding: partner.outgoing_token_encoding,
          from: { country_code: ctx.settings.countryCode, party_id: ctx.settings.partyId },
          ...(cpo ? { to: { country_code: cpo.country_code, party_id: cpo.party_id } } : {}),
          timeoutMs: ctx.settings.httpTimeoutMs,
        },
        ctx.fetch,
      );
      const data = dataOf(reply, `GET ${c.module}`);
      const list = Array.isArray(data) ? data : [];
      let rejected = 0;
      const errors: string[] = [];
      for (const obj of list) {
        try {
          await ingestOne(ctx, partner, parties, c.module, obj);
        } catch (e) {
          if (!(e instanceof OcpiError)) throw e;
          rejected++;
          if (errors.length < 3) errors.push(`${(obj as { id?: string })?.id ?? '?'}: ${e.message}`);
        }
      }
      if (tracksDeletes) await recordSeen(ctx.db, c, list);
      if (errors.length)
        await logPartnerEvent(
          ctx.db,
          partner.id,
          'error',
          `sync_${c.module}`,
          `${rejected} rejected: ${errors.join(' | ')}`,
        );
      // Link is absolute per spec; resolve a relative one against the page URL to be lenient.
      const next = nextLink(reply.headers.get('link'));
      url = next ? new URL(next, url).toString() : null;
      res.pages++;
      res.objects += list.length - rejected;
      res.rejected += rejected;
      await sql`update ocpi_sync_cursors set next_url = ${url}, pages = pages + 1, objects = objects + ${list.length - rejected},
                rejected = rejected + ${rejected}, attempts = 0,
                locked_until = now() + make_interval(secs => ${LEASE_MS / 1000})
                where ${key}`.execute(ctx.db);
      if (opts.stopAfterPage !== undefined && res.pages >= opts.stopAfterPage && url) return res;
      if (list.length === 0 && url) break; // a Link with an empty page would loop forever
    }
    if (url) {
      // Page budget used up: release the lease so the next step continues from next_url.
      await sql`update ocpi_sync_cursors set locked_until = null where ${key}`.execute(ctx.db);
      return res;
    }
    const removed = tracksDeletes ? await removeUnseen(ctx, c, parties) : 0;
    await sql`update ocpi_sync_cursors set status = 'IDLE', next_url = null, synced_to = window_to, window_to = null,
              window_from = null, locked_until = null, finished_at = now(), last_success_at = now(), last_error = null
              where ${key}`.execute(ctx.db);
    await logPartnerEvent(
      ctx.db,
      partner.id,
      'info',
      `sync_${c.module}`,
      `${c.mode} sync of ${c.module} done: ${res.objects} objects, ${res.rejected} rejected in ${res.pages} pages` +
        (removed
          ? `; ${removed} ${c.module === 'locations' ? 'hidden' : 'removed'} (no longer in the partner's list)`
          : ''),
    );
    return { ...res, done: true };
  } catch (e) {
    const message = (e as Error).message;
    const attempts = c.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) {
      await sql`update ocpi_sync_cursors set status = 'FAILED', attempts = ${attempts}, last_error = ${message},
                locked_until = null, finished_at = now() where ${key}`.execute(ctx.db);
    } else {
      // Keep RUNNING with next_url: resume after a backoff.
      await sql`update ocpi_sync_cursors set attempts = ${attempts}, last_error = ${message},
                locked_until = now() + make_interval(secs => ${30 * 2 ** (attempts - 1)}) where ${key}`.execute(ctx.db);
    }
    await logPartnerEvent(ctx.db, partner.id, 'error', `sync_${c.module}`, message);
    return { ...res, error: message };
  }
}

/** Records the ids of a page's objects, valid or not (a malformed tariff is not a deleted one). */
async function recordSeen(db: Db, c: Claimed, list: unknown[]): Promise<void> {
  const rows = list.flatMap((o) => {
    const x = (o ?? {}) as { country_code?: unknown; party_id?: unknown; id?: unknown };
    if (typeof x.country_code !== 'string' || typeof x.party_id !== 'string' || typeof x.id !== 'string') return [];
    if (x.country_code.length !== 2 || x.party_id.length > 3 || !x.party_id || !x.id || x.id.length > 36) return [];
    const row = {
      partner_id: c.partner_id,
      module: c.module,
      country_code: x.country_code.toUpperCase(),
      party_id: x.party_id.toUpperCase(),
      id: x.id,
    };
    return [row];
  });
  if (rows.length)
    await rdb(db)
      .insertInto('ocpi_sync_seen')
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute();
}

/**
 * After a FULL pull: what the partner's list did not show, except what changed after the pull's window (pushed
 * while it ran). Tariffs are removed; locations are hidden from drivers (publish = false, the stored object kept:
 * sessions and CDRs refer to it, and the next PUT or pull that shows it again publishes it as the CPO says). An
 * empty list changes nothing (more likely a broken endpoint).
 */
async function removeUnseen(ctx: RoamingContext, c: Claimed, parties: Set<string>): Promise<number> {
  const key = sql`partner_id = ${c.partner_id} and module = ${c.module}`;
  const seen = await sql<{ n: string }>`select count(*) as n from ocpi_sync_seen where ${key}`.execute(ctx.db);
  let removed = 0;
  const unseen = (table: 'tariffs' | 'locations') => sql`
    ${sql.table(table)}.country_code || '*' || ${sql.table(table)}.party_id = any(${[...parties]}::text[])
    and ${sql.table(table)}.last_updated < ${c.window_to}
    and not exists (select 1 from ocpi_sync_seen s where s.partner_id = ${c.partner_id} and s.module = ${c.module}
                    and s.country_code = ${sql.table(table)}.country_code
                    and s.party_id = ${sql.table(table)}.party_id and s.id = ${sql.table(table)}.id)`;
  if (Number(seen.rows[0]?.n ?? 0) > 0 && c.module === 'tariffs') {
    const stale = await sql<{ country_code: string; party_id: string; id: string }>`
      select country_code, party_id, id from tariffs where ${unseen('tariffs')}`.execute(ctx.db);
    for (const t of stale.rows) {
      try {
        await removeTariff(ctx, { country_code: t.country_code, party_id: t.party_id }, t.id);
        removed++;
      } catch (e) {
        if (!(e instanceof OcpiError)) throw e; // already gone
      }
    }
  }
  if (Number(seen.rows[0]?.n ?? 0) > 0 && c.module === 'locations') {
    const r = await sql`update locations set publish = false where publish and ${unseen('locations')}`.execute(ctx.db);
    removed = Number(r.numAffectedRows ?? 0);
  }
  await sql`delete from ocpi_sync_seen where ${key}`.execute(ctx.db);
  return removed;
}

/** Runs steps until nothing is due (tests, admin "sync now"). */
export async function runSyncUntilIdle(
  ctx: RoamingContext,
  partnerId?: string,
  maxSteps = 100,
): Promise<SyncStepResult[]> {
  const out: SyncStepResult[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const r = await runSyncStep(ctx, partnerId ? { partnerId } : {});
    if (!r) break;
    out.push(r);
    if (r.error && !r.done) break;
  }
  return out;
}

/** Queues periodic delta syncs (interval with ±10 % jitter) for registered partners. */
export async function scheduleSyncs(ctx: RoamingContext): Promise<number> {
  const minutes = ctx.settings.syncIntervalMinutes;
  const partners = await rdb(ctx.db)
    .selectFrom('ocpi_partners')
    .select('id')
    .where('status', '=', 'REGISTERED')
    .execute();
  let queued = 0;
  for (const p of partners) {
    const cursors = await syncCursors(ctx.db, p.id);
    for (const module of SYNC_MODULES) {
      const cur = cursors.find((x) => x.module === module);
      if (cur && (cur.status === 'QUEUED' || cur.status === 'RUNNING')) continue;
      const jitter = 0.9 + Math.random() * 0.2;
      const dueAt = (cur?.last_success_at?.getTime() ?? cur?.finished_at?.getTime() ?? 0) + minutes * 60_000 * jitter;
      if (Date.now() < dueAt) continue;
      await queueSync(ctx.db, p.id, cur?.synced_to ? 'DELTA' : 'FULL', [module]);
      queued++;
    }
  }
  return queued;
}
