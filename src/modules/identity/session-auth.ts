// Session cookies and the `requireDriver` preHandler. The cookie `lataus_session` carries the session token signed
// with SESSION_SECRET by @fastify/cookie's signer (HMAC-SHA256). The helpers below read and write that one cookie
// directly from the headers, so `requireDriver` works in any module's plugin context without the cookie plugin
// being registered there (and without clashing with a registration elsewhere).
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/http/errors.ts';
import type { AuthenticatedDriver, IdentityService } from './identity.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireDriver`: the signed-in driver. */
    driver?: AuthenticatedDriver;
  }
}

export const SESSION_COOKIE = 'lataus_session';
/** Cookie-authenticated state-changing requests must carry `X-Requested-With: lataus` (see docs/identity.md). */
export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'lataus';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CookieSettings {
  secret: string;
  /** Adds `Secure` (true when PUBLIC_URL is https). */
  secure: boolean;
}

/**
 * Rejects a state-changing request without the CSRF header. A browser only sends a custom header cross-origin
 * after a CORS preflight, which this API never grants; HTML forms and simple fetches cannot set it.
 */
export function requireCsrfHeader(req: FastifyRequest): void {
  if (SAFE_METHODS.has(req.method)) return;
  const value = req.headers[CSRF_HEADER];
  if (typeof value === 'string' && value.trim().toLowerCase() === CSRF_VALUE) return;
  throw new AppError(
    'CSRF_REJECTED',
    `State-changing requests must send the header ${'X-Requested-With'}: ${CSRF_VALUE}`,
  );
}

/** The session token from the signed cookie, or null when absent or the signature does not match. */
export function sessionTokenOf(req: FastifyRequest, secret: string): string | null {
  const raw = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (!raw) return null;
  const unsigned = fastifyCookie.unsign(raw, secret);
  return unsigned.valid ? unsigned.value : null;
}

/** The value of one cookie in a Cookie header (RFC 6265 §5.4: `name=value` pairs separated by `; `). */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}

function serializeCookie(value: string, maxAgeSeconds: number, c: CookieSettings): string {
  const attributes = [`Max-Age=${maxAgeSeconds}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds === 0) attributes.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (c.secure) attributes.push('Secure');
  return [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, ...attributes].join('; ');
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, c: CookieSettings): void {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  reply.header('set-cookie', serializeCookie(fastifyCookie.sign(token, c.secret), maxAge, c));
}

export function clearSessionCookie(reply: FastifyReply, c: CookieSettings): void {
  reply.header('set-cookie', serializeCookie('', 0, c));
}

export interface RequireDriverDeps {
  service: Pick<IdentityService, 'authenticate'>;
  sessionSecret: string;
}

/**
 * A Fastify preHandler (or onRequest hook) for driver endpoints: 403 CSRF_REJECTED for a state-changing request
 * without the CSRF header, 401 UNAUTHORIZED without a live session; otherwise sets `request.driver`.
 */
export function requireDriver(deps: RequireDriverDeps) {
  return async function requireDriverHook(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    requireCsrfHeader(req);
    const token = sessionTokenOf(req, deps.sessionSecret);
    const driver = token ? await deps.service.authenticate(token) : null;
    if (!driver) throw new AppError('UNAUTHORIZED', 'Sign in first: this endpoint needs a driver session');
    req.driver = driver;
  };
}

/** The driver set by `requireDriver`; throws (500) when the route forgot the hook. */
export function driverOf(req: FastifyRequest): AuthenticatedDriver {
  if (!req.driver) throw new Error('driverOf: the route does not use the requireDriver preHandler');
  return req.driver;
}
