// Commands to a CPO (we are the Commands Sender): START_SESSION, STOP_SESSION, RESERVE_NOW, CANCEL_RESERVATION,
// UNLOCK_CONNECTOR. Each command has a row with a clear state and a unique response_url; the CPO's synchronous
// CommandResponse and its later CommandResult move the state; a worker times out commands that never hear back.
//
//   PENDING ──POST──▶ ACCEPTED ──result ACCEPTED──▶ SUCCEEDED
//      │                 │ └────result other──────▶ FAILED   (CANCELED_RESERVATION → CANCELED)
//      │                 └─────timeout────────────▶ TIMED_OUT
//      └──CPO answered NOT_SUPPORTED/REJECTED/UNKNOWN_SESSION──▶ REJECTED;  unreachable ──▶ FAILED
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { invalid, OcpiError, OcpiStatus } from '../../ocpi/core/envelope.ts';
import { getLocation } from '../network/index.ts';
import type { Authenticated, RoamingContext } from './context.ts';
import { endpointUrl } from './core/endpoints.ts';
import {
  CommandResponseSchema,
  type CommandResult,
  CommandResultSchema,
  type CommandType,
  type Token,
} from './core/ocpi-objects.schema.ts';
import { OcpiCallError, ocpiCall } from './ocpi-client.ts';
import { getPartner, logPartnerEvent } from './partners.repository.ts';
import { rdb } from './roaming.tables.ts';
import { ourUrls } from './settings.ts';
import { getToken } from './tokens.service.ts';

export type CommandState = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CANCELED';

export type CommandRequest =
  | {
      type: 'START_SESSION';
      token_uid: string;
      token_type?: Token['type'];
      location_id: string;
      evse_uid?: string;
      connector_id?: string;
      authorization_reference?: string;
    }
  | { type: 'STOP_SESSION'; session_id: string }
  | {
      type: 'RESERVE_NOW';
      token_uid: string;
      token_type?: Token['type'];
      expiry_date: string;
      reservation_id: string;
      location_id: string;
      evse_uid?: string;
      authorization_reference?: string;
    }
  | { type: 'CANCEL_RESERVATION'; reservation_id: string }
  | { type: 'UNLOCK_CONNECTOR'; location_id: string; evse_uid: string; connector_id: string };

export interface CommandRecord {
  id: string;
  partner_id: string;
  type: CommandType;
  state: CommandState;
  request: Record<string, unknown>;
  response: unknown;
  result: unknown;
  message: string | null;
  timeout_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A command could not be sent (unknown partner/location/token): a value for the caller, nothing was stored. */
export class CommandError extends Error {
  constructor(
    readonly code:
      | 'UNKNOWN_PARTNER'
      | 'NO_COMMANDS_ENDPOINT'
      | 'UNKNOWN_LOCATION'
      | 'UNKNOWN_TOKEN'
      | 'TOKEN_NOT_VALID',
    message: string,
  ) {
    super(message);
  }
}

/** Grace added to the CPO's timeout before we declare TIMED_OUT. */
const GRACE_MS = 10_000;
/** When the CPO accepted without a timeout (0), how long we wait. */
const DEFAULT_TIMEOUT_S = 60;

export async function sendCommand(ctx: RoamingContext, partnerId: string, req: CommandRequest): Promise<CommandRecord> {
  const partner = await getPartner(ctx.db, partnerId);
  if (partner?.status !== 'REGISTERED' || !partner.outgoing_token)
    throw new CommandError('UNKNOWN_PARTNER', 'the partner is not registered');
  const url = endpointUrl(partner, 'commands', 'RECEIVER');
  if (!url) throw new CommandError('NO_COMMANDS_ENDPOINT', 'the partner has no commands Receiver endpoint');
  const cpo = partner.roles.find((r) => r.role === 'CPO');
  const id = randomUUID();
  const response_url = `${ourUrls(ctx.settings).module('commands')}/${req.type}/${id}`;
  const body = await commandBody(ctx, req, response_url, cpo);
  await rdb(ctx.db)
    .insertInto('ocpi_commands')
    .values({ id, partner_id: partnerId, type: req.type, state: 'PENDING', request: JSON.stringify(body) })
    .execute();
  try {
    const reply = await ocpiCall(
      {
        method: 'POST',
        url: `${url}/${req.type}`,
        token: partner.outgoing_token,
        encoding: partner.outgoing_token_encoding,
        body,
        from: { country_code: ctx.settings.countryCode, party_id: ctx.settings.partyId },
        ...(cpo ? { to: { country_code: cpo.country_code, party_id: cpo.party_id } } : {}),
        timeoutMs: ctx.settings.httpTimeoutMs,
      },
      ctx.fetch,
    );
    const parsed = CommandResponseSchema.safeParse(reply.envelope?.data);
    if (!parsed.success) {
      const why = reply.envelope
        ? `OCPI ${reply.envelope.status_code} ${reply.envelope.status_message ?? ''}`.trim()
        : `HTTP ${reply.http}`;
      await setCommand(ctx, id, { state: 'REJECTED', response: reply.envelope ?? null, message: why });
    } else if (parsed.data.result === 'ACCEPTED') {
      const timeoutS = parsed.data.timeout > 0 ? parsed.data.timeout : DEFAULT_TIMEOUT_S;
      // A result may already have arrived while we waited for the response: only move forward from PENDING.
      await sql`update ocpi_commands set state = 'ACCEPTED', response = ${JSON.stringify(parsed.data)}::jsonb,
                timeout_at = ${new Date(Date.now() + timeoutS * 1000 + GRACE_MS)}, updated_at = now()
                where id = ${id} and state = 'PENDING'`.execute(ctx.db);
      await sql`update ocpi_commands set response = ${JSON.stringify(parsed.data)}::jsonb where id = ${id}`.execute(
        ctx.db,
      );
    } else {
      await setCommand(ctx, id, {
        state: 'REJECTED',
        response: parsed.data,
        message: `${parsed.data.result}${parsed.data.message?.[0] ? `: ${parsed.data.message[0].text}` : ''}`,
      });
    }
  } catch (e) {
    if (!(e instanceof OcpiCallError)) throw e;
    await setCommand(ctx, id, { state: 'FAILED', message: e.message });
    await logPartnerEvent(ctx.db, partnerId, 'error', 'command', `${req.type}: ${e.message}`);
  }
  return (await getCommand(ctx, id))!;
}

async function commandBody(
  ctx: RoamingContext,
  req: CommandRequest,
  response_url: string,
  cpo: { country_code: string; party_id: string } | undefined,
): Promise<Record<string, unknown>> {
  const token = async (uid: string, type: Token['type'] = 'APP_USER') => {
    const t = await getToken(ctx.db, ctx.settings.countryCode, ctx.settings.partyId, uid, type);
    if (!t) throw new CommandError('UNKNOWN_TOKEN', `unknown token ${uid} (${type})`);
    // The eMSP authorizes before it sends START_SESSION/RESERVE_NOW; the CPO must not re-check.
    if (!t.valid) throw new CommandError('TOKEN_NOT_VALID', `token ${uid} is not valid`);
    return t;
  };
  const knownLocation = async (id: string) => {
    if (!cpo) return;
    if (!(await getLocation(ctx.db, { ...cpo, id })))
      throw new CommandError('UNKNOWN_LOCATION', `unknown location ${cpo.country_code}/${cpo.party_id}/${id}`);
  };
  const opt = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (req.type) {
    case 'START_SESSION':
      await knownLocation(req.location_id);
      return opt({
        response_url,
        token: await token(req.token_uid, req.token_type),
        location_id: req.location_id,
        evse_uid: req.evse_uid,
        connector_id: req.connector_id,
        authorization_reference: req.authorization_reference,
      });
    case 'RESERVE_NOW':
      await knownLocation(req.location_id);
      return opt({
        response_url,
        token: await token(req.token_uid, req.token_type),
        expiry_date: req.expiry_date,
        reservation_id: req.reservation_id,
        location_id: req.location_id,
        evse_uid: req.evse_uid,
        authorization_reference: req.authorization_reference,
      });
    case 'STOP_SESSION':
      return { response_url, session_id: req.session_id };
    case 'CANCEL_RESERVATION':
      return { response_url, reservation_id: req.reservation_id };
    case 'UNLOCK_CONNECTOR':
      return { response_url, location_id: req.location_id, evse_uid: req.evse_uid, connector_id: req.connector_id };
  }
}

async function setCommand(
  ctx: RoamingContext,
  id: string,
  p: { state: CommandState; response?: unknown; result?: unknown; message?: string | null },
): Promise<void> {
  await rdb(ctx.db)
    .updateTable('ocpi_commands')
    .set({
      state: p.state,
      ...(p.response !== undefined ? { response: JSON.stringify(p.response) } : {}),
      ...(p.result !== undefined ? { result: JSON.stringify(p.result) } : {}),
      ...(p.message !== undefined ? { message: p.message } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function getCommand(ctx: RoamingContext, id: string): Promise<CommandRecord | null> {
  const r = await rdb(ctx.db).selectFrom('ocpi_commands').selectAll().where('id', '=', id).executeTakeFirst();
  return (r as unknown as CommandRecord) ?? null;
}

export async function listCommands(ctx: RoamingContext, partnerId: string, limit = 50): Promise<CommandRecord[]> {
  const r = await rdb(ctx.db)
    .selectFrom('ocpi_commands')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return r as unknown as CommandRecord[];
}

/** The CPO's CommandResult on our response_url (only the partner the command went to may post it). */
export async function receiveCommandResult(
  ctx: RoamingContext,
  auth: Authenticated,
  type: string,
  id: string,
  body: unknown,
): Promise<void> {
  const cmd = /^[0-9a-f-]{36}$/i.test(id) ? await getCommand(ctx, id) : null;
  if (!cmd || cmd.type !== type || cmd.partner_id !== auth.partner.id)
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `Unknown command ${type}/${id}`, 404);
  const p = CommandResultSchema.safeParse(body);
  if (!p.success) throw invalid(`Invalid CommandResult: ${p.error.issues.map((i) => i.message).join('; ')}`);
  const result: CommandResult = p.data;
  const state: CommandState =
    result.result === 'ACCEPTED' ? 'SUCCEEDED' : result.result === 'CANCELED_RESERVATION' ? 'CANCELED' : 'FAILED';
  const late = cmd.state === 'TIMED_OUT' ? ' (arrived after the timeout)' : '';
  const message = `${result.result}${result.message?.[0] ? `: ${result.message[0].text}` : ''}${late}`;
  await setCommand(ctx, id, { state, result, message });
  try {
    ctx.hooks?.commandResult?.({ id, type, state, message });
  } catch {
    /* a listener's problem */
  }
}

/** Commands still waiting after their timeout become TIMED_OUT (the result may never come: no retries in OCPI). */
export async function expireCommands(ctx: RoamingContext): Promise<number> {
  const r = await sql`update ocpi_commands set state = 'TIMED_OUT', message = 'no CommandResult before the timeout',
                      updated_at = now()
                      where state = 'ACCEPTED' and timeout_at < now()`.execute(ctx.db);
  const stuck =
    await sql`update ocpi_commands set state = 'FAILED', message = 'never sent (interrupted)', updated_at = now()
                          where state = 'PENDING' and created_at < now() - interval '10 minutes'`.execute(ctx.db);
  return Number(r.numAffectedRows ?? 0) + Number(stuck.numAffectedRows ?? 0);
}
