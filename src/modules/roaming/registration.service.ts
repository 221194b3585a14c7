// The credentials handshake in both directions (digest §2.3-2.4): we register with a CPO (their token A → our
// B → their C), a CPO registers with us (our token A → their B → our C), token rotation (PUT), unregistering
// (DELETE), version negotiation. Calls to the partner happen outside database transactions.
import { randomUUID } from 'node:crypto';
import { hashToken, newToken, type TokenEncoding } from '../../ocpi/core/auth.ts';
import { OcpiError, OcpiStatus } from '../../ocpi/core/envelope.ts';
import { upsertParty } from '../network/index.ts';
import type { Authenticated, RoamingContext } from './context.ts';
import { endpointUrl } from './core/endpoints.ts';
import {
  type Credentials,
  type Endpoint,
  parseCredentials,
  VersionDetailsSchema,
  VersionListSchema,
} from './core/ocpi-objects.schema.ts';
import { dataOf, OcpiCallError, ocpiCall } from './ocpi-client.ts';
import {
  addPartnerToken,
  deletePartnerToken,
  expireOtherTokens,
  getPartner,
  insertPartner,
  logPartnerEvent,
  type Partner,
  partnersHoldingParties,
  revokePartnerTokens,
  setPartnerParties,
  updatePartner,
} from './partners.repository.ts';
import { OCPI_VERSION, ourUrls } from './settings.ts';
import { queueSync } from './sync.service.ts';
import { queueAllTokens } from './tokens.service.ts';

/** A registration step failed; `ocpiStatus` is 3001 (cannot use their API), 3002 (version) or 3003 (endpoints). */
export class RegistrationError extends Error {
  constructor(
    readonly ocpiStatus: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Negotiated {
  version: string;
  endpoints: Endpoint[];
  encoding: TokenEncoding;
}

/** Our credentials object with the given token (the one the partner uses to call us). */
export function ourCredentials(ctx: RoamingContext, token: string): Credentials {
  const s = ctx.settings;
  return {
    token,
    url: ourUrls(s).versions,
    roles: [
      {
        role: 'EMSP',
        party_id: s.partyId,
        country_code: s.countryCode,
        business_details: { name: s.businessName, ...(s.businessWebsite ? { website: s.businessWebsite } : {}) },
      },
    ],
  };
}

/** GETs the partner's versions and the 2.2.1 details with `token`; picks 2.2.1 (the only version we speak). */
export async function negotiateVersion(
  ctx: RoamingContext,
  versionsUrl: string,
  token: string,
  encoding: TokenEncoding = 'base64',
): Promise<Negotiated> {
  const get = async (url: string, what: string, enc: TokenEncoding) => {
    try {
      const reply = await ocpiCall(
        { method: 'GET', url, token, encoding: enc, timeoutMs: ctx.settings.httpTimeoutMs },
        ctx.fetch,
      );
      return { data: dataOf(reply, what), encoding: reply.encoding };
    } catch (e) {
      if (e instanceof OcpiCallError) throw new RegistrationError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, e.message);
      throw e;
    }
  };
  const list = await get(versionsUrl, 'GET versions', encoding);
  const versions = VersionListSchema.safeParse(list.data);
  if (!versions.success)
    throw new RegistrationError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, `${versionsUrl} did not return a version list`);
  const mine = versions.data.find((v) => v.version === OCPI_VERSION);
  if (!mine) {
    const theirs = versions.data.map((v) => v.version).join(', ') || 'none';
    throw new RegistrationError(
      OcpiStatus.UNSUPPORTED_VERSION,
      `no mutual version: we speak 2.2.1, they offer ${theirs}`,
    );
  }
  const details = await get(mine.url, 'GET version details', list.encoding);
  const parsed = VersionDetailsSchema.safeParse(details.data);
  if (!parsed.success)
    throw new RegistrationError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, `${mine.url} did not return version details`);
  if (!parsed.data.endpoints.some((e) => e.identifier === 'credentials'))
    throw new RegistrationError(OcpiStatus.NO_MATCHING_ENDPOINTS, 'their version details have no credentials endpoint');
  return { version: OCPI_VERSION, endpoints: parsed.data.endpoints, encoding: details.encoding };
}

async function adoptCredentials(
  ctx: RoamingContext,
  partnerId: string,
  creds: Credentials,
  negotiated: Negotiated,
  extra: Partial<Partner> = {},
): Promise<void> {
  const superseded = await ctx.db.transaction().execute(async (trx) => {
    // One connection per party: a partner that registers again under parties another registration holds (a CPO
    // re-onboarded after losing its credentials, a restarted simulator) supersedes it. The admin authorised the new
    // one by handing out its token A or entering its token; the old registration's tokens die here.
    const previous = await partnersHoldingParties(trx, creds.roles, partnerId);
    for (const old of previous) {
      await revokePartnerTokens(trx, old.id);
      await updatePartner(trx, old.id, { status: 'UNREGISTERED', outgoing_token: null });
    }
    await updatePartner(trx, partnerId, {
      versions_url: creds.url,
      version: negotiated.version,
      endpoints: negotiated.endpoints,
      roles: creds.roles,
      outgoing_token: creds.token,
      outgoing_token_encoding: negotiated.encoding,
      ...extra,
    });
    await setPartnerParties(trx, partnerId, creds.roles);
    for (const r of creds.roles) {
      if (r.role !== 'CPO') continue;
      await upsertParty(trx, {
        country_code: r.country_code,
        party_id: r.party_id,
        name: r.business_details.name,
        role: 'CPO',
        integrated: true,
        website: r.business_details.website ?? null,
      });
    }
    return previous;
  });
  for (const old of superseded) {
    await logPartnerEvent(ctx.db, old.id, 'info', 'superseded', `superseded by a new registration (${partnerId})`);
    await logPartnerEvent(ctx.db, partnerId, 'info', 'supersedes', `took over the parties of ${old.name} (${old.id})`);
  }
  if (superseded.length) ctx.auth.invalidate();
}

// ---------------------------------------------------------------------------------------------- we register

/** Registers with a partner from its versions URL and the token A it handed over. */
export async function registerWithPartner(
  ctx: RoamingContext,
  input: { versions_url: string; token: string; name?: string | undefined },
): Promise<Partner> {
  const negotiated = await negotiateVersion(ctx, input.versions_url, input.token);
  const credentialsUrl = endpointUrl(negotiated, 'credentials');
  if (!credentialsUrl) throw new RegistrationError(OcpiStatus.NO_MATCHING_ENDPOINTS, 'no credentials endpoint');
  const id = randomUUID();
  const tokenB = newToken();
  await ctx.db.transaction().execute(async (trx) => {
    await insertPartner(trx, {
      id,
      name: input.name ?? input.versions_url,
      status: 'REGISTERING',
      initiated_by: 'US',
      versions_url: input.versions_url,
      version: negotiated.version,
      endpoints: negotiated.endpoints,
      outgoing_token: input.token,
      outgoing_token_encoding: negotiated.encoding,
    });
    // Stored before the POST: the partner calls our versions with token B while handling it.
    await addPartnerToken(trx, id, hashToken(tokenB), 'B');
  });
  ctx.auth.invalidate();
  try {
    const reply = await ocpiCall(
      {
        method: 'POST',
        url: credentialsUrl,
        token: input.token,
        encoding: negotiated.encoding,
        body: ourCredentials(ctx, tokenB),
        timeoutMs: ctx.settings.httpTimeoutMs,
      },
      ctx.fetch,
    );
    const parsed = parseCredentials(dataOf(reply, 'POST credentials'));
    if (!parsed.ok) throw new RegistrationError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, 'their credentials are invalid');
    const theirs = parsed.value;
    let n: Negotiated = { ...negotiated, encoding: reply.encoding };
    if (theirs.url !== input.versions_url) n = await negotiateVersion(ctx, theirs.url, theirs.token, reply.encoding);
    const name = input.name ?? theirs.roles[0]?.business_details.name ?? input.versions_url;
    await adoptCredentials(ctx, id, theirs, n, { status: 'REGISTERED', registered_at: new Date(), name });
    await logPartnerEvent(ctx.db, id, 'info', 'registered', `registered with ${input.versions_url} (we sent token B)`);
  } catch (e) {
    await revokePartnerTokens(ctx.db, id);
    await updatePartner(ctx.db, id, { status: 'UNREGISTERED', outgoing_token: null });
    await logPartnerEvent(ctx.db, id, 'error', 'registration', (e as Error).message);
    ctx.auth.invalidate();
    if (e instanceof OcpiCallError) throw new RegistrationError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, e.message);
    throw e;
  }
  ctx.auth.invalidate();
  await queueSync(ctx.db, id, 'FULL');
  await queueAllTokens(ctx, id);
  return (await getPartner(ctx.db, id))!;
}

// ---------------------------------------------------------------------------------------------- they register

/** A new partner that will register with us: returns the token A to hand over with our versions URL. */
export async function invitePartner(
  ctx: RoamingContext,
  input: { name: string },
): Promise<{ partner: Partner; token_a: string; versions_url: string }> {
  const id = randomUUID();
  const tokenA = newToken();
  await ctx.db.transaction().execute(async (trx) => {
    await insertPartner(trx, { id, name: input.name, status: 'PENDING', initiated_by: 'THEM' });
    await addPartnerToken(trx, id, hashToken(tokenA), 'A');
  });
  ctx.auth.invalidate();
  await logPartnerEvent(ctx.db, id, 'info', 'invited', 'token A generated');
  return { partner: (await getPartner(ctx.db, id))!, token_a: tokenA, versions_url: ourUrls(ctx.settings).versions };
}

const registered = (p: Partner) => p.status === 'REGISTERED' || p.status === 'SUSPENDED';

async function fetchTheirEndpoints(ctx: RoamingContext, creds: Credentials): Promise<Negotiated> {
  try {
    return await negotiateVersion(ctx, creds.url, creds.token);
  } catch (e) {
    if (e instanceof RegistrationError) throw new OcpiError(e.ocpiStatus, e.message);
    throw e;
  }
}

function parseOrThrow(body: unknown): Credentials {
  const p = parseCredentials(body);
  if (!p.ok)
    throw new OcpiError(
      OcpiStatus.INVALID_PARAMETERS,
      `Invalid credentials: ${p.errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`,
    );
  return p.value;
}

/** POST credentials: the partner registers (token A). HTTP 405 when it is registered already. */
export async function acceptRegistration(
  ctx: RoamingContext,
  auth: Authenticated,
  body: unknown,
): Promise<Credentials> {
  if (registered(auth.partner) || auth.kind !== 'A')
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'Already registered: use PUT to update or DELETE to unregister', 405);
  const creds = parseOrThrow(body);
  const negotiated = await fetchTheirEndpoints(ctx, creds);
  const tokenC = newToken();
  await ctx.db.transaction().execute(async (trx) => {
    await revokePartnerTokens(trx, auth.partner.id); // token A is dead
    await addPartnerToken(trx, auth.partner.id, hashToken(tokenC), 'C');
  });
  await adoptCredentials(ctx, auth.partner.id, creds, negotiated, { status: 'REGISTERED', registered_at: new Date() });
  ctx.auth.invalidate();
  await logPartnerEvent(ctx.db, auth.partner.id, 'info', 'registered', `registered by ${creds.url}`);
  await queueSync(ctx.db, auth.partner.id, 'FULL');
  await queueAllTokens(ctx, auth.partner.id);
  return ourCredentials(ctx, tokenC);
}

/** PUT credentials: new token / version / endpoints from the partner; we answer with a new token. */
export async function updateRegistration(
  ctx: RoamingContext,
  auth: Authenticated,
  body: unknown,
): Promise<Credentials> {
  if (!registered(auth.partner)) throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'Not registered: use POST', 405);
  const creds = parseOrThrow(body);
  const negotiated = await fetchTheirEndpoints(ctx, creds);
  const token = newToken();
  await ctx.db.transaction().execute(async (trx) => {
    await revokePartnerTokens(trx, auth.partner.id);
    await addPartnerToken(trx, auth.partner.id, hashToken(token), 'C');
  });
  await adoptCredentials(ctx, auth.partner.id, creds, negotiated);
  ctx.auth.invalidate();
  await logPartnerEvent(ctx.db, auth.partner.id, 'info', 'credentials_updated', 'the partner updated its credentials');
  return ourCredentials(ctx, token);
}

/** DELETE credentials: the partner unregisters. */
export async function acceptUnregistration(ctx: RoamingContext, auth: Authenticated): Promise<void> {
  if (!registered(auth.partner)) throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'Not registered', 405);
  await revokePartnerTokens(ctx.db, auth.partner.id);
  await updatePartner(ctx.db, auth.partner.id, { status: 'UNREGISTERED', outgoing_token: null });
  ctx.auth.invalidate();
  await logPartnerEvent(ctx.db, auth.partner.id, 'info', 'unregistered', 'the partner unregistered');
}

// ---------------------------------------------------------------------------------------------- our actions

async function requireRegistered(
  ctx: RoamingContext,
  partnerId: string,
): Promise<Partner & { outgoing_token: string }> {
  const p = await getPartner(ctx.db, partnerId);
  if (!p || !registered(p) || !p.outgoing_token)
    throw new RegistrationError(OcpiStatus.CLIENT_ERROR, 'the partner is not registered');
  return p as Partner & { outgoing_token: string };
}

/** Rotates the token the partner uses to call us (PUT to their credentials); theirs changes too. */
export async function rotateToken(ctx: RoamingContext, partnerId: string): Promise<Partner> {
  const p = await requireRegistered(ctx, partnerId);
  const url = endpointUrl(p, 'credentials');
  if (!url) throw new RegistrationError(OcpiStatus.NO_MATCHING_ENDPOINTS, 'no credentials endpoint');
  const token = newToken();
  const hash = hashToken(token);
  await addPartnerToken(ctx.db, p.id, hash, p.initiated_by === 'US' ? 'B' : 'C');
  ctx.auth.invalidate();
  try {
    const reply = await ocpiCall(
      {
        method: 'PUT',
        url,
        token: p.outgoing_token,
        encoding: p.outgoing_token_encoding,
        body: ourCredentials(ctx, token),
        timeoutMs: ctx.settings.httpTimeoutMs,
      },
      ctx.fetch,
    );
    const parsed = parseCredentials(dataOf(reply, 'PUT credentials'));
    if (!parsed.ok) throw new RegistrationError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, 'their credentials are invalid');
    const n = await negotiateVersion(ctx, parsed.value.url, parsed.value.token, reply.encoding);
    await adoptCredentials(ctx, p.id, parsed.value, n);
    // In-flight requests with the previous token still pass for a minute.
    await expireOtherTokens(ctx.db, p.id, hash, 60_000);
    await logPartnerEvent(ctx.db, p.id, 'info', 'token_rotated', 'tokens rotated (PUT credentials)');
  } catch (e) {
    // Keep the connection as it was: the new token was never confirmed.
    await deletePartnerToken(ctx.db, hash);
    await logPartnerEvent(ctx.db, p.id, 'error', 'token_rotation', (e as Error).message);
    ctx.auth.invalidate();
    throw e instanceof OcpiCallError ? new RegistrationError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, e.message) : e;
  }
  ctx.auth.invalidate();
  return (await getPartner(ctx.db, p.id))!;
}

/** Unregisters (DELETE their credentials) and forgets the tokens; the partner row stays for history. */
export async function unregisterPartner(ctx: RoamingContext, partnerId: string): Promise<Partner> {
  const p = await getPartner(ctx.db, partnerId);
  if (!p) throw new RegistrationError(OcpiStatus.CLIENT_ERROR, 'unknown partner');
  const url = endpointUrl(p, 'credentials');
  if (registered(p) && url && p.outgoing_token) {
    try {
      const reply = await ocpiCall(
        { method: 'DELETE', url, token: p.outgoing_token, encoding: p.outgoing_token_encoding },
        ctx.fetch,
      );
      dataOf(reply, 'DELETE credentials');
    } catch (e) {
      await logPartnerEvent(ctx.db, p.id, 'error', 'unregister', (e as Error).message);
    }
  }
  await revokePartnerTokens(ctx.db, p.id);
  await updatePartner(ctx.db, p.id, { status: 'UNREGISTERED', outgoing_token: null });
  ctx.auth.invalidate();
  await logPartnerEvent(ctx.db, p.id, 'info', 'unregistered', 'we unregistered');
  return (await getPartner(ctx.db, p.id))!;
}

export async function setSuspended(ctx: RoamingContext, partnerId: string, suspended: boolean): Promise<Partner> {
  const p = await getPartner(ctx.db, partnerId);
  if (!p || !registered(p)) throw new RegistrationError(OcpiStatus.CLIENT_ERROR, 'the partner is not registered');
  await updatePartner(ctx.db, p.id, { status: suspended ? 'SUSPENDED' : 'REGISTERED' });
  ctx.auth.invalidate();
  await logPartnerEvent(ctx.db, p.id, 'info', suspended ? 'suspended' : 'resumed', suspended ? 'suspended' : 'resumed');
  return (await getPartner(ctx.db, p.id))!;
}
