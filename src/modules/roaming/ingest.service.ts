// Receiving a CPO's objects — pushed to our Receiver interfaces or pulled from its Sender interfaces: Locations
// (location/EVSE/connector level), Tariffs, Sessions and CDRs. Every object is validated before anything is
// stored (an invalid one is an OcpiError 2001 and changes nothing); pushes are idempotent; an object older than
// the stored one (`last_updated`) is ignored; CDRs are immutable and audited after they are stored.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { invalid, issuesMessage, OcpiError, OcpiStatus } from '../../ocpi/core/envelope.ts';
import { isOlder, later } from '../../ocpi/core/last-updated.ts';
import {
  applyEvseStatusChanges,
  applyLocationPatch,
  deleteTariff as deleteStoredTariff,
  type Evse,
  type EvseStatusChange,
  getLocation,
  getLocationTimeZone,
  getParty,
  getTariff,
  type Location,
  locationTimeZoneSql,
  lockLocationForIngest,
  parseConnector,
  parseEvse,
  parseEvsePatch,
  parseLocation,
  upsertLocation,
  upsertParty,
  upsertTariff,
} from '../network/index.ts';

import { parseTariff, type Tariff } from '../tariffs/index.ts';
import type { RoamingContext } from './context.ts';
import { auditCdrCosts, countryTimeZone } from './core/cdr-audit.ts';
import { type Cdr, parseCdr, parseSession, parseSessionPatch, type Session } from './core/ocpi-objects.schema.ts';
import { type Db, rdb } from './roaming.tables.ts';

export interface Owner {
  country_code: string;
  party_id: string;
}

/** What happened to a pushed object. `ignored` = older than the stored one (not an error for the sender). */
export type IngestResult = 'created' | 'updated' | 'ignored';

const same = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

function checkIdentity(what: string, body: Owner & { id?: string }, owner: Owner, id?: string): void {
  if (!same(body.country_code, owner.country_code) || !same(body.party_id, owner.party_id))
    throw invalid(
      `${what} country_code/party_id (${body.country_code}/${body.party_id}) differ from the URL (${owner.country_code}/${owner.party_id})`,
    );
  if (id !== undefined && body.id !== undefined && !same(body.id, id))
    throw invalid(`${what} id "${body.id}" differs from the id "${id}" in the URL`);
}

/** Retries a transaction once on a deadlock or serialization failure (concurrent pushes to one location). */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt < 2 && (code === '40P01' || code === '40001' || code === '23505')) continue;
      throw e;
    }
  }
}

const knownParties = new Set<string>();
/** Makes sure the owning party exists in the network's parties (a Hub or a multi-party CPO may add parties). */
async function ensureParty(db: Db, owner: Owner): Promise<void> {
  const key = `${owner.country_code}*${owner.party_id}`.toUpperCase();
  if (knownParties.has(key)) return;
  if (!(await getParty(db, owner))) {
    await upsertParty(db, { ...owner, name: key, role: 'CPO', integrated: true });
  }
  knownParties.add(key);
}

const unknownLocation = (owner: Owner, id: string) =>
  new OcpiError(OcpiStatus.UNKNOWN_LOCATION, `Unknown location ${owner.country_code}/${owner.party_id}/${id}`, 404);

// ---------------------------------------------------------------------------------------------- locations

export interface LocationTarget {
  location_id: string;
  evse_uid?: string | undefined;
  connector_id?: string | undefined;
}

/** PUT at location, EVSE or connector level. */
export async function putLocationObject(
  ctx: RoamingContext,
  owner: Owner,
  target: LocationTarget,
  body: unknown,
): Promise<IngestResult> {
  if (target.evse_uid === undefined) return putLocation(ctx, owner, target.location_id, body);
  return putEvseOrConnector(ctx, owner, { ...target, evse_uid: target.evse_uid }, body);
}

export async function putLocation(ctx: RoamingContext, owner: Owner, id: string, body: unknown): Promise<IngestResult> {
  const p = parseLocation(body);
  if (!p.ok) throw invalid(issuesMessage('Location', p.errors));
  const location = p.location;
  checkIdentity('Location', location, owner, id);
  await ensureParty(ctx.db, owner);
  return retrying(() =>
    ctx.db.transaction().execute(async (trx) => {
      const lock = await lockLocationForIngest(trx, { ...owner, id: location.id });
      if (lock && isOlder(location.last_updated, lock.location_last_updated)) return 'ignored';
      const r = await upsertLocation(trx, location, owner);
      if (!r.ok) throw invalid(r.message);
      return lock ? 'updated' : 'created';
    }),
  );
}

async function putEvseOrConnector(
  ctx: RoamingContext,
  owner: Owner,
  target: LocationTarget & { evse_uid: string },
  body: unknown,
): Promise<IngestResult> {
  const isConnector = target.connector_id !== undefined;
  let evse: Evse | undefined;
  let connector: Evse['connectors'][number] | undefined;
  if (isConnector) {
    const p = parseConnector(body);
    if (!p.ok) throw invalid(issuesMessage('Connector', p.errors));
    if (!same(p.value.id, target.connector_id!)) throw invalid(`Connector id "${p.value.id}" differs from the URL`);
    connector = p.value;
  } else {
    const p = parseEvse(body);
    if (!p.ok) throw invalid(issuesMessage('EVSE', p.errors));
    if (!same(p.value.uid, target.evse_uid)) throw invalid(`EVSE uid "${p.value.uid}" differs from the URL`);
    evse = p.value;
  }
  return retrying(() =>
    ctx.db.transaction().execute(async (trx) => {
      const key = { ...owner, id: target.location_id };
      const lock = await lockLocationForIngest(trx, { ...key, evse_uid: target.evse_uid });
      if (!lock) throw unknownLocation(owner, target.location_id);
      const location = (await getLocation(trx, key))!;
      const evses = location.evses ?? [];
      const i = evses.findIndex((e) => same(e.uid, target.evse_uid));
      let created = false;
      if (evse) {
        if (i >= 0 && isOlder(evse.last_updated, evses[i]!.last_updated)) return 'ignored';
        if (i >= 0) evses[i] = evse;
        else {
          evses.push(evse);
          created = true;
        }
        location.last_updated = later(location.last_updated, evse.last_updated);
      } else {
        const c = connector!;
        if (i < 0)
          throw new OcpiError(
            OcpiStatus.UNKNOWN_LOCATION,
            `Unknown EVSE ${target.location_id}/${target.evse_uid}`,
            404,
          );
        const parent = evses[i]!;
        const j = parent.connectors.findIndex((x) => same(x.id, c.id));
        if (j >= 0 && isOlder(c.last_updated, parent.connectors[j]!.last_updated)) return 'ignored';
        if (j >= 0) parent.connectors[j] = c;
        else {
          parent.connectors.push(c);
          created = true;
        }
        parent.last_updated = later(parent.last_updated, c.last_updated);
        location.last_updated = later(location.last_updated, c.last_updated);
      }
      location.evses = evses;
      const checked = parseLocation(location);
      if (!checked.ok) throw invalid(issuesMessage('Location after this change', checked.errors));
      const r = await upsertLocation(trx, checked.location, owner);
      if (!r.ok) throw invalid(r.message);
      return created ? 'created' : 'updated';
    }),
  );
}

/** One EVSE status change in its own transaction (outside the batches: unknown objects, a failed batch). */
async function patchEvseStatusAlone(
  ctx: RoamingContext,
  owner: Owner,
  change: EvseStatusChange,
): Promise<IngestResult> {
  const key = { ...owner, id: change.location_id };
  return retrying(() =>
    ctx.db.transaction().execute(async (trx) => {
      const lock = await lockLocationForIngest(trx, { ...key, evse_uid: change.evse_uid });
      if (!lock) throw unknownLocation(owner, change.location_id);
      if (!lock.evse_exists)
        throw new OcpiError(OcpiStatus.UNKNOWN_LOCATION, `Unknown EVSE ${change.location_id}/${change.evse_uid}`, 404);
      if (isOlder(change.last_updated, lock.evse_last_updated)) return 'ignored';
      // The batch function with one change (it takes the same lock again: held already, so nothing waits).
      const [outcome] = await applyEvseStatusChanges(trx, [change]);
      if (outcome === 'not_found')
        throw new OcpiError(OcpiStatus.UNKNOWN_LOCATION, `Unknown EVSE ${change.location_id}/${change.evse_uid}`, 404);
      return outcome === 'ignored' ? 'ignored' : 'updated';
    }),
  );
}

const STATUS_ONLY = new Set(['status', 'last_updated', 'uid']);

/** PATCH at location, EVSE or connector level; an EVSE status change takes the fast path (batched, see context.evseStatus). */
export async function patchLocationObject(
  ctx: RoamingContext,
  owner: Owner,
  target: LocationTarget,
  body: unknown,
): Promise<IngestResult> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('A PATCH body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.last_updated !== 'string') throw invalid('last_updated is required in a PATCH');
  const key = { ...owner, id: target.location_id };
  if (target.evse_uid !== undefined && target.connector_id === undefined && typeof b.status === 'string') {
    if (Object.keys(b).every((k) => STATUS_ONLY.has(k))) {
      const p = parseEvsePatch(body);
      if (!p.ok) throw invalid(issuesMessage('EVSE PATCH', p.errors));
      if (p.value.uid !== undefined && !same(p.value.uid, target.evse_uid))
        throw invalid('uid differs from the EVSE uid in the URL');
      const change = {
        ...owner,
        location_id: target.location_id,
        evse_uid: target.evse_uid,
        status: p.value.status!,
        last_updated: p.value.last_updated,
      };
      // Written with the other status PATCHes of the moment (one transaction); an unknown location or EVSE, or a
      // batch that failed, is handled alone (its own transaction and answer).
      const outcome = await ctx.evseStatus.submit(change).catch(() => 'not_found' as const);
      if (outcome !== 'not_found') return outcome;
      return patchEvseStatusAlone(ctx, owner, change);
    }
  }
  return retrying(() =>
    ctx.db.transaction().execute(async (trx) => {
      const lock = await lockLocationForIngest(trx, key);
      if (!lock) throw unknownLocation(owner, target.location_id);
      const location = (await getLocation(trx, key))!;
      let stored: string | undefined = location.last_updated;
      if (target.evse_uid !== undefined) {
        const evse = location.evses?.find((e) => same(e.uid, target.evse_uid!));
        if (!evse)
          throw new OcpiError(
            OcpiStatus.UNKNOWN_LOCATION,
            `Unknown EVSE ${target.location_id}/${target.evse_uid}`,
            404,
          );
        stored = evse.last_updated;
        if (target.connector_id !== undefined) {
          const c = evse.connectors.find((x) => same(x.id, target.connector_id!));
          if (!c)
            throw new OcpiError(
              OcpiStatus.UNKNOWN_LOCATION,
              `Unknown connector ${target.location_id}/${target.evse_uid}/${target.connector_id}`,
              404,
            );
          stored = c.last_updated;
        }
      }
      if (isOlder(b.last_updated as string, stored)) return 'ignored';
      const r = applyLocationPatch(location, body, {
        ...(target.evse_uid !== undefined ? { evse_uid: target.evse_uid } : {}),
        ...(target.connector_id !== undefined ? { connector_id: target.connector_id } : {}),
      });
      if (!r.ok) throw invalid(issuesMessage('PATCH', r.errors));
      const w = await upsertLocation(trx, r.location, owner);
      if (!w.ok) throw invalid(w.message);
      return 'updated';
    }),
  );
}

/** The stored object at location, EVSE or connector level (what the CPO may GET back to check). */
export async function getLocationObject(ctx: RoamingContext, owner: Owner, target: LocationTarget): Promise<unknown> {
  const location = await getLocation(ctx.db, { ...owner, id: target.location_id });
  if (!location) throw unknownLocation(owner, target.location_id);
  if (target.evse_uid === undefined) return location;
  const evse = location.evses?.find((e) => same(e.uid, target.evse_uid!));
  if (!evse) throw new OcpiError(OcpiStatus.UNKNOWN_LOCATION, `Unknown EVSE ${target.evse_uid}`, 404);
  if (target.connector_id === undefined) return evse;
  const c = evse.connectors.find((x) => same(x.id, target.connector_id!));
  if (!c) throw new OcpiError(OcpiStatus.UNKNOWN_LOCATION, `Unknown connector ${target.connector_id}`, 404);
  return c;
}

// ---------------------------------------------------------------------------------------------- tariffs

export async function putTariff(ctx: RoamingContext, owner: Owner, id: string, body: unknown): Promise<IngestResult> {
  const p = parseTariff(body);
  if (!p.ok) throw invalid(issuesMessage('Tariff', p.errors));
  const t = p.tariff as Tariff & Owner & { id: string; last_updated: string };
  checkIdentity('Tariff', t, owner, id);
  return retrying(() =>
    ctx.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`tariff:${owner.country_code}*${owner.party_id}*${t.id}`.toUpperCase()}))`.execute(
        trx,
      );
      const stored = await getTariff(trx, { ...owner, id: t.id });
      if (stored?.last_updated && isOlder(t.last_updated, stored.last_updated)) return 'ignored';
      await upsertTariff(trx, { ...t, country_code: t.country_code.toUpperCase(), party_id: t.party_id.toUpperCase() });
      return stored ? 'updated' : 'created';
    }),
  );
}

export async function removeTariff(ctx: RoamingContext, owner: Owner, id: string): Promise<void> {
  if (!(await deleteStoredTariff(ctx.db, { ...owner, id })))
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `Unknown tariff ${owner.country_code}/${owner.party_id}/${id}`, 404);
}

export async function readTariff(ctx: RoamingContext, owner: Owner, id: string): Promise<unknown> {
  const t = await getTariff(ctx.db, { ...owner, id });
  if (!t)
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `Unknown tariff ${owner.country_code}/${owner.party_id}/${id}`, 404);
  return t;
}

// ---------------------------------------------------------------------------------------------- sessions

function sessionRow(s: Session, partnerId: string | null) {
  return {
    country_code: s.country_code.toUpperCase(),
    party_id: s.party_id.toUpperCase(),
    id: s.id,
    partner_id: partnerId,
    status: s.status,
    token_uid: s.cdr_token.uid,
    location_id: s.location_id,
    authorization_reference: s.authorization_reference ?? null,
    object: JSON.stringify(s),
    last_updated: new Date(Date.parse(s.last_updated.endsWith('Z') ? s.last_updated : `${s.last_updated}Z`)),
  };
}

async function lockSession(db: Db, owner: Owner, id: string) {
  return rdb(db)
    .selectFrom('ocpi_sessions')
    .select(['object', 'last_updated'])
    .where('country_code', '=', owner.country_code.toUpperCase())
    .where('party_id', '=', owner.party_id.toUpperCase())
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** PUT Session: replaces the whole object, charging periods included. */
export async function putSession(
  ctx: RoamingContext,
  partnerId: string | null,
  owner: Owner,
  id: string,
  body: unknown,
): Promise<IngestResult> {
  const p = parseSession(body);
  if (!p.ok) throw invalid(issuesMessage('Session', p.errors));
  const s = p.value;
  checkIdentity('Session', s, owner, id);
  const result = await retrying(() =>
    ctx.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`session:${owner.country_code}*${owner.party_id}*${s.id}`.toUpperCase()}))`.execute(
        trx,
      );
      const stored = await lockSession(trx, owner, s.id);
      if (stored && isOlder(s.last_updated, stored.last_updated)) return 'ignored';
      const row = sessionRow(s, partnerId);
      await rdb(trx)
        .insertInto('ocpi_sessions')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['country_code', 'party_id', 'id']).doUpdateSet({
            partner_id: row.partner_id,
            status: row.status,
            token_uid: row.token_uid,
            location_id: row.location_id,
            authorization_reference: row.authorization_reference,
            object: row.object,
            last_updated: row.last_updated,
          }),
        )
        .execute();
      return stored ? 'updated' : 'created';
    }),
  );
  if (result !== 'ignored') notify(() => ctx.hooks?.sessionStored?.(s));
  return result;
}

/** Calls a hook without letting it disturb the OCPI answer. */
function notify(fn: () => void): void {
  try {
    fn();
  } catch {
    /* a listener's problem; it sweeps stored rows anyway */
  }
}

/** PATCH Session: changed fields replace the stored ones; `charging_periods` are appended. */
export async function patchSession(
  ctx: RoamingContext,
  owner: Owner,
  id: string,
  body: unknown,
): Promise<IngestResult> {
  const p = parseSessionPatch(body);
  if (!p.ok) throw invalid(issuesMessage('Session PATCH', p.errors));
  const patch = p.value;
  for (const k of ['country_code', 'party_id', 'id'] as const) {
    const v = patch[k];
    const expected = k === 'id' ? id : owner[k];
    if (v !== undefined && v !== null && !same(v, expected)) throw invalid(`${k} cannot be changed by a PATCH`);
  }
  let after: Session | null = null;
  const result = await retrying(() =>
    ctx.db.transaction().execute(async (trx) => {
      const stored = await lockSession(trx, owner, id);
      if (!stored)
        throw new OcpiError(
          OcpiStatus.CLIENT_ERROR,
          `Unknown session ${owner.country_code}/${owner.party_id}/${id}`,
          404,
        );
      if (isOlder(patch.last_updated, stored.last_updated)) return 'ignored';
      const current = stored.object as Session;
      const { charging_periods: added, ...fields } = patch;
      const merged: Record<string, unknown> = { ...current, ...fields };
      if (added && added.length > 0) merged.charging_periods = [...(current.charging_periods ?? []), ...added];
      const checked = parseSession(merged);
      if (!checked.ok) throw invalid(issuesMessage('Session after this PATCH', checked.errors));
      const row = sessionRow(checked.value, null);
      await rdb(trx)
        .updateTable('ocpi_sessions')
        .set({
          status: row.status,
          token_uid: row.token_uid,
          location_id: row.location_id,
          authorization_reference: row.authorization_reference,
          object: row.object,
          last_updated: row.last_updated,
        })
        .where('country_code', '=', row.country_code)
        .where('party_id', '=', row.party_id)
        .where('id', '=', id)
        .execute();
      after = checked.value;
      return 'updated';
    }),
  );
  const changed: Session | null = after;
  if (result !== 'ignored' && changed) notify(() => ctx.hooks?.sessionStored?.(changed));
  return result;
}

export async function readSession(ctx: RoamingContext, owner: Owner, id: string): Promise<Session> {
  const r = await rdb(ctx.db)
    .selectFrom('ocpi_sessions')
    .select('object')
    .where('country_code', '=', owner.country_code.toUpperCase())
    .where('party_id', '=', owner.party_id.toUpperCase())
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r)
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `Unknown session ${owner.country_code}/${owner.party_id}/${id}`, 404);
  return r.object as Session;
}

// ---------------------------------------------------------------------------------------------- CDRs

/** Canonical JSON (sorted keys) to compare a re-sent CDR with the stored one. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export interface StoredCdrRef {
  country_code: string;
  party_id: string;
  id: string;
  created: boolean;
}

/**
 * POST CDR: stores it once (idempotent on country_code/party_id/id: the same CDR again is a success; a
 * different one with the same id is refused, CDRs being immutable), then audits it.
 * `allowed` are the partner's parties (`CC*PID`), null to skip the check.
 */
export async function postCdr(
  ctx: RoamingContext,
  partnerId: string | null,
  allowed: Set<string> | null,
  body: unknown,
): Promise<StoredCdrRef> {
  const p = parseCdr(body);
  if (!p.ok) throw invalid(issuesMessage('CDR', p.errors));
  const cdr = p.value;
  const owner = { country_code: cdr.country_code.toUpperCase(), party_id: cdr.party_id.toUpperCase() };
  if (allowed && !allowed.has(`${owner.country_code}*${owner.party_id}`))
    throw invalid(`CDR of ${owner.country_code}/${owner.party_id}, which is not a party of your credentials`);
  const inserted = await rdb(ctx.db)
    .insertInto('ocpi_cdrs')
    .values({
      ...owner,
      id: cdr.id,
      partner_id: partnerId,
      session_id: cdr.session_id ?? null,
      credit: cdr.credit === true,
      credit_reference_id: cdr.credit_reference_id ?? null,
      currency: cdr.currency,
      total_cost_excl: String(cdr.total_cost.excl_vat),
      object: JSON.stringify(cdr),
      last_updated: new Date(Date.parse(cdr.last_updated.endsWith('Z') ? cdr.last_updated : `${cdr.last_updated}Z`)),
      audit_status: cdr.credit ? 'SKIPPED' : 'PENDING',
    })
    .onConflict((oc) => oc.columns(['country_code', 'party_id', 'id']).doNothing())
    // The location's time zone, which the audit needs, in the same round trip.
    .returning(['id', locationTimeZoneSql({ ...owner, id: cdr.cdr_location.id }).as('time_zone')])
    .executeTakeFirst();
  if (!inserted) {
    const stored = await readCdr(ctx, owner, cdr.id);
    if (canonical(stored) !== canonical(cdr))
      throw invalid(`CDR ${cdr.id} exists already with different content; CDRs are immutable (send a credit CDR)`);
    return { ...owner, id: cdr.id, created: false };
  }
  notify(() => ctx.hooks?.cdrStored?.(cdr));
  if (!cdr.credit) {
    const stored = { cdr, partner_id: partnerId, location_time_zone: inserted.time_zone };
    await auditStoredCdr(ctx, { ...owner, id: cdr.id }, stored).catch(() => {
      /* stays PENDING; the worker audits it again */
    });
  }
  return { ...owner, id: cdr.id, created: true };
}

export async function readCdr(ctx: RoamingContext, owner: Owner, id: string): Promise<Cdr> {
  const r = await rdb(ctx.db)
    .selectFrom('ocpi_cdrs')
    .select('object')
    .where('country_code', '=', owner.country_code.toUpperCase())
    .where('party_id', '=', owner.party_id.toUpperCase())
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r)
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `Unknown CDR ${owner.country_code}/${owner.party_id}/${id}`, 404);
  return r.object as Cdr;
}

/** Which tariffs price a CDR: its embedded ones, else the stored ones its periods name, else its connector's. */
async function tariffsFor(db: Db, cdr: Cdr, loadLocation: () => Promise<Location | null>): Promise<Tariff[]> {
  const embedded = (cdr.tariffs ?? [])
    .map((t) => parseTariff(t, { mode: 'pricing' }))
    .flatMap((r) => (r.ok ? [r.tariff] : []));
  if (embedded.length) return embedded;
  let ids = [...new Set(cdr.charging_periods.flatMap((p) => (p.tariff_id ? [p.tariff_id] : [])))];
  const location = ids.length === 0 ? await loadLocation() : null;
  if (location) {
    const evse = location.evses?.find((e) => same(e.uid, cdr.cdr_location.evse_uid));
    const c = evse?.connectors.find((x) => same(x.id, cdr.cdr_location.connector_id));
    ids = c?.tariff_ids ?? [];
  }
  const out: Tariff[] = [];
  for (const id of ids) {
    const t = await getTariff(db, { country_code: cdr.country_code, party_id: cdr.party_id, id });
    if (!t) continue;
    const p = parseTariff(t, { mode: 'pricing' });
    if (p.ok) out.push(p.tariff);
  }
  return out;
}

/**
 * Audits a stored CDR with the tariff engine; a disagreement beyond the tolerance opens a dispute. `stored` is the
 * CDR as just stored by the caller (saves reading it back), with its location's time zone (null: unknown location).
 */
export async function auditStoredCdr(
  ctx: RoamingContext,
  key: Owner & { id: string },
  stored?: { cdr: Cdr; partner_id: string | null; location_time_zone: string | null },
): Promise<string> {
  const db = rdb(ctx.db);
  const row = stored
    ? { object: stored.cdr, partner_id: stored.partner_id, credit: stored.cdr.credit === true }
    : await db
        .selectFrom('ocpi_cdrs')
        .select(['object', 'partner_id', 'credit'])
        .where('country_code', '=', key.country_code)
        .where('party_id', '=', key.party_id)
        .where('id', '=', key.id)
        .executeTakeFirst();
  if (!row) return 'MISSING';
  const cdr = row.object as Cdr;
  if (row.credit) {
    await db
      .updateTable('ocpi_cdrs')
      .set({ audit_status: 'SKIPPED', audited_at: new Date() })
      .where('country_code', '=', key.country_code)
      .where('party_id', '=', key.party_id)
      .where('id', '=', key.id)
      .execute();
    return 'SKIPPED';
  }
  // The whole location (EVSEs, connectors) only when the CDR names no tariff and its connector's are needed;
  // otherwise just its time zone.
  const locationKey = { ...key, id: cdr.cdr_location.id };
  let location: Location | null | undefined;
  const tariffs = await tariffsFor(ctx.db, cdr, async () => {
    location = await getLocation(ctx.db, locationKey);
    return location;
  });
  const timeZone =
    (location !== undefined
      ? location?.time_zone
      : stored
        ? stored.location_time_zone
        : await getLocationTimeZone(ctx.db, locationKey)) ?? countryTimeZone(cdr.cdr_location.country);
  const outcome = timeZone
    ? auditCdrCosts({
        cdr,
        tariffs,
        timeZone,
        tolerance: ctx.settings.auditTolerance,
        price: (req) => ctx.prices.price(cdrPriceKey(key), req),
      })
    : ({ status: 'UNAUDITABLE', kind: 'UNPRICEABLE', message: 'no time zone: unknown location and country' } as const);
  const setStatus = (t: typeof db) =>
    t
      .updateTable('ocpi_cdrs')
      .set({ audit_status: outcome.status, audited_at: new Date() })
      .where('country_code', '=', key.country_code)
      .where('party_id', '=', key.party_id)
      .where('id', '=', key.id)
      .execute();
  if (outcome.status === 'OK') {
    await setStatus(db); // one statement: no transaction needed
    return outcome.status;
  }
  await ctx.db.transaction().execute(async (trx) => {
    const t = rdb(trx);
    await setStatus(t);
    const expected = outcome.status === 'DISPUTED' ? outcome.expected : null;
    const dispute = {
      id: randomUUID(),
      country_code: key.country_code,
      party_id: key.party_id,
      cdr_id: key.id,
      partner_id: row.partner_id,
      kind: outcome.kind,
      currency: cdr.currency,
      claimed_total_excl: String(cdr.total_cost.excl_vat),
      expected_total_excl: expected ? expected.total_cost.excl_vat : null,
      difference_excl: expected
        ? new Decimal(cdr.total_cost.excl_vat).minus(expected.total_cost.excl_vat).toDecimalPlaces(4).toString()
        : null,
      differences: JSON.stringify(outcome.status === 'DISPUTED' ? outcome.differences : []),
      breakdown: expected
        ? JSON.stringify({ time_zone: timeZone, tariff_ids: tariffs.map((x) => x.id), price: expected })
        : null,
      message: outcome.message,
    };
    await t
      .insertInto('ocpi_cdr_disputes')
      .values(dispute)
      .onConflict((oc) =>
        oc.columns(['country_code', 'party_id', 'cdr_id']).doUpdateSet({
          kind: dispute.kind,
          expected_total_excl: dispute.expected_total_excl,
          difference_excl: dispute.difference_excl,
          differences: dispute.differences,
          breakdown: dispute.breakdown,
          message: dispute.message,
        }),
      )
      .execute();
  });
  return outcome.status;
}

/** The key under which a CDR's price is shared (RoamingContext.prices). */
export const cdrPriceKey = (k: { country_code: string; party_id: string; id: string }) =>
  `${k.country_code.toUpperCase()}*${k.party_id.toUpperCase()}*${k.id}`;

/** Audits CDRs left PENDING (e.g. a crash between storing and auditing). */
export async function auditPendingCdrs(ctx: RoamingContext, limit = 50): Promise<number> {
  const rows = await rdb(ctx.db)
    .selectFrom('ocpi_cdrs')
    .select(['country_code', 'party_id', 'id'])
    .where('audit_status', '=', 'PENDING')
    .where('received_at', '<', new Date(Date.now() - 30_000))
    .orderBy('received_at')
    .limit(limit)
    .execute();
  for (const r of rows) await auditStoredCdr(ctx, r);
  return rows.length;
}
