// The OCPI 2.2.1 HTTP interface of Lataus as an eMSP, under /ocpi: versions, credentials, the Receiver interfaces
// (locations, tariffs, sessions, cdrs) and the Sender interfaces (tokens, command results). It translates the
// wire (auth header, envelope, status codes, routing and id headers, pagination) and calls the roaming module.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  type Authenticated,
  acceptRegistration,
  acceptUnregistration,
  authenticate,
  authorizeToken,
  getLocationObject,
  LocationReferencesSchema,
  listTokens,
  OCPI_VERSION,
  OUR_ENDPOINTS,
  ourCredentials,
  ourUrls,
  patchLocationObject,
  patchSession,
  postCdr,
  putLocationObject,
  putSession,
  putTariff,
  type RoamingContext,
  readCdr,
  readSession,
  readTariff,
  receiveCommandResult,
  removeTariff,
  TokenTypeSchema,
  updateRegistration,
} from '../modules/roaming/index.ts';
import { envelope, invalid, OcpiError, OcpiStatus, success } from './core/envelope.ts';
import { pageHeaders, parsePageQuery } from './core/pagination.ts';

interface Out {
  http?: number;
  data?: unknown;
  message?: string;
  headers?: Record<string, string>;
}

type Params = Record<string, string>;
type Handler = (req: FastifyRequest, auth: Authenticated) => Promise<Out>;

const CC = /^[A-Za-z]{2}$/;
const PID = /^[A-Za-z0-9]{3}$/;

/** Client-owned object URLs carry the owner's party; it must be one of the caller's credentials roles. */
function ownerOf(params: Params, auth: Authenticated) {
  const country_code = params.country_code ?? '';
  const party_id = params.party_id ?? '';
  if (!CC.test(country_code) || !PID.test(party_id))
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, 'country_code/party_id in the URL are malformed', 404);
  if (!auth.parties.has(`${country_code}*${party_id}`.toUpperCase()))
    throw new OcpiError(
      OcpiStatus.INVALID_PARAMETERS,
      `${country_code}/${party_id} is not a party of your credentials`,
      404,
    );
  return { country_code: country_code.toUpperCase(), party_id: party_id.toUpperCase() };
}

const resultOut = (r: 'created' | 'updated' | 'ignored'): Out =>
  r === 'created'
    ? { http: 201 }
    : r === 'ignored'
      ? { message: 'Ignored: older than the stored object (last_updated)' }
      : {};

export function ocpiRoutes(ctx: RoamingContext): FastifyPluginAsync {
  return async (root) => {
    await root.register(async (o) => registerOcpi(o, ctx), { prefix: '/ocpi' });
  };
}

async function registerOcpi(o: FastifyInstance, ctx: RoamingContext): Promise<void> {
  // Read per request: PUBLIC_URL may be settled after the routes are built (ephemeral ports in tests).
  const urls = {
    get details() {
      return ourUrls(ctx.settings).details;
    },
    module: (m: string) => ourUrls(ctx.settings).module(m),
  };
  const us = { country_code: ctx.settings.countryCode, party_id: ctx.settings.partyId };

  // Bodies: JSON; an empty body is "no body" (e.g. authorize without LocationReferences); invalid JSON → 400.
  o.removeContentTypeParser(['application/json']);
  const parse = (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new OcpiError(OcpiStatus.INVALID_PARAMETERS, `Invalid JSON: ${(e as Error).message}`, 400));
    }
  };
  o.addContentTypeParser('application/json', { parseAs: 'string' }, parse);
  o.addContentTypeParser('*', { parseAs: 'string' }, parse);

  o.addHook('onRequest', async (req, reply) => {
    const corr = req.headers['x-correlation-id'];
    reply.header('x-correlation-id', typeof corr === 'string' && corr ? corr : req.id);
  });

  o.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof OcpiError) {
      return reply.status(err.http).send(envelope(err.statusCode, { message: err.message, data: err.data }));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(envelope(OcpiStatus.INVALID_PARAMETERS, { message: 'Body too large' }));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(envelope(OcpiStatus.CLIENT_ERROR, { message: err.message }));
    }
    req.log.error({ err }, 'OCPI request failed');
    return reply
      .status(500)
      .send(envelope(OcpiStatus.SERVER_ERROR, { message: `Internal error; quote X-Request-ID ${req.id}` }));
  });

  o.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(envelope(OcpiStatus.CLIENT_ERROR, { message: `${req.method} ${req.url.split('?')[0]} does not exist` })),
  );

  const handle =
    (module: string, functional: boolean, h: Handler) => async (req: FastifyRequest, reply: FastifyReply) => {
      const auth = await authenticate(ctx, req.headers.authorization, module);
      const out = await h(req, auth);
      if (functional) {
        // Responses swap the request's routing headers: from = us, to = the requesting party.
        const fc = req.headers['ocpi-from-country-code'];
        const fp = req.headers['ocpi-from-party-id'];
        const role = auth.partner.roles.find((r) => r.role === 'CPO') ?? auth.partner.roles[0];
        const to =
          typeof fc === 'string' && typeof fp === 'string'
            ? { country_code: fc, party_id: fp }
            : role
              ? { country_code: role.country_code, party_id: role.party_id }
              : null;
        reply.header('ocpi-from-country-code', us.country_code).header('ocpi-from-party-id', us.party_id);
        if (to) reply.header('ocpi-to-country-code', to.country_code).header('ocpi-to-party-id', to.party_id);
      }
      if (out.headers) reply.headers(out.headers);
      return reply.status(out.http ?? 200).send(success(out.data, out.message));
    };

  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    module: string,
    h: Handler,
    functional = true,
  ) =>
    o.route({
      method,
      url,
      config: { rateLimit: false },
      schema: { hide: true },
      handler: handle(module, functional, h),
    });

  // ------------------------------------------------------------------------------------------ versions
  route('GET', '/versions', 'versions', async () => ({ data: [{ version: OCPI_VERSION, url: urls.details }] }), false);
  route(
    'GET',
    `/${OCPI_VERSION}`,
    'versions',
    async () => ({
      data: {
        version: OCPI_VERSION,
        endpoints: OUR_ENDPOINTS.map((e) => ({ ...e, url: urls.module(e.identifier) })),
      },
    }),
    false,
  );

  // ------------------------------------------------------------------------------------------ credentials
  const cred = `/${OCPI_VERSION}/credentials`;
  route('GET', cred, 'credentials', async (_req, auth) => ({ data: ourCredentials(ctx, auth.token) }), false);
  route(
    'POST',
    cred,
    'credentials',
    async (req, auth) => ({ data: await acceptRegistration(ctx, auth, req.body) }),
    false,
  );
  route(
    'PUT',
    cred,
    'credentials',
    async (req, auth) => ({ data: await updateRegistration(ctx, auth, req.body) }),
    false,
  );
  route(
    'DELETE',
    cred,
    'credentials',
    async (_req, auth) => {
      await acceptUnregistration(ctx, auth);
      return {};
    },
    false,
  );

  // ------------------------------------------------------------------------------------------ locations (Receiver)
  const loc = `/${OCPI_VERSION}/locations/:country_code/:party_id/:location_id`;
  for (const path of [loc, `${loc}/:evse_uid`, `${loc}/:evse_uid/:connector_id`]) {
    const target = (p: Params) => ({
      location_id: p.location_id ?? '',
      evse_uid: p.evse_uid,
      connector_id: p.connector_id,
    });
    route('GET', path, 'locations', async (req, auth) => {
      const p = req.params as Params;
      return { data: await getLocationObject(ctx, ownerOf(p, auth), target(p)) };
    });
    route('PUT', path, 'locations', async (req, auth) => {
      const p = req.params as Params;
      return resultOut(await putLocationObject(ctx, ownerOf(p, auth), target(p), req.body));
    });
    route('PATCH', path, 'locations', async (req, auth) => {
      const p = req.params as Params;
      return resultOut(await patchLocationObject(ctx, ownerOf(p, auth), target(p), req.body));
    });
  }

  // ------------------------------------------------------------------------------------------ tariffs (Receiver)
  const tar = `/${OCPI_VERSION}/tariffs/:country_code/:party_id/:tariff_id`;
  route('GET', tar, 'tariffs', async (req, auth) => {
    const p = req.params as Params;
    return { data: await readTariff(ctx, ownerOf(p, auth), p.tariff_id ?? '') };
  });
  route('PUT', tar, 'tariffs', async (req, auth) => {
    const p = req.params as Params;
    return resultOut(await putTariff(ctx, ownerOf(p, auth), p.tariff_id ?? '', req.body));
  });
  route('DELETE', tar, 'tariffs', async (req, auth) => {
    const p = req.params as Params;
    await removeTariff(ctx, ownerOf(p, auth), p.tariff_id ?? '');
    return {};
  });

  // ------------------------------------------------------------------------------------------ sessions (Receiver)
  const ses = `/${OCPI_VERSION}/sessions/:country_code/:party_id/:session_id`;
  route('GET', ses, 'sessions', async (req, auth) => {
    const p = req.params as Params;
    return { data: await readSession(ctx, ownerOf(p, auth), p.session_id ?? '') };
  });
  route('PUT', ses, 'sessions', async (req, auth) => {
    const p = req.params as Params;
    return resultOut(await putSession(ctx, auth.partner.id, ownerOf(p, auth), p.session_id ?? '', req.body));
  });
  route('PATCH', ses, 'sessions', async (req, auth) => {
    const p = req.params as Params;
    return resultOut(await patchSession(ctx, ownerOf(p, auth), p.session_id ?? '', req.body));
  });

  // ------------------------------------------------------------------------------------------ cdrs (Receiver)
  route('POST', `/${OCPI_VERSION}/cdrs`, 'cdrs', async (req, auth) => {
    const r = await postCdr(ctx, auth.partner.id, auth.parties, req.body);
    const location = `${urls.module('cdrs')}/${r.country_code}/${r.party_id}/${encodeURIComponent(r.id)}`;
    return {
      http: r.created ? 201 : 200,
      headers: { Location: location },
      ...(r.created ? {} : { message: 'CDR already received (unchanged)' }),
    };
  });
  route('GET', `/${OCPI_VERSION}/cdrs/:country_code/:party_id/:cdr_id`, 'cdrs', async (req, auth) => {
    const p = req.params as Params;
    return { data: await readCdr(ctx, ownerOf(p, auth), p.cdr_id ?? '') };
  });

  // ------------------------------------------------------------------------------------------ tokens (Sender)
  route('GET', `/${OCPI_VERSION}/tokens`, 'tokens', async (req, auth) => {
    const q = parsePageQuery(req.query as Record<string, unknown>, ctx.settings.pageLimit);
    if (!q.ok) throw invalid(q.message);
    const { total, tokens } = await listTokens(ctx, q.value, auth.partner.id);
    return {
      data: tokens,
      headers: pageHeaders(urls.module('tokens'), q.value, total, tokens.length, ctx.settings.pageLimit),
    };
  });
  route('POST', `/${OCPI_VERSION}/tokens/:token_uid/authorize`, 'tokens', async (req) => {
    const p = req.params as Params;
    const typeRaw = (req.query as Record<string, unknown>).type ?? 'RFID';
    const type = TokenTypeSchema.safeParse(typeRaw);
    if (!type.success) throw invalid(`type must be one of ${TokenTypeSchema.options.join(', ')}`);
    let refs: ReturnType<typeof LocationReferencesSchema.parse> | undefined;
    if (req.body !== undefined && req.body !== null) {
      const r = LocationReferencesSchema.safeParse(req.body);
      if (!r.success) throw invalid(`Invalid LocationReferences: ${r.error.issues.map((i) => i.message).join('; ')}`);
      refs = r.data;
    }
    return { data: await authorizeToken(ctx, p.token_uid ?? '', type.data, refs) };
  });

  // ------------------------------------------------------------------------------------------ commands (Sender)
  route('POST', `/${OCPI_VERSION}/commands/:command/:command_id`, 'commands', async (req, auth) => {
    const p = req.params as Params;
    await receiveCommandResult(ctx, auth, p.command ?? '', p.command_id ?? '', req.body);
    return {};
  });
}
