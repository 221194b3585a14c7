// Driver account API (thin: validation at the edge, then the service): sign up, sign in, sign out, me,
// password reset. State-changing requests need the `X-Requested-With: lataus` header (CSRF).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/http/errors.ts';
import { MAX_EMAIL_LENGTH } from './core/email.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './core/password.ts';
import type { IdentityService, Result } from './identity.service.ts';
import {
  type CookieSettings,
  clearSessionCookie,
  driverOf,
  requireCsrfHeader,
  requireDriver,
  sessionTokenOf,
  setSessionCookie,
} from './session-auth.ts';

const Email = z
  .string()
  .max(MAX_EMAIL_LENGTH + 64, 'too long')
  .describe('e-mail address; case does not matter');
// The policy (length, not the e-mail) is checked by the service and answered with 400 WEAK_PASSWORD; the schema
// only bounds the size. Generous bound: the policy reports TOO_LONG with a clear message.
const Password = z.string().max(MAX_PASSWORD_LENGTH * 4, 'too long');
const Name = z.string().trim().max(100, 'at most 100 characters');

const Driver = z.object({
  driver_id: z.string().describe('stable id of the driver (uuid)'),
  email: z.string().describe('normalised (lower case)'),
  name: z.string().nullable(),
  created_at: z.string(),
});

const csrfHeader = z.object({ 'x-requested-with': z.string().optional().describe('must be `lataus`') });

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new AppError(r.error.code, r.error.detail, r.error.extra);
  return r.value;
}

export function identityRoutes(deps: { service: IdentityService; cookie: CookieSettings }): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const { service, cookie } = deps;
    const authenticated = requireDriver({ service, sessionSecret: cookie.secret });
    const tags = ['driver: account'];

    // Every state-changing request here must carry the CSRF header, signed in or not (login CSRF too).
    app.addHook('onRequest', async (req) => requireCsrfHeader(req));

    app.post(
      '/auth/signup',
      {
        schema: {
          tags,
          summary: 'Create a driver account and sign in (sets the session cookie)',
          description:
            `Password policy: ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters and not the e-mail address ` +
            '(400 WEAK_PASSWORD with `reasons`). 409 EMAIL_TAKEN when the address (in any case) has an account.',
          headers: csrfHeader,
          body: z.strictObject({ email: Email, password: Password, name: Name.optional() }),
          response: { 201: Driver },
        },
      },
      async (req, reply) => {
        const { driver, session } = unwrap(await service.signUp(req.body));
        setSessionCookie(reply, session.token, session.expiresAt, cookie);
        return reply.status(201).send(driver);
      },
    );

    app.post(
      '/auth/signin',
      {
        schema: {
          tags,
          summary: 'Sign in with e-mail and password (sets the session cookie)',
          description:
            '401 INVALID_CREDENTIALS for a wrong e-mail or password (not told apart). After 5 failures in 15 ' +
            'minutes for one e-mail from one IP address: 429 TOO_MANY_SIGNIN_ATTEMPTS with `retry_after` seconds.',
          headers: csrfHeader,
          body: z.strictObject({ email: Email, password: Password }),
          response: { 200: Driver },
        },
      },
      async (req, reply) => {
        const r = await service.signIn({ ...req.body, ip: req.ip });
        if (!r.ok && r.error.code === 'TOO_MANY_SIGNIN_ATTEMPTS')
          reply.header('retry-after', String(r.error.extra?.retry_after ?? 900));
        const { driver, session } = unwrap(r);
        setSessionCookie(reply, session.token, session.expiresAt, cookie);
        return driver;
      },
    );

    app.post(
      '/auth/signout',
      {
        schema: {
          tags,
          summary: 'Sign out: ends the session and clears the cookie (204 also when not signed in)',
          headers: csrfHeader,
        },
      },
      async (req, reply) => {
        const token = sessionTokenOf(req, cookie.secret);
        if (token) await service.signOut(token);
        clearSessionCookie(reply, cookie);
        return reply.status(204).send();
      },
    );

    app.get(
      '/me',
      {
        preHandler: authenticated,
        schema: {
          tags,
          summary: 'The signed-in driver (401 UNAUTHORIZED without a session)',
          response: { 200: Driver },
        },
      },
      async (req) => unwrap(await service.getProfile(driverOf(req).id)),
    );

    app.patch(
      '/me',
      {
        preHandler: authenticated,
        schema: {
          tags,
          summary: "Change the signed-in driver's name (empty or null removes it)",
          headers: csrfHeader,
          body: z.strictObject({ name: Name.nullable() }),
          response: { 200: Driver },
        },
      },
      async (req) => unwrap(await service.updateProfile(driverOf(req).id, { name: req.body.name })),
    );

    app.post(
      '/auth/password-reset',
      {
        schema: {
          tags,
          summary: 'Ask for a password-reset mail',
          description:
            'Always 202, whether or not the address has an account. When it has, a mail with a single-use link ' +
            '`<PUBLIC_URL>/reset-password?token=…` valid for 1 hour is sent (at most 3 per hour).',
          headers: csrfHeader,
          body: z.strictObject({ email: Email }),
          response: { 202: z.object({ message: z.string() }) },
        },
      },
      async (req, reply) => {
        await service.requestPasswordReset(req.body.email);
        return reply
          .status(202)
          .send({ message: 'If an account exists for this address, we sent it a link to choose a new password.' });
      },
    );

    app.post(
      '/auth/password-reset/confirm',
      {
        schema: {
          tags,
          summary: 'Set a new password with the token from the reset mail; signs the driver out everywhere',
          description:
            '400 RESET_TOKEN_INVALID for an unknown, used or expired token; 400 WEAK_PASSWORD (the token stays ' +
            'usable). On success 204: every session of the driver has ended; sign in with the new password.',
          headers: csrfHeader,
          body: z.strictObject({ token: z.string().max(200), password: Password }),
        },
      },
      async (req, reply) => {
        unwrap(await service.confirmPasswordReset(req.body));
        clearSessionCookie(reply, cookie);
        return reply.status(204).send();
      },
    );
  };
}
