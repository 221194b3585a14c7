// Identity: driver accounts — sign-up and sign-in with e-mail and password (argon2id), cookie sessions, password
// reset by e-mail — and `requireDriver`, the preHandler other modules put in front of driver endpoints.
import type { Kysely } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Mailer } from '../mail/index.ts';
import { identityRoutes } from './identity.routes.ts';
import { createIdentityService, DEFAULT_POLICY, type IdentityPolicy } from './identity.service.ts';
import { type Argon2Params, createPasswordHasher } from './passwords.ts';
import { requireDriver } from './session-auth.ts';

export { normalizeEmail } from './core/email.ts';
export { MIN_PASSWORD_LENGTH, passwordProblems } from './core/password.ts';
export type { AuthenticatedDriver, DriverProfile, IdentityPolicy, IdentityService } from './identity.service.ts';
export { ARGON2_PARAMS } from './passwords.ts';
export {
  CSRF_HEADER,
  CSRF_VALUE,
  driverOf,
  type RequireDriverDeps,
  requireDriver,
  SESSION_COOKIE,
} from './session-auth.ts';

export interface IdentityModuleOptions {
  db: Kysely<Database>;
  mailer: Mailer;
  config: Pick<Config, 'PUBLIC_URL' | 'PORT' | 'sessionSecret'>;
  clock?: () => Date;
  policy?: Partial<IdentityPolicy>;
  /** Lower argon2 costs for tests only. */
  argon2?: Argon2Params;
}

/** Wires the module: the service, the routes (under /api/v1) and a ready-made `requireDriver` hook. */
export function createIdentityModule(opts: IdentityModuleOptions) {
  const publicUrl = opts.config.PUBLIC_URL ?? `http://localhost:${opts.config.PORT}`;
  const service = createIdentityService({
    db: opts.db,
    mailer: opts.mailer,
    hasher: createPasswordHasher(opts.argon2),
    publicUrl,
    clock: opts.clock ?? (() => new Date()),
    policy: { ...DEFAULT_POLICY, ...opts.policy },
  });
  const cookie = { secret: opts.config.sessionSecret, secure: publicUrl.startsWith('https:') };
  return {
    service,
    routes: identityRoutes({ service, cookie }),
    /** Put in front of driver endpoints: `{ preHandler: identity.requireDriver }`, then `driverOf(request)`. */
    requireDriver: requireDriver({ service, sessionSecret: opts.config.sessionSecret }),
  };
}
export type IdentityModule = ReturnType<typeof createIdentityModule>;
