// An HTTP app with the identity and mail modules on a test database, a clock the test moves, and every log line
// captured (to assert that no secret is logged).
import type { FastifyPluginAsync, LightMyRequestResponse } from 'fastify';
import { createIdentityModule, driverOf, type IdentityModule } from '../../../src/modules/identity/index.ts';
import { createMailModule, type MailModule } from '../../../src/modules/mail/index.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

export const ADMIN = 'identity-test-admin';
export const SECRET = 'identity-test-session-secret-0123456789abcdef';
export const PUBLIC_URL = 'http://lataus.test:8080';
export const CSRF = { 'x-requested-with': 'lataus' };

export interface Harness {
  t: TestDatabase;
  app: App;
  identity: IdentityModule;
  mail: MailModule;
  logs: string[];
  /** Moves the injected clock. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function startHarness(opts: { publicUrl?: string; t?: TestDatabase } = {}): Promise<Harness> {
  const t = opts.t ?? (await openTestDatabase());
  let now = Date.now();
  const mail = createMailModule({
    db: t.db,
    config: { SMTP_URL: undefined, MAIL_FROM: 'Lataus <no-reply@lataus.test>', adminToken: ADMIN },
  });
  const identity = createIdentityModule({
    db: t.db,
    mailer: mail.mailer,
    config: { PUBLIC_URL: opts.publicUrl ?? PUBLIC_URL, PORT: 3000, sessionSecret: SECRET },
    clock: () => new Date(now),
  });
  // A stand-in for a later module (cards, sessions) guarding its routes with requireDriver.
  const otherModule: FastifyPluginAsync = async (app) => {
    app.get('/test/whoami', { preHandler: identity.requireDriver }, async (req) => driverOf(req));
    app.post('/test/action', { preHandler: identity.requireDriver }, async (req) => ({ by: driverOf(req).id }));
  };
  const logs: string[] = [];
  const app = await buildApp({
    logLevel: 'trace',
    logStream: { write: (line) => void logs.push(line) },
    modules: [identity.routes, mail.routes, otherModule],
    ready: async () => ({ ok: true }),
  });
  return {
    t,
    app,
    identity,
    mail,
    logs,
    advance: (ms) => {
      now += ms;
    },
    async close() {
      await app.close();
      await mail.close();
      if (!opts.t) await t.close();
    },
  };
}

/** `lataus_session=…` from a response's Set-Cookie, ready for a Cookie header. */
export function sessionCookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const line = (Array.isArray(header) ? header : [header ?? '']).find((c) => c.startsWith('lataus_session='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return line.split(';')[0]!;
}

/** The raw session token inside the cookie (before the signature). */
export function sessionTokenOf(cookie: string): string {
  return decodeURIComponent(cookie.slice('lataus_session='.length)).split('.')[0]!;
}

export async function signUp(h: Harness, email: string, password: string, name?: string) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers: CSRF,
    payload: { email, password, ...(name ? { name } : {}) },
  });
}

export async function signIn(h: Harness, email: string, password: string, remoteAddress = '127.0.0.1') {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/signin',
    headers: CSRF,
    payload: { email, password },
    remoteAddress,
  });
}

export async function me(h: Harness, cookie?: string) {
  return h.app.inject({ method: 'GET', url: '/api/v1/me', headers: cookie ? { cookie } : {} });
}

/** The newest mail to `to` in the outbox. */
export async function lastMailTo(h: Harness, to: string) {
  return h.t.db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export function resetTokenIn(text: string): string {
  const m = /\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error('no reset link in the mail');
  return m[1]!;
}
