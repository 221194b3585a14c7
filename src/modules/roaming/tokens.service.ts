// Our tokens (virtual cards and RFID cards) as OCPI Tokens: we own them (Tokens Sender). CPOs pull the list,
// ask for real-time authorization, and get every change pushed (outbox ocpi_token_pushes + worker).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { OcpiError, OcpiStatus } from '../../ocpi/core/envelope.ts';
import type { PageQuery } from '../../ocpi/core/pagination.ts';
import type { RoamingContext } from './context.ts';
import { endpointUrl } from './core/endpoints.ts';
import { type LocationReferences, parseToken, type Token, type TokenType } from './core/ocpi-objects.schema.ts';
import { partnerForPartyQuery } from './lookups.service.ts';
import { dataOf, ocpiCall } from './ocpi-client.ts';
import { getPartner, logPartnerEvent } from './partners.repository.ts';
import { type Db, rdb } from './roaming.tables.ts';

export type TokenInput = Omit<Token, 'country_code' | 'party_id' | 'last_updated'> & { last_updated?: string };

/**
 * Creates or changes one of our tokens and queues a push of it to every connected CPO, or only to `partnerId` or
 * to the partner serving `partnerOfParty` (a per-charge ad-hoc token concerns the CPO of that charge alone).
 */
export async function saveToken(
  ctx: RoamingContext,
  input: TokenInput,
  opts: { partnerId?: string; partnerOfParty?: { country_code: string; party_id: string } } = {},
): Promise<Token> {
  const candidate = {
    ...input,
    country_code: ctx.settings.countryCode,
    party_id: ctx.settings.partyId,
    last_updated: input.last_updated ?? new Date().toISOString(),
  };
  const p = parseToken(candidate);
  if (!p.ok) throw new Error(`Invalid token: ${p.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const token = p.value;
  // One statement (atomic without a transaction, one round trip): store the token, then queue its pushes.
  await sql`
    with saved as (
      insert into ocpi_tokens (country_code, party_id, uid, type, contract_id, valid, whitelist, object, last_updated)
      values (${token.country_code}, ${token.party_id}, ${token.uid}, ${token.type}, ${token.contract_id},
              ${token.valid}, ${token.whitelist}, ${JSON.stringify(token)}, ${new Date(token.last_updated)})
      on conflict (country_code, party_id, uid, type) do update set
        contract_id = excluded.contract_id, valid = excluded.valid, whitelist = excluded.whitelist,
        object = excluded.object, last_updated = excluded.last_updated
      returning 1
    )
    ${queuePushes(token.uid, token.type, opts, sql`exists (select 1 from saved)`)}`.execute(ctx.db);
  return token;
}

/**
 * Queues a push of the token to every registered partner with a Tokens receiver (or only `to.partnerId`, or only
 * the partner serving the CPO party `to.partnerOfParty`, as partnerForParty chooses it): one pending push per
 * partner and token, a newer change folds into the pending one. `when` gates the insert (a CTE's result).
 */
function queuePushes(
  uid: string,
  type: string,
  to: { partnerId?: string | undefined; partnerOfParty?: { country_code: string; party_id: string } | undefined },
  when = sql`true`,
) {
  const only = to.partnerOfParty
    ? sql`and p.id = (${partnerForPartyQuery(to.partnerOfParty.country_code, to.partnerOfParty.party_id)})`
    : to.partnerId
      ? sql`and p.id = ${to.partnerId}::uuid`
      : sql``;
  return sql`
    insert into ocpi_token_pushes (partner_id, uid, type)
    select p.id, ${uid}, ${type} from ocpi_partners p
    where p.status = 'REGISTERED' and ${when} ${only}
      and exists (select 1 from jsonb_array_elements(p.endpoints) e
                  where e->>'identifier' = 'tokens' and e->>'role' = 'RECEIVER')
    on conflict (partner_id, uid, type) where status = 'PENDING'
    do update set next_run_at = now(), attempts = 0, updated_at = now()`;
}

export async function getToken(db: Db, country_code: string, party_id: string, uid: string, type: string) {
  const r = await rdb(db)
    .selectFrom('ocpi_tokens')
    .select('object')
    .where('country_code', '=', country_code)
    .where('party_id', '=', party_id)
    .where('uid', '=', uid)
    .where('type', '=', type)
    .executeTakeFirst();
  return r ? (r.object as Token) : null;
}

/**
 * GET tokens list (Sender) for `partnerId`: ordered by last_updated, filtered by date_from (incl.) / date_to
 * (excl.). A per-charge ad-hoc token is listed only to the CPO it was pushed to (the CPO of that charge); other
 * CPOs have no business with it.
 */
export async function listTokens(
  ctx: RoamingContext,
  q: PageQuery,
  partnerId: string,
): Promise<{ total: number; tokens: Token[] }> {
  let base = rdb(ctx.db)
    .selectFrom('ocpi_tokens as t')
    .where('t.country_code', '=', ctx.settings.countryCode)
    .where('t.party_id', '=', ctx.settings.partyId)
    .where((eb) =>
      eb.or([
        eb('t.type', '<>', 'AD_HOC_USER'),
        eb.exists(
          eb
            .selectFrom('ocpi_token_pushes as tp')
            .select(sql.lit(1).as('one'))
            .whereRef('tp.uid', '=', 't.uid')
            .whereRef('tp.type', '=', 't.type')
            .where('tp.partner_id', '=', partnerId),
        ),
      ]),
    );
  if (q.date_from)
    base = base.where('t.last_updated', '>=', new Date(q.date_from.endsWith('Z') ? q.date_from : `${q.date_from}Z`));
  if (q.date_to)
    base = base.where('t.last_updated', '<', new Date(q.date_to.endsWith('Z') ? q.date_to : `${q.date_to}Z`));
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
    base
      .select('t.object')
      .orderBy('t.last_updated')
      .orderBy('t.uid')
      .orderBy('t.type')
      .offset(q.offset)
      .limit(q.limit)
      .execute(),
  ]);
  return { total: Number(count?.n ?? 0), tokens: rows.map((r) => r.object as Token) };
}

export interface AuthorizationInfo {
  allowed: 'ALLOWED' | 'BLOCKED' | 'EXPIRED' | 'NO_CREDIT' | 'NOT_ALLOWED';
  token: Token;
  location?: LocationReferences;
  authorization_reference: string;
  info?: { language: string; text: string };
}

/**
 * Real-time authorization (POST tokens/{uid}/authorize[?type=]): unknown token → HTTP 404 with OCPI 2004.
 * A valid token is ALLOWED (we don't second-guess EVSE status or opening hours, whose data may be stale).
 */
export async function authorizeToken(
  ctx: RoamingContext,
  uid: string,
  type: TokenType,
  location: LocationReferences | undefined,
): Promise<AuthorizationInfo> {
  const token = await getToken(ctx.db, ctx.settings.countryCode, ctx.settings.partyId, uid, type);
  if (!token) throw new OcpiError(OcpiStatus.UNKNOWN_TOKEN, `Unknown token ${uid} (${type})`, 404);
  const info: AuthorizationInfo = {
    allowed: token.valid ? 'ALLOWED' : 'BLOCKED',
    token,
    authorization_reference: randomUUID().replaceAll('-', '').slice(0, 32),
  };
  if (location) info.location = location;
  if (!token.valid) info.info = { language: 'en', text: 'This card is blocked' };
  return info;
}

/** Runs due token pushes (FOR UPDATE SKIP LOCKED + lease); returns how many were attempted. */
export async function runTokenPushes(ctx: RoamingContext, limit = 20): Promise<number> {
  const jobs = await ctx.db.transaction().execute(async (trx) => {
    const r = await sql<{ id: string; partner_id: string; uid: string; type: string; attempts: number }>`
      select id, partner_id, uid, type, attempts from ocpi_token_pushes
      where status = 'PENDING' and next_run_at <= now() and (locked_until is null or locked_until < now())
      order by next_run_at limit ${limit} for update skip locked`.execute(trx);
    if (r.rows.length)
      await sql`update ocpi_token_pushes set locked_until = now() + interval '2 minutes'
                where id = any(${r.rows.map((x) => x.id)}::bigint[])`.execute(trx);
    return r.rows;
  });
  for (const job of jobs) {
    try {
      const partner = await getPartner(ctx.db, job.partner_id);
      const url = partner ? endpointUrl(partner, 'tokens', 'RECEIVER') : null;
      if (partner?.status !== 'REGISTERED' || !url || !partner.outgoing_token) {
        await finishPush(ctx.db, job.id, 'FAILED', 'partner not registered or without a tokens Receiver');
        continue;
      }
      const token = await getToken(ctx.db, ctx.settings.countryCode, ctx.settings.partyId, job.uid, job.type);
      if (!token) {
        await finishPush(ctx.db, job.id, 'FAILED', 'token no longer exists');
        continue;
      }
      const to = partner.roles.find((r) => r.role === 'CPO') ?? partner.roles[0];
      const reply = await ocpiCall(
        {
          method: 'PUT',
          url: `${url}/${token.country_code}/${token.party_id}/${encodeURIComponent(token.uid)}?type=${token.type}`,
          token: partner.outgoing_token,
          encoding: partner.outgoing_token_encoding,
          body: token,
          from: { country_code: ctx.settings.countryCode, party_id: ctx.settings.partyId },
          ...(to ? { to: { country_code: to.country_code, party_id: to.party_id } } : {}),
          timeoutMs: ctx.settings.httpTimeoutMs,
        },
        ctx.fetch,
      );
      dataOf(reply, 'PUT token');
      await finishPush(ctx.db, job.id, 'DONE', null);
    } catch (e) {
      const attempts = job.attempts + 1;
      const message = (e as Error).message;
      if (attempts >= 8) {
        await finishPush(ctx.db, job.id, 'FAILED', message);
        await logPartnerEvent(ctx.db, job.partner_id, 'error', 'token_push', `token ${job.uid}: ${message}`);
      } else {
        // Exponential backoff: 10 s, 20 s, 40 s … ~21 min.
        await sql`update ocpi_token_pushes set attempts = ${attempts}, last_error = ${message}, locked_until = null,
                  next_run_at = now() + make_interval(secs => ${10 * 2 ** (attempts - 1)}), updated_at = now()
                  where id = ${job.id}`.execute(ctx.db);
      }
    }
  }
  return jobs.length;
}

async function finishPush(db: Db, id: string, status: 'DONE' | 'FAILED', error: string | null): Promise<void> {
  await sql`update ocpi_token_pushes set status = ${status}, last_error = ${error}, locked_until = null, updated_at = now()
            where id = ${id}`.execute(db);
}

/** Queues pushes of all our tokens to one partner (after it registers). */
export async function queueAllTokens(ctx: RoamingContext, partnerId: string): Promise<void> {
  const rows = await rdb(ctx.db)
    .selectFrom('ocpi_tokens')
    .select(['uid', 'type'])
    .where('country_code', '=', ctx.settings.countryCode)
    .where('party_id', '=', ctx.settings.partyId)
    .execute();
  for (const r of rows) await queuePushes(r.uid, r.type, { partnerId }).execute(ctx.db);
}
