// Read-only lookups other modules need about what CPOs sent and where our tokens went (charging: which partner
// serves a party, the session and CDR of a command's authorization_reference, how far a token was pushed).
import { sql } from 'kysely';
import type { Cdr, Session } from './core/ocpi-objects.schema.ts';
import { type Db, rdb } from './roaming.tables.ts';

/** The registered partner that has the CPO party (country_code, party_id) among its credentials roles. */
export async function partnerForParty(db: Db, countryCode: string, partyId: string): Promise<string | null> {
  const r = await partnerForPartyQuery(countryCode, partyId).execute(db);
  return r.rows[0]?.id ?? null;
}

/** partnerForParty as a statement, also usable as a scalar subquery. */
export function partnerForPartyQuery(countryCode: string, partyId: string) {
  return sql<{ id: string }>`select p.id from ocpi_partner_parties pp join ocpi_partners p on p.id = pp.partner_id
    where pp.country_code = ${countryCode.toUpperCase()} and pp.party_id = ${partyId.toUpperCase()}
      and p.status = 'REGISTERED'
    order by p.registered_at desc limit 1`;
}

/** The latest Session a CPO sent with this authorization_reference (the one we put in START_SESSION). */
export async function findSessionByAuthorizationReference(db: Db, reference: string): Promise<Session | null> {
  const r = await rdb(db)
    .selectFrom('ocpi_sessions')
    .select('object')
    .where('authorization_reference', '=', reference)
    .orderBy('last_updated', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? (r.object as Session) : null;
}

/**
 * Which of these sessions have a (non-credit) CDR, as `CC*PID*session_id`: one query for many sessions.
 * `receivedBefore`: only CDRs that arrived before then.
 */
export async function sessionsWithCdr(
  db: Db,
  keys: { country_code: string; party_id: string; session_id: string }[],
  receivedBefore?: Date,
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  let q = rdb(db)
    .selectFrom('ocpi_cdrs')
    .select(['country_code', 'party_id', 'session_id'])
    .where('session_id', 'in', [...new Set(keys.map((k) => k.session_id))])
    .where('credit', '=', false);
  if (receivedBefore) q = q.where('received_at', '<', receivedBefore);
  const rows = await q.execute();
  return new Set(rows.map((r) => `${r.country_code.toUpperCase()}*${r.party_id.toUpperCase()}*${r.session_id}`));
}

/** The (non-credit) CDR of a session of the party, if it arrived. */
export async function findCdrForSession(
  db: Db,
  key: { country_code: string; party_id: string; session_id: string },
): Promise<Cdr | null> {
  const r = await rdb(db)
    .selectFrom('ocpi_cdrs')
    .select('object')
    .where('country_code', '=', key.country_code.toUpperCase())
    .where('party_id', '=', key.party_id.toUpperCase())
    .where('session_id', '=', key.session_id)
    .where('credit', '=', false)
    .orderBy('received_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? (r.object as Cdr) : null;
}

/** How many partners have received the current version of one of our tokens, and how many pushes are open. */
export async function tokenPushCounts(
  db: Db,
  uid: string,
  type: string,
): Promise<{ delivered: number; pending: number; failed: number }> {
  const rows = await rdb(db)
    .selectFrom('ocpi_token_pushes')
    .select(['partner_id', 'status'])
    .where('uid', '=', uid)
    .where('type', '=', type)
    .orderBy('id', 'desc')
    .execute();
  const latest = new Map<string, string>();
  for (const r of rows) if (!latest.has(r.partner_id)) latest.set(r.partner_id, r.status);
  const n = (s: string) => [...latest.values()].filter((x) => x === s).length;
  return { delivered: n('DONE'), pending: n('PENDING'), failed: n('FAILED') };
}
