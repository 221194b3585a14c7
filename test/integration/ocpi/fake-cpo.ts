// A small OCPI 2.2.1 CPO peer for tests (until/besides the CPO simulator): versions, credentials (both ways),
// paginated Sender lists of locations/tariffs/sessions/cdrs with date filters, a tokens Receiver and a commands
// Receiver that answers ACCEPTED and posts the CommandResult to the response_url.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { authorizationHeader, tokenCandidates } from '../../../src/ocpi/core/auth.ts';

export interface FakeCpo {
  url: string;
  versionsUrl: string;
  /** Token A to hand to Lataus (we register with the CPO). */
  tokenA: string;
  /** The token the CPO uses to call Lataus (B or after registration). */
  theirToken(): string | null;
  /** The token Lataus uses to call the CPO (C). */
  ourToken(): string | null;
  data: { locations: Obj[]; tariffs: Obj[]; sessions: Obj[]; cdrs: Obj[] };
  tokens: Map<string, Obj>;
  commands: Obj[];
  /** Fails the next n list requests with HTTP 500 (resume tests). */
  failLists(n: number): void;
  listRequests: string[];
  /** Registers with Lataus (the CPO is the credentials Sender). */
  registerWith(versionsUrl: string, tokenA: string): Promise<Obj>;
  callLataus(method: string, url: string, body?: unknown): Promise<{ status: number; json: Obj; headers: Headers }>;
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;

const env = (data: unknown, status_code = 1000) => ({ data, status_code, timestamp: new Date().toISOString() });

export async function startFakeCpo(
  opts: {
    country_code?: string;
    party_id?: string;
    /** More CPO parties in the credentials roles (a platform hosting several parties). */
    parties?: { country_code: string; party_id: string }[];
    pageSize?: number;
    commandResult?: string;
  } = {},
): Promise<FakeCpo> {
  const cc = opts.country_code ?? 'NL';
  const pid = opts.party_id ?? 'CPO';
  const pageSize = opts.pageSize ?? 2;
  const tokenA = `A-${randomBytes(8).toString('hex')}`;
  let tokenC: string | null = null; // Lataus → CPO
  let tokenB: string | null = null; // CPO → Lataus
  let latausEndpoints: Obj[] = [];
  let failures = 0;
  const listRequests: string[] = [];
  const data = { locations: [] as Obj[], tariffs: [] as Obj[], sessions: [] as Obj[], cdrs: [] as Obj[] };
  const tokens = new Map<string, Obj>();
  const commands: Obj[] = [];
  const app: FastifyInstance = Fastify({ logger: false });
  let base = '';

  const authed = (req: FastifyRequest, allowA = false) => {
    const c = tokenCandidates(req.headers.authorization) ?? [];
    return c.some((t) => t === tokenC || (allowA && t === tokenA));
  };
  const ourCreds = (token: string) => ({
    token,
    url: `${base}/versions`,
    roles: [{ country_code: cc, party_id: pid }, ...(opts.parties ?? [])].map((p) => ({
      role: 'CPO',
      ...p,
      business_details: { name: `Fake CPO ${p.party_id}` },
    })),
  });
  const callLataus = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(url, {
      method,
      headers: {
        authorization: authorizationHeader(tokenB ?? ''),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'ocpi-from-country-code': cc,
        'ocpi-from-party-id': pid,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Obj, headers: res.headers };
  };
  const fetchLatausEndpoints = async (versionsUrl: string) => {
    const v = await callLataus('GET', versionsUrl);
    const mine = ((v.json.data as Obj[]) ?? []).find((x) => x.version === '2.2.1');
    if (!mine) throw new Error('no 2.2.1');
    const d = await callLataus('GET', String(mine.url));
    latausEndpoints = ((d.json.data as Obj)?.endpoints as Obj[]) ?? [];
  };

  app.get('/versions', async (req, reply) => {
    if (!authed(req, true)) return reply.status(401).send(env(undefined, 2000));
    return env([{ version: '2.2.1', url: `${base}/2.2.1` }]);
  });
  app.get('/2.2.1', async (req, reply) => {
    if (!authed(req, true)) return reply.status(401).send(env(undefined, 2000));
    const ep = (identifier: string, role: string) => ({ identifier, role, url: `${base}/2.2.1/${identifier}` });
    return env({
      version: '2.2.1',
      endpoints: [
        ep('credentials', 'SENDER'),
        ep('locations', 'SENDER'),
        ep('tariffs', 'SENDER'),
        ep('sessions', 'SENDER'),
        ep('cdrs', 'SENDER'),
        ep('tokens', 'RECEIVER'),
        ep('commands', 'RECEIVER'),
      ],
    });
  });
  app.post('/2.2.1/credentials', async (req, reply) => {
    if (!authed(req, true)) return reply.status(401).send(env(undefined, 2000));
    if (tokenB) return reply.status(405).send(env(undefined, 2000));
    const body = req.body as Obj;
    tokenB = String(body.token);
    try {
      await fetchLatausEndpoints(String(body.url));
    } catch {
      tokenB = null;
      return env(undefined, 3001);
    }
    tokenC = `C-${randomBytes(8).toString('hex')}`;
    return env(ourCreds(tokenC));
  });
  app.put('/2.2.1/credentials', async (req, reply) => {
    if (!authed(req)) return reply.status(401).send(env(undefined, 2000));
    const body = req.body as Obj;
    tokenB = String(body.token);
    await fetchLatausEndpoints(String(body.url));
    tokenC = `C-${randomBytes(8).toString('hex')}`;
    return env(ourCreds(tokenC));
  });
  app.delete('/2.2.1/credentials', async (req, reply) => {
    if (!authed(req)) return reply.status(401).send(env(undefined, 2000));
    tokenB = null;
    tokenC = null;
    return env(undefined);
  });
  for (const module of ['locations', 'tariffs', 'sessions', 'cdrs'] as const) {
    app.get(`/2.2.1/${module}`, async (req, reply) => {
      if (!authed(req)) return reply.status(401).send(env(undefined, 2000));
      listRequests.push(`${module}?${req.url.split('?')[1] ?? ''}`);
      if (failures > 0) {
        failures--;
        return reply.status(500).send(env(undefined, 3000));
      }
      const q = req.query as Record<string, string>;
      const from = q.date_from ? Date.parse(q.date_from) : -Infinity;
      const to = q.date_to ? Date.parse(q.date_to) : Infinity;
      const all = data[module].filter((o) => {
        const t = Date.parse(String(o.last_updated));
        return t >= from && t < to;
      });
      const offset = Number(q.offset ?? 0);
      const limit = Math.min(Number(q.limit ?? pageSize), pageSize);
      const page = all.slice(offset, offset + limit);
      reply.header('x-total-count', String(all.length)).header('x-limit', String(pageSize));
      if (offset + page.length < all.length) {
        const u = new URL(`${base}/2.2.1/${module}`);
        if (q.date_from) u.searchParams.set('date_from', q.date_from);
        if (q.date_to) u.searchParams.set('date_to', q.date_to);
        u.searchParams.set('offset', String(offset + page.length));
        u.searchParams.set('limit', String(limit));
        reply.header('link', `<${u}>; rel="next"`);
      }
      return env(page);
    });
  }
  app.put('/2.2.1/tokens/:cc/:pid/:uid', async (req, reply) => {
    if (!authed(req)) return reply.status(401).send(env(undefined, 2000));
    const p = req.params as Record<string, string>;
    tokens.set(`${p.cc}/${p.pid}/${p.uid}`, req.body as Obj);
    return env(undefined);
  });
  app.post('/2.2.1/commands/:type', async (req, reply) => {
    if (!authed(req)) return reply.status(401).send(env(undefined, 2000));
    const body = req.body as Obj;
    const type = (req.params as Record<string, string>).type;
    commands.push({ type, ...body });
    setTimeout(() => {
      void fetch(String(body.response_url), {
        method: 'POST',
        headers: { authorization: authorizationHeader(tokenB ?? ''), 'content-type': 'application/json' },
        body: JSON.stringify({ result: opts.commandResult ?? 'ACCEPTED' }),
      }).catch(() => {});
    }, 20);
    return env({ result: 'ACCEPTED', timeout: 30 });
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return {
    url: base,
    versionsUrl: `${base}/versions`,
    tokenA,
    theirToken: () => tokenB,
    ourToken: () => tokenC,
    data,
    tokens,
    commands,
    listRequests,
    failLists(n) {
      failures = n;
    },
    async registerWith(versionsUrl, latausTokenA) {
      // The CPO as credentials Sender: GET versions with token A, POST its credentials with a fresh token B.
      tokenB = latausTokenA;
      await fetchLatausEndpoints(versionsUrl);
      const cred = latausEndpoints.find((e) => e.identifier === 'credentials');
      const myToken = `B-${randomBytes(8).toString('hex')}`;
      tokenC = myToken; // what Lataus will use to call us
      const r = await callLataus('POST', String(cred?.url), ourCreds(myToken));
      if (r.json.status_code === 1000) tokenB = String((r.json.data as Obj).token);
      return r.json;
    },
    callLataus,
    close: () => app.close(),
  };
}
