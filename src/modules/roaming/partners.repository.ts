// SQL of OCPI partners: the partner row, the tokens they call us with (hashed), their parties, their events.
import { sql } from 'kysely';
import type { TokenEncoding } from '../../ocpi/core/auth.ts';
import type { CredentialsRole, Endpoint } from './core/ocpi-objects.schema.ts';
import { type Db, rdb } from './roaming.tables.ts';

export type PartnerStatus = 'PENDING' | 'REGISTERING' | 'REGISTERED' | 'SUSPENDED' | 'UNREGISTERED';
export type TokenKind = 'A' | 'B' | 'C';

export interface Partner {
  id: string;
  name: string;
  status: PartnerStatus;
  initiated_by: 'US' | 'THEM';
  versions_url: string | null;
  version: string | null;
  endpoints: Endpoint[];
  roles: CredentialsRole[];
  outgoing_token: string | null;
  outgoing_token_encoding: TokenEncoding;
  registered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What authenticating a request yields. */
export interface PartnerAuth {
  partner: Partner;
  kind: TokenKind;
  /** Upper-case `CC*PID` of the parties in the partner's credentials roles. */
  parties: Set<string>;
}

const toPartner = (r: Record<string, unknown>): Partner => r as unknown as Partner;

export async function insertPartner(
  db: Db,
  p: Pick<Partner, 'id' | 'name' | 'status' | 'initiated_by'> & Partial<Partner>,
): Promise<void> {
  await rdb(db)
    .insertInto('ocpi_partners')
    .values({
      id: p.id,
      name: p.name,
      status: p.status,
      initiated_by: p.initiated_by,
      versions_url: p.versions_url ?? null,
      version: p.version ?? null,
      endpoints: JSON.stringify(p.endpoints ?? []),
      roles: JSON.stringify(p.roles ?? []),
      outgoing_token: p.outgoing_token ?? null,
      outgoing_token_encoding: p.outgoing_token_encoding ?? 'base64',
    })
    .execute();
}

export async function updatePartner(db: Db, id: string, p: Partial<Omit<Partner, 'id' | 'created_at'>>): Promise<void> {
  const set: Record<string, unknown> = { updated_at: new Date() };
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    set[k] = k === 'endpoints' || k === 'roles' ? JSON.stringify(v) : v;
  }
  await rdb(db).updateTable('ocpi_partners').set(set).where('id', '=', id).execute();
}

export async function getPartner(db: Db, id: string): Promise<Partner | null> {
  const r = await rdb(db).selectFrom('ocpi_partners').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toPartner(r) : null;
}

export async function listPartners(db: Db): Promise<Partner[]> {
  const rows = await rdb(db).selectFrom('ocpi_partners').selectAll().orderBy('created_at').execute();
  return rows.map(toPartner);
}

export async function addPartnerToken(
  db: Db,
  partnerId: string,
  tokenHash: string,
  kind: TokenKind,
  expiresAt: Date | null = null,
): Promise<void> {
  await rdb(db)
    .insertInto('ocpi_partner_tokens')
    .values({ token_hash: tokenHash, partner_id: partnerId, kind, expires_at: expiresAt })
    .execute();
}

export async function deletePartnerToken(db: Db, tokenHash: string): Promise<void> {
  await rdb(db).deleteFrom('ocpi_partner_tokens').where('token_hash', '=', tokenHash).execute();
}

/** Removes the partner's tokens (all, or all but `keepHash`). */
export async function revokePartnerTokens(db: Db, partnerId: string, keepHash?: string): Promise<void> {
  let q = rdb(db).deleteFrom('ocpi_partner_tokens').where('partner_id', '=', partnerId);
  if (keepHash) q = q.where('token_hash', '!=', keepHash);
  await q.execute();
}

/** Lets the partner's other tokens expire after `graceMs` (token rotation). */
export async function expireOtherTokens(db: Db, partnerId: string, keepHash: string, graceMs: number): Promise<void> {
  await rdb(db)
    .updateTable('ocpi_partner_tokens')
    .set({ expires_at: new Date(Date.now() + graceMs) })
    .where('partner_id', '=', partnerId)
    .where('token_hash', '!=', keepHash)
    .where('expires_at', 'is', null)
    .execute();
}

export async function findPartnerByTokenHash(db: Db, tokenHash: string): Promise<PartnerAuth | null> {
  const r = await rdb(db)
    .selectFrom('ocpi_partner_tokens as t')
    .innerJoin('ocpi_partners as p', 'p.id', 't.partner_id')
    .selectAll('p')
    .select(['t.kind', 't.expires_at'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!r) return null;
  if (r.expires_at && r.expires_at.getTime() < Date.now()) return null;
  const { kind, expires_at: _e, ...partner } = r;
  const parties = await rdb(db)
    .selectFrom('ocpi_partner_parties')
    .select(['country_code', 'party_id'])
    .where('partner_id', '=', partner.id)
    .execute();
  return {
    partner: toPartner(partner),
    kind: kind as TokenKind,
    parties: new Set(parties.map((p) => `${p.country_code}*${p.party_id}`.toUpperCase())),
  };
}

/** Replaces the partner's parties with the roles of its credentials. */
export async function setPartnerParties(db: Db, partnerId: string, roles: CredentialsRole[]): Promise<void> {
  const r = rdb(db);
  await r.deleteFrom('ocpi_partner_parties').where('partner_id', '=', partnerId).execute();
  const rows = roles.map((x) => ({
    partner_id: partnerId,
    country_code: x.country_code.toUpperCase(),
    party_id: x.party_id.toUpperCase(),
    role: x.role,
  }));
  if (rows.length)
    await r
      .insertInto('ocpi_partner_parties')
      .values(rows)
      .onConflict((oc) => oc.columns(['country_code', 'party_id', 'role']).doUpdateSet({ partner_id: partnerId }))
      .execute();
}

/** Other registered or suspended partners that speak for any of these parties (country code, party id, role). */
export async function partnersHoldingParties(
  db: Db,
  roles: Pick<CredentialsRole, 'country_code' | 'party_id' | 'role'>[],
  exceptPartnerId: string,
): Promise<{ id: string; name: string }[]> {
  if (!roles.length) return [];
  const r = rdb(db);
  return r
    .selectFrom('ocpi_partner_parties as pp')
    .innerJoin('ocpi_partners as p', 'p.id', 'pp.partner_id')
    .select(['p.id', 'p.name'])
    .distinct()
    .where('p.id', '!=', exceptPartnerId)
    .where('p.status', 'in', ['REGISTERED', 'SUSPENDED'])
    .where((eb) =>
      eb.or(
        roles.map((x) =>
          eb.and([
            eb('pp.country_code', '=', x.country_code.toUpperCase()),
            eb('pp.party_id', '=', x.party_id.toUpperCase()),
            eb('pp.role', '=', x.role),
          ]),
        ),
      ),
    )
    .execute();
}

export async function partnerParties(db: Db, partnerId: string) {
  return rdb(db)
    .selectFrom('ocpi_partner_parties')
    .select(['country_code', 'party_id', 'role'])
    .where('partner_id', '=', partnerId)
    .orderBy('country_code')
    .orderBy('party_id')
    .execute();
}

export async function logPartnerEvent(
  db: Db,
  partnerId: string,
  level: 'info' | 'error',
  kind: string,
  message: string,
): Promise<void> {
  await rdb(db)
    .insertInto('ocpi_partner_events')
    .values({ partner_id: partnerId, level, kind, message: message.slice(0, 2000) })
    .execute();
}

export async function recentPartnerEvents(db: Db, partnerId: string, limit = 10, level?: 'error') {
  let q = rdb(db)
    .selectFrom('ocpi_partner_events')
    .select(['level', 'kind', 'message', 'at'])
    .where('partner_id', '=', partnerId);
  if (level) q = q.where('level', '=', level);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** Counts of what a partner's parties own in our database. */
export async function partnerObjectCounts(db: Db, partnerId: string) {
  const r = await sql<Record<string, string>>`
    with p as (select distinct country_code, party_id from ocpi_partner_parties where partner_id = ${partnerId})
    select
      (select count(*) from locations l join p using (country_code, party_id)) as locations,
      (select count(*) from evses e join p using (country_code, party_id)) as evses,
      (select count(*) from tariffs t join p using (country_code, party_id)) as tariffs,
      (select count(*) from ocpi_sessions s where s.partner_id = ${partnerId}) as sessions,
      (select count(*) from ocpi_cdrs c where c.partner_id = ${partnerId}) as cdrs,
      (select count(*) from ocpi_cdr_disputes d where d.partner_id = ${partnerId} and d.status = 'OPEN') as open_disputes`.execute(
    db,
  );
  const row = r.rows[0] ?? {};
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as Record<
    'locations' | 'evses' | 'tariffs' | 'sessions' | 'cdrs' | 'open_disputes',
    number
  >;
}
