// HTTP shell of the CPO simulator: its OCPI 2.2.1 CPO endpoints (versions, credentials, Locations/Tariffs/
// Sessions/CDRs Sender, Tokens and Commands Receiver) and the /__sim control endpoints.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { EvseStatus } from '../../src/modules/network/index.ts';
import { DEFAULT_OPTIONS, type FaultSettings, type SimulatorOptions } from './core/config.ts';
import { MALFORMED_KINDS, type MalformedKind } from './core/faults.ts';
import {
  envelope,
  OCPI_VERSION,
  type PageQuery,
  paginate,
  parsePageQuery,
  STATUS,
  tokensFromAuthorization,
} from './core/ocpi.ts';
import {
  CancelReservationSchema,
  ChargingPreferencesSchema,
  type CommandType,
  CommandTypeSchema,
  issues,
  ReserveNowSchema,
  StartSessionSchema,
  StopSessionSchema,
  TokenPatchSchema,
  TokenSchema,
  UnlockConnectorSchema,
} from './core/schemas.ts';
import { CpoSimulation } from './simulation.ts';

export type StartOptions = Partial<Omit<SimulatorOptions, 'faults'>> & { faults?: Partial<FaultSettings> };

export interface RunningCpoSimulator {
  /** Base URL (public URL when given). */
  url: string;
  versionsUrl: string;
  /** Token A an eMSP registers with. */
  tokenA: string;
  sim: CpoSimulation;
  app: FastifyInstance;
  state(): Record<string, unknown>;
  /** Registers with an eMSP (we are the credentials Sender). */
  registerWith(versionsUrl: string, tokenA: string): Promise<{ ok: boolean; message: string }>;
  /** Resolves when no push is queued or in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

type Req = FastifyRequest;
type Json = Record<string, unknown>;

const MODULE_PREFIX = `/ocpi/cpo/${OCPI_VERSION}`;
const VERSION_STATUSES: ReadonlySet<string> = new Set([
  'AVAILABLE',
  'BLOCKED',
  'CHARGING',
  'INOPERATIVE',
  'OUTOFORDER',
  'PLANNED',
  'REMOVED',
  'RESERVED',
  'UNKNOWN',
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCpoSimulator(input: StartOptions = {}): Promise<RunningCpoSimulator> {
  const opts: SimulatorOptions = {
    ...DEFAULT_OPTIONS,
    ...input,
    faults: { ...DEFAULT_OPTIONS.faults, ...input.faults },
  };
  const log = (msg: string) => console.log(`cpo-sim: ${msg}`);
  const sim = new CpoSimulation(opts, opts.verbose ? log : () => {});
  const app = Fastify({ logger: false });

  // JSON bodies: empty → undefined; invalid → HTTP 400 with an OCPI envelope (2001).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new Error('invalid JSON') as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  const ok = (reply: FastifyReply, data: unknown, httpStatus = 200) =>
    reply.code(httpStatus).send(envelope(data, STATUS.SUCCESS, Date.now()));
  const fail = (reply: FastifyReply, httpStatus: number, code: number, message: string, data?: unknown) =>
    reply.code(httpStatus).send(envelope(data, code, Date.now(), message));

  app.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
    if (error.statusCode === 400) return fail(reply, 400, STATUS.INVALID_PARAMETERS, error.message);
    log(`error: ${error.stack ?? error.message}`);
    return fail(reply, 500, STATUS.SERVER_ERROR, 'internal error');
  });
  app.setNotFoundHandler((req, reply) => fail(reply, 404, STATUS.CLIENT_ERROR, `no route ${req.method} ${req.url}`));

  // Fault injection on our answers, and unique-id / routing headers.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/ocpi/')) return;
    const f = sim.faults;
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (f.errorRate > 0 && Math.random() < f.errorRate) {
      return fail(reply, 503, STATUS.SERVER_ERROR, 'simulated outage (fault mode)');
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.url.startsWith('/ocpi/')) return payload;
    const requestId = req.headers['x-request-id'];
    const correlationId = req.headers['x-correlation-id'];
    if (typeof requestId === 'string') reply.header('X-Request-ID', requestId);
    if (typeof correlationId === 'string') reply.header('X-Correlation-ID', correlationId);
    if (req.url.startsWith(MODULE_PREFIX) && !req.url.startsWith(`${MODULE_PREFIX}/credentials`)) {
      reply.header('OCPI-from-country-code', opts.countryCode);
      reply.header('OCPI-from-party-id', opts.partyId);
      const fromCc = req.headers['ocpi-from-country-code'];
      const fromPid = req.headers['ocpi-from-party-id'];
      if (typeof fromCc === 'string') reply.header('OCPI-to-country-code', fromCc);
      if (typeof fromPid === 'string') reply.header('OCPI-to-party-id', fromPid);
    }
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    if (!req.url.startsWith('/ocpi/')) return;
    sim.recordIncoming({ method: req.method, url: req.url, http_status: reply.statusCode, status_code: null });
  });

  const guard =
    (kind: 'registration' | 'module') =>
    async (req: Req, reply: FastifyReply): Promise<void> => {
      const candidates = tokensFromAuthorization(req.headers.authorization);
      if (!sim.authenticate(candidates, kind)) {
        await fail(reply, 401, STATUS.CLIENT_ERROR, 'missing or unknown credentials token');
      }
    };
  const registration = { preHandler: guard('registration') };
  const module = { preHandler: guard('module') };

  // ------------------------------------------------------------------------------------------------ versions

  app.get('/ocpi/cpo/versions', registration, async (_req, reply) =>
    ok(reply, [{ version: OCPI_VERSION, url: sim.versionDetailsUrl }]),
  );
  app.get(MODULE_PREFIX, registration, async (_req, reply) => ok(reply, sim.versionDetails()));

  // ------------------------------------------------------------------------------------------------ credentials

  const credentials = `${MODULE_PREFIX}/credentials`;
  app.get(credentials, registration, async (req, reply) => {
    const token = sim.peer?.tokenIn ?? sim.ownTokenA;
    const presented = tokensFromAuthorization(req.headers.authorization);
    return ok(reply, sim.ownCredentials(presented.includes(token) ? token : (presented[0] ?? token)));
  });
  for (const method of ['POST', 'PUT'] as const) {
    app.route({
      method,
      url: credentials,
      preHandler: guard('registration'),
      handler: async (req, reply) => {
        const r = await sim.acceptCredentials(req.body, method);
        if (r.statusCode === STATUS.SUCCESS) return ok(reply, r.data);
        return fail(reply, r.httpStatus, r.statusCode, r.message ?? 'failed');
      },
    });
  }
  app.delete(credentials, registration, async (_req, reply) => {
    if (!sim.unregister()) return fail(reply, 405, STATUS.CLIENT_ERROR, 'not registered');
    return ok(reply, undefined);
  });

  // ------------------------------------------------------------------------------------------------ Sender lists

  const page = <T>(
    req: Req,
    reply: FastifyReply,
    all: readonly T[],
    lastUpdated: (t: T) => string,
    url: string,
    requireDateFrom = false,
  ) => {
    const parsed = parsePageQuery(req.query as Record<string, string | undefined>, opts.pageLimit, {
      requireDateFrom,
    });
    if (!parsed.ok) return fail(reply, 200, STATUS.INVALID_PARAMETERS, parsed.message);
    const query: PageQuery = parsed.query;
    const p = paginate(all, lastUpdated, query, opts.pageLimit, url);
    for (const [k, v] of Object.entries(p.headers)) reply.header(k, v);
    return ok(reply, p.items);
  };

  app.get(`${MODULE_PREFIX}/locations`, module, async (req, reply) =>
    page(req, reply, [...sim.locations.values()], (l) => l.last_updated, sim.moduleUrl('locations')),
  );
  app.get<{ Params: { location_id: string; evse_uid?: string; connector_id?: string } }>(
    `${MODULE_PREFIX}/locations/:location_id`,
    module,
    async (req, reply) => {
      const l = sim.locations.get(req.params.location_id);
      return l ? ok(reply, l) : fail(reply, 404, STATUS.UNKNOWN_LOCATION, 'unknown location');
    },
  );
  app.get<{ Params: { location_id: string; evse_uid: string } }>(
    `${MODULE_PREFIX}/locations/:location_id/:evse_uid`,
    module,
    async (req, reply) => {
      const l = sim.locations.get(req.params.location_id);
      const e = l?.evses?.find((x) => x.uid === req.params.evse_uid);
      return e ? ok(reply, e) : fail(reply, 404, STATUS.UNKNOWN_LOCATION, 'unknown location or EVSE');
    },
  );
  app.get<{ Params: { location_id: string; evse_uid: string; connector_id: string } }>(
    `${MODULE_PREFIX}/locations/:location_id/:evse_uid/:connector_id`,
    module,
    async (req, reply) => {
      const l = sim.locations.get(req.params.location_id);
      const e = l?.evses?.find((x) => x.uid === req.params.evse_uid);
      const c = e?.connectors.find((x) => x.id === req.params.connector_id);
      return c ? ok(reply, c) : fail(reply, 404, STATUS.UNKNOWN_LOCATION, 'unknown location, EVSE or connector');
    },
  );
  app.get(`${MODULE_PREFIX}/tariffs`, module, async (req, reply) =>
    page(req, reply, [...sim.tariffs.values()], (t) => String(t.last_updated), sim.moduleUrl('tariffs')),
  );
  app.get(`${MODULE_PREFIX}/sessions`, module, async (req, reply) =>
    page(req, reply, sim.sessionList(), (s) => String(s.last_updated), sim.moduleUrl('sessions'), true),
  );
  app.put<{ Params: { session_id: string } }>(
    `${MODULE_PREFIX}/sessions/:session_id/charging_preferences`,
    module,
    async (req, reply) => {
      const s = sim.sessions.get(req.params.session_id);
      if (!s) return fail(reply, 404, STATUS.CLIENT_ERROR, 'unknown session');
      const prefs = ChargingPreferencesSchema.safeParse(req.body);
      if (!prefs.success) return fail(reply, 400, STATUS.INVALID_PARAMETERS, issues(prefs.error));
      if (!s.evse.capabilities?.includes('CHARGING_PREFERENCES_CAPABLE')) {
        return fail(reply, 404, STATUS.INVALID_PARAMETERS, 'EVSE is not CHARGING_PREFERENCES_CAPABLE');
      }
      return ok(reply, 'NOT_POSSIBLE');
    },
  );
  app.get(`${MODULE_PREFIX}/cdrs`, module, async (req, reply) =>
    page(req, reply, sim.cdrs, (c) => String(c.last_updated), sim.moduleUrl('cdrs')),
  );

  // ------------------------------------------------------------------------------------------------ Tokens Receiver

  type TokenParams = {
    Params: { country_code: string; party_id: string; token_uid: string };
    Querystring: { type?: string };
  };
  const tokenUrl = `${MODULE_PREFIX}/tokens/:country_code/:party_id/:token_uid`;
  const tokenType = (q: { type?: string }) => q.type ?? 'RFID';

  app.get<TokenParams>(tokenUrl, module, async (req, reply) => {
    const p = req.params;
    const t = sim.tokens.get(sim.tokenKey(p.country_code, p.party_id, p.token_uid, tokenType(req.query)));
    return t ? ok(reply, t) : fail(reply, 404, STATUS.UNKNOWN_TOKEN, 'unknown token');
  });
  app.put<TokenParams>(tokenUrl, module, async (req, reply) => {
    const p = req.params;
    const parsed = TokenSchema.safeParse(req.body);
    if (!parsed.success) return fail(reply, 400, STATUS.INVALID_PARAMETERS, issues(parsed.error));
    const t = parsed.data;
    const type = req.query.type ?? t.type;
    if (
      t.country_code.toUpperCase() !== p.country_code.toUpperCase() ||
      t.party_id.toUpperCase() !== p.party_id.toUpperCase() ||
      t.uid.toUpperCase() !== p.token_uid.toUpperCase() ||
      t.type !== type
    ) {
      return fail(reply, 400, STATUS.INVALID_PARAMETERS, 'URL and body disagree (country_code/party_id/uid/type)');
    }
    const key = sim.tokenKey(p.country_code, p.party_id, p.token_uid, t.type);
    const existed = sim.tokens.has(key);
    sim.tokens.set(key, t);
    return ok(reply, undefined, existed ? 200 : 201);
  });
  app.patch<TokenParams>(tokenUrl, module, async (req, reply) => {
    const p = req.params;
    const key = sim.tokenKey(p.country_code, p.party_id, p.token_uid, tokenType(req.query));
    const existing = sim.tokens.get(key);
    if (!existing) return fail(reply, 404, STATUS.UNKNOWN_TOKEN, 'unknown token');
    const parsed = TokenPatchSchema.safeParse(req.body);
    if (!parsed.success) return fail(reply, 400, STATUS.INVALID_PARAMETERS, issues(parsed.error));
    const merged = TokenSchema.safeParse({ ...existing, ...parsed.data });
    if (!merged.success) return fail(reply, 400, STATUS.INVALID_PARAMETERS, issues(merged.error));
    if (merged.data.uid !== existing.uid || merged.data.type !== existing.type) {
      return fail(reply, 400, STATUS.INVALID_PARAMETERS, 'uid and type cannot change');
    }
    sim.tokens.set(key, merged.data);
    return ok(reply, undefined);
  });

  // ------------------------------------------------------------------------------------------------ Commands Receiver

  const commandSchemas = {
    START_SESSION: StartSessionSchema,
    STOP_SESSION: StopSessionSchema,
    RESERVE_NOW: ReserveNowSchema,
    CANCEL_RESERVATION: CancelReservationSchema,
    UNLOCK_CONNECTOR: UnlockConnectorSchema,
  } as const;
  app.post<{ Params: { command: string } }>(`${MODULE_PREFIX}/commands/:command`, module, async (req, reply) => {
    const type = CommandTypeSchema.safeParse(req.params.command);
    if (!type.success) {
      return fail(reply, 404, STATUS.INVALID_PARAMETERS, `unknown command ${req.params.command}`, {
        result: 'NOT_SUPPORTED',
        timeout: 0,
      });
    }
    const parsed = commandSchemas[type.data as CommandType].safeParse(req.body);
    if (!parsed.success) {
      return fail(reply, 400, STATUS.INVALID_PARAMETERS, issues(parsed.error), { result: 'REJECTED', timeout: 0 });
    }
    const r = sim.command(type.data, parsed.data as Json);
    return reply.code(r.httpStatus).send(envelope(r.data, r.statusCode, Date.now()));
  });

  // ------------------------------------------------------------------------------------------------ /__sim

  app.get<{ Querystring: { log?: string } }>('/__sim/state', async (req) =>
    sim.summary(req.query.log !== undefined ? Number(req.query.log) || 0 : 200),
  );
  app.get<{ Params: { id: string } }>('/__sim/sessions/:id', async (req, reply) => {
    const s = sim.sessions.get(req.params.id);
    if (!s) return reply.code(404).send({ error: 'unknown session' });
    return { session: s.session, cdr: sim.cdrs.find((c) => c.session_id === s.id) ?? null };
  });
  app.get('/__sim/cdrs', async () => sim.cdrs);
  app.post<{ Body: { unregister?: boolean; push?: boolean } | undefined }>('/__sim/reset', async (req) => {
    sim.reset({ unregister: req.body?.unregister === true });
    if (req.body?.push && sim.peer) await sim.pushNetwork();
    return sim.summary(0);
  });
  app.post<{ Params: { id: string } }>('/__sim/sessions/:id/stop', async (req, reply) => {
    const r = sim.stopSession(req.params.id, 'Stopped at the charger.');
    if (!r.ok) return reply.code(r.message === 'unknown session' ? 404 : 409).send(r);
    return r;
  });
  app.post<{ Body: { location_id?: string; evse_uid?: string; status?: string } | undefined }>(
    '/__sim/status',
    async (req, reply) => {
      const b = req.body ?? {};
      if (b.status !== undefined && !VERSION_STATUSES.has(b.status)) {
        return reply.code(400).send({ error: `unknown status ${b.status}` });
      }
      const r = sim.forceStatus({
        ...(b.location_id ? { location_id: b.location_id } : {}),
        ...(b.evse_uid ? { evse_uid: b.evse_uid } : {}),
        ...(b.status ? { status: b.status as EvseStatus } : {}),
      });
      if (!r) return reply.code(404).send({ error: 'no such EVSE' });
      return r;
    },
  );
  app.post<{
    Body: {
      token_uid?: string;
      token_type?: string;
      location_id?: string;
      evse_uid?: string;
      connector_id?: string;
      vehicle?: Json;
    };
  }>('/__sim/swipe', async (req, reply) => {
    const b = req.body ?? {};
    if (!b.token_uid) return reply.code(400).send({ error: 'token_uid is required' });
    const r = await sim.swipe({
      token_uid: b.token_uid,
      ...(b.token_type ? { token_type: b.token_type } : {}),
      ...(b.location_id ? { location_id: b.location_id } : {}),
      ...(b.evse_uid ? { evse_uid: b.evse_uid } : {}),
      ...(b.connector_id ? { connector_id: b.connector_id } : {}),
      ...(b.vehicle ? { vehicle: b.vehicle } : {}),
    });
    return r;
  });
  app.get('/__sim/faults', async () => sim.faults);
  app.post<{ Body: Partial<FaultSettings> | undefined }>('/__sim/faults', async (req, reply) => {
    const b = req.body ?? {};
    const next = { ...sim.faults };
    for (const key of Object.keys(next) as (keyof FaultSettings)[]) {
      const v = b[key];
      if (v === undefined) continue;
      const max = key === 'latencyMs' ? 600_000 : 1;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
        return reply.code(400).send({ error: `${key} must be a number in [0, ${max}]` });
      }
      next[key] = v;
    }
    sim.faults = next;
    return sim.faults;
  });
  app.post<{ Body: { kind?: string; variant?: string } | undefined }>('/__sim/malformed', async (req, reply) => {
    const kind = req.body?.kind ?? 'location';
    if (!(MALFORMED_KINDS as readonly string[]).includes(kind)) {
      return reply.code(400).send({ error: `kind must be one of ${MALFORMED_KINDS.join(', ')}` });
    }
    const variant = req.body?.variant === 'enum' ? 'enum' : 'missing';
    const rec = await sim.sendMalformed(kind as MalformedKind, variant);
    if (!rec) return reply.code(409).send({ error: 'not registered, or the eMSP has no endpoint for this module' });
    return rec;
  });
  app.post<{ Body: { what?: 'all' | 'locations' | 'tariffs' } | undefined }>('/__sim/push', async (req, reply) => {
    if (!sim.peer) return reply.code(409).send({ error: 'not registered' });
    return sim.pushNetwork(req.body?.what ?? 'all');
  });
  app.post<{ Body: { versions_url?: string; token_a?: string } | undefined }>('/__sim/register', async (req, reply) => {
    const b = req.body ?? {};
    if (!b.versions_url || !b.token_a) return reply.code(400).send({ error: 'versions_url and token_a are required' });
    const r = await sim.registerWith(b.versions_url, b.token_a);
    return reply.code(r.ok ? 200 : 502).send(r);
  });
  app.post('/__sim/unregister', async () => ({ ok: sim.unregister() }));
  app.post('/__sim/idle', async () => {
    await sim.queue.idle();
    return { ok: true };
  });

  const address = await app.listen({ host: opts.host, port: opts.port });
  const listenUrl = address.replace('[::1]', '127.0.0.1');
  const url = opts.publicUrl ?? listenUrl;
  sim.baseUrl = url;
  sim.start();

  if (opts.emspVersionsUrl && opts.emspTokenA) {
    const r = await sim.registerWith(opts.emspVersionsUrl, opts.emspTokenA);
    if (!r.ok) log(`registration with ${opts.emspVersionsUrl} failed: ${r.message}`);
  }

  return {
    url,
    versionsUrl: sim.versionsUrl,
    tokenA: sim.ownTokenA,
    sim,
    app,
    state: () => sim.summary(),
    registerWith: (versionsUrl, tokenA) => sim.registerWith(versionsUrl, tokenA),
    idle: () => sim.queue.idle(),
    close: async () => {
      await sim.close();
      await app.close();
    },
  };
}
