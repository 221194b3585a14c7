// A tiny fake eMSP for the simulator's HTTP tests: versions, credentials (both directions), Receiver endpoints for
// locations/tariffs/sessions/CDRs with minimal validation (2001 on malformed objects), real-time authorization and
// command result callbacks. It records every request it receives.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseLocation } from '../../../src/modules/network/index.ts';
import { parseTariff } from '../../../src/modules/tariffs/index.ts';

type Json = Record<string, unknown>;

export interface Received {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  answered?: { http: number; status_code: number };
}

const b64 = (t: string) => Buffer.from(t, 'utf8').toString('base64');
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const env = (status_code: number, data?: unknown, status_message?: string) => ({
  ...(data !== undefined ? { data } : {}),
  status_code,
  ...(status_message ? { status_message } : {}),
  timestamp: now(),
});

const EVSE_STATUSES = new Set([
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
const SESSION_STATUSES = new Set(['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION']);
const AUTH_METHODS = new Set(['AUTH_REQUEST', 'COMMAND', 'WHITELIST']);

export interface FakeEmsp {
  url: string;
  versionsUrl: string;
  tokenA: string;
  received: Received[];
  locations: Map<string, Json>;
  tariffs: Map<string, Json>;
  sessions: Map<string, Json>;
  cdrs: Map<string, Json>;
  commandResults: { path: string; body: Json }[];
  /** Token uid → allowed value for real-time authorization (unknown → 404/2004). */
  authorizations: Map<string, string>;
  /** The CPO's credentials once registered. */
  peer: { token: string; url: string; endpoints: { identifier: string; role: string; url: string }[] } | null;
  /** The token we accept from the CPO. */
  tokenIn: string | null;
  app: FastifyInstance;
  /** We register with the CPO (we are the credentials Sender). */
  registerWith(versionsUrl: string, tokenA: string): Promise<Json>;
  call(method: string, url: string, body?: unknown): Promise<{ status: number; headers: Headers; body: Json }>;
  endpoint(id: string): string;
  waitFor<T>(fn: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeEmsp(
  opts: { withTokensSender?: boolean; cc?: string; pid?: string } = {},
): Promise<FakeEmsp> {
  const app = Fastify({ logger: false });
  const cc = opts.cc ?? 'NL';
  const pid = opts.pid ?? 'EMP';
  const state = {
    tokenA: 'emsp-token-a-0001',
    tokenIn: null as string | null,
    peer: null as FakeEmsp['peer'],
  };
  const received: Received[] = [];
  const locations = new Map<string, Json>();
  const tariffs = new Map<string, Json>();
  const sessions = new Map<string, Json>();
  const cdrs = new Map<string, Json>();
  const commandResults: { path: string; body: Json }[] = [];
  const authorizations = new Map<string, string>();
  let base = '';

  const ourCredentials = (token: string) => ({
    token,
    url: `${base}/ocpi/versions`,
    roles: [{ role: 'EMSP', party_id: pid, country_code: cc, business_details: { name: 'Fake eMSP' } }],
  });
  const authed = (req: FastifyRequest, allowA: boolean) => {
    const h = req.headers.authorization;
    const ok = (t: string | null) => t !== null && h === `Token ${b64(t)}`;
    return ok(state.tokenIn) || (allowA && ok(state.tokenA));
  };
  const send = (req: FastifyRequest, reply: FastifyReply, http: number, code: number, data?: unknown, msg?: string) => {
    const rec = received.findLast((r) => r.url === req.url && r.method === req.method && !r.answered);
    if (rec) rec.answered = { http, status_code: code };
    return reply.code(http).send(env(code, data, msg));
  };

  app.addHook('preHandler', async (req) => {
    received.push({
      method: req.method,
      url: req.url,
      auth: req.headers.authorization,
      body: req.body,
      headers: req.headers,
    });
  });

  const endpoints = () => [
    { identifier: 'credentials', role: 'SENDER', url: `${base}/ocpi/2.2.1/credentials` },
    { identifier: 'locations', role: 'RECEIVER', url: `${base}/ocpi/2.2.1/locations` },
    { identifier: 'tariffs', role: 'RECEIVER', url: `${base}/ocpi/2.2.1/tariffs` },
    { identifier: 'sessions', role: 'RECEIVER', url: `${base}/ocpi/2.2.1/sessions` },
    { identifier: 'cdrs', role: 'RECEIVER', url: `${base}/ocpi/2.2.1/cdrs` },
    ...(opts.withTokensSender === false
      ? []
      : [{ identifier: 'tokens', role: 'SENDER', url: `${base}/ocpi/2.2.1/tokens` }]),
    { identifier: 'commands', role: 'SENDER', url: `${base}/ocpi/2.2.1/commands` },
  ];

  app.get('/ocpi/versions', async (req, reply) => {
    if (!authed(req, true)) return send(req, reply, 401, 2000);
    return send(req, reply, 200, 1000, [{ version: '2.2.1', url: `${base}/ocpi/2.2.1` }]);
  });
  app.get('/ocpi/2.2.1', async (req, reply) => {
    if (!authed(req, true)) return send(req, reply, 401, 2000);
    return send(req, reply, 200, 1000, { version: '2.2.1', endpoints: endpoints() });
  });

  const call = async (method: string, url: string, body?: unknown, token?: string) => {
    const t = token ?? state.peer?.token ?? '';
    const res = await fetch(url, {
      method,
      headers: {
        Authorization: `Token ${b64(t)}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json };
  };

  // The CPO registers with us: check token A, fetch its endpoints with its token B, answer with token C.
  app.post('/ocpi/2.2.1/credentials', async (req, reply) => {
    if (!authed(req, true)) return send(req, reply, 401, 2000);
    const body = req.body as { token: string; url: string };
    const versions = await call('GET', body.url, undefined, body.token);
    const v = (versions.body.data as { version: string; url: string }[]).find((x) => x.version === '2.2.1');
    if (!v) return send(req, reply, 200, 3002);
    const details = await call('GET', v.url, undefined, body.token);
    const tokenC = `emsp-token-c-${Math.random().toString(36).slice(2)}`;
    state.peer = {
      token: body.token,
      url: body.url,
      endpoints: (details.body.data as { endpoints: { identifier: string; role: string; url: string }[] }).endpoints,
    };
    state.tokenIn = tokenC;
    return send(req, reply, 200, 1000, ourCredentials(tokenC));
  });

  // ---------------------------------------------------------------------------------------------- receivers

  const ownerKey = (p: { cc: string; pid: string; id: string }) => `${p.cc}/${p.pid}/${p.id}`;
  type P = { Params: { cc: string; pid: string; id: string; evse?: string } };

  app.put<P>('/ocpi/2.2.1/locations/:cc/:pid/:id', async (req, reply) => {
    if (!authed(req, false)) return send(req, reply, 401, 2000);
    const parsed = parseLocation(req.body);
    if (!parsed.ok) return send(req, reply, 400, 2001, undefined, JSON.stringify(parsed.errors));
    if (parsed.location.id !== req.params.id) return send(req, reply, 400, 2001, undefined, 'id mismatch');
    const existed = locations.has(ownerKey(req.params));
    locations.set(ownerKey(req.params), parsed.location as Json);
    return send(req, reply, existed ? 200 : 201, 1000);
  });
  app.patch<P>('/ocpi/2.2.1/locations/:cc/:pid/:id/:evse', async (req, reply) => {
    if (!authed(req, false)) return send(req, reply, 401, 2000);
    const body = (req.body ?? {}) as Json;
    if (typeof body.last_updated !== 'string') return send(req, reply, 400, 2001, undefined, 'last_updated missing');
    if (body.status !== undefined && !EVSE_STATUSES.has(String(body.status))) {
      return send(req, reply, 400, 2001, undefined, 'bad status');
    }
    const loc = locations.get(ownerKey(req.params));
    const evse = (loc?.evses as Json[] | undefined)?.find((e) => e.uid === req.params.evse);
    if (!loc || !evse) return send(req, reply, 404, 2003);
    // Ignore stale PATCHes (older than what we have).
    if (Date.parse(String(body.last_updated)) < Date.parse(String(evse.last_updated)))
      return send(req, reply, 200, 1000);
    Object.assign(evse, body);
    loc.last_updated = body.last_updated;
    return send(req, reply, 200, 1000);
  });
  app.put<P>('/ocpi/2.2.1/tariffs/:cc/:pid/:id', async (req, reply) => {
    if (!authed(req, false)) return send(req, reply, 401, 2000);
    const parsed = parseTariff(req.body);
    if (!parsed.ok) return send(req, reply, 400, 2001, undefined, JSON.stringify(parsed.errors));
    tariffs.set(ownerKey(req.params), parsed.tariff as Json);
    return send(req, reply, 200, 1000);
  });
  const sessionOk = (s: Json) =>
    typeof s.id === 'string' &&
    typeof s.kwh === 'number' &&
    typeof s.start_date_time === 'string' &&
    typeof s.last_updated === 'string' &&
    SESSION_STATUSES.has(String(s.status)) &&
    AUTH_METHODS.has(String(s.auth_method));
  app.put<P>('/ocpi/2.2.1/sessions/:cc/:pid/:id', async (req, reply) => {
    if (!authed(req, false)) return send(req, reply, 401, 2000);
    const s = (req.body ?? {}) as Json;
    if (!sessionOk(s)) return send(req, reply, 400, 2001, undefined, 'invalid session');
    sessions.set(ownerKey(req.params), structuredClone(s));
    return send(req, reply, 200, 1000);
  });
  app.patch<P>('/ocpi/2.2.1/sessions/:cc/:pid/:id', async (req, reply) => {
    if (!authed(req, false)) return send(req, reply, 401, 2000);
    const patch = (req.body ?? {}) as Json;
    if (typeof patch.last_updated !== 'string') return send(req, reply, 400, 2001, undefined, 'last_updated missing');
    if (patch.status !== undefined && !SESSION_STATUSES.has(String(patch.status))) {
      return send(req, reply, 400, 2001, undefined, 'bad status');
    }
    const s = sessions.get(ownerKey(req.params));
    if (!s) return send(req, reply, 404, 2000);
    if (Date.parse(String(patch.last_updated)) < Date.parse(String(s.last_updated))) return send(req, reply, 200, 1000);
    const { charging_periods, ...rest } = patch;
    Object.assign(s, rest);
    if (Array.isArray(charging_periods)) {
      s.charging_periods = [...((s.charging_periods as unknown[]) ?? []), ...charging_periods];
    }
    return send(req, reply, 200, 1000);
  });
  app.post('/ocpi/2.2.1/cdrs', async (req, reply) => {
    if (!authed(req, false)) return send(req, reply, 401, 2000);
    const c = (req.body ?? {}) as Json;
    const okCdr =
      typeof c.id === 'string' &&
      typeof c.total_cost === 'object' &&
      c.total_cost !== null &&
      AUTH_METHODS.has(String(c.auth_method)) &&
      Array.isArray(c.charging_periods);
    if (!okCdr) return send(req, reply, 400, 2001, undefined, 'invalid CDR');
    cdrs.set(String(c.id), c);
    reply.header('Location', `${base}/ocpi/2.2.1/cdrs/${c.id}`);
    return send(req, reply, 200, 1000);
  });
  app.post<{ Params: { uid: string }; Querystring: { type?: string } }>(
    '/ocpi/2.2.1/tokens/:uid/authorize',
    async (req, reply) => {
      if (!authed(req, false)) return send(req, reply, 401, 2000);
      const allowed = authorizations.get(req.params.uid);
      if (!allowed) return send(req, reply, 404, 2004, undefined, 'unknown token');
      return send(req, reply, 200, 1000, {
        allowed,
        token: {
          country_code: cc,
          party_id: pid,
          uid: req.params.uid,
          type: req.query.type ?? 'RFID',
          contract_id: `${cc}-${pid}-C${req.params.uid}`,
          issuer: 'Fake eMSP',
          valid: true,
          whitelist: 'NEVER',
          last_updated: now(),
        },
        authorization_reference: `AUTH-${req.params.uid}`,
      });
    },
  );
  app.post<{ Params: { '*': string } }>('/ocpi/2.2.1/commands/*', async (req, reply) => {
    commandResults.push({ path: req.params['*'], body: req.body as Json });
    return send(req, reply, 200, 1000);
  });

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  base = address;

  const fake: FakeEmsp = {
    url: base,
    versionsUrl: `${base}/ocpi/versions`,
    get tokenA() {
      return state.tokenA;
    },
    received,
    locations,
    tariffs,
    sessions,
    cdrs,
    commandResults,
    authorizations,
    get peer() {
      return state.peer;
    },
    get tokenIn() {
      return state.tokenIn;
    },
    app,
    async registerWith(versionsUrl, tokenA) {
      const versions = await call('GET', versionsUrl, undefined, tokenA);
      const v = (versions.body.data as { version: string; url: string }[]).find((x) => x.version === '2.2.1');
      if (!v) throw new Error('no 2.2.1');
      const details = await call('GET', v.url, undefined, tokenA);
      const eps = (details.body.data as { endpoints: { identifier: string; role: string; url: string }[] }).endpoints;
      const credUrl = eps.find((e) => e.identifier === 'credentials')?.url as string;
      const tokenB = `emsp-token-b-${Math.random().toString(36).slice(2)}`;
      state.tokenIn = tokenB;
      const res = await call('POST', credUrl, ourCredentials(tokenB), tokenA);
      const data = res.body.data as { token: string; url: string } | undefined;
      if (res.status === 200 && data) state.peer = { token: data.token, url: data.url, endpoints: eps };
      return { http: res.status, ...res.body };
    },
    call: (method, url, body) => call(method, url, body),
    endpoint(id) {
      const e = state.peer?.endpoints.find((x) => x.identifier === id);
      if (!e) throw new Error(`CPO has no ${id} endpoint`);
      return e.url;
    },
    async waitFor(fn, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = fn();
        if (v) return v as never;
        if (Date.now() > deadline) throw new Error('waitFor: timed out');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => app.close(),
  };
  return fake;
}
