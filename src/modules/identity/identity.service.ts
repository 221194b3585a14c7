// Identity use cases for drivers: sign up, sign in (rate-limited), sign out, session lookup, profile,
// password reset by e-mail. Expected failures are values with stable codes; the routes turn them into problems.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Mailer } from '../mail/index.ts';
import { normalizeEmail } from './core/email.ts';
import { describePasswordProblems, type PasswordProblem, passwordProblems } from './core/password.ts';
import { hashToken, looksLikeToken, newToken } from './core/token.ts';
import * as repo from './identity.repository.ts';
import type { PasswordHasher } from './passwords.ts';

export type IdentityErrorCode =
  | 'EMAIL_TAKEN'
  | 'INVALID_CREDENTIALS'
  | 'WEAK_PASSWORD'
  | 'RESET_TOKEN_INVALID'
  | 'TOO_MANY_SIGNIN_ATTEMPTS'
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND';

export interface IdentityError {
  code: IdentityErrorCode;
  detail: string;
  extra?: Record<string, unknown>;
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: IdentityError };
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: IdentityErrorCode, detail: string, extra?: Record<string, unknown>): Result<never> => ({
  ok: false,
  error: { code, detail, ...(extra ? { extra } : {}) },
});

/** The driver as other modules see it (`request.driver`). */
export interface AuthenticatedDriver {
  id: string;
  email: string;
}

export interface DriverProfile {
  driver_id: string;
  email: string;
  name: string | null;
  created_at: string;
}

export interface IssuedSession {
  /** The secret for the cookie; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

export interface IdentityPolicy {
  /** Absolute lifetime of a session. */
  sessionTtlMs: number;
  /** A session unused for this long ends. */
  sessionIdleMs: number;
  /** last_seen_at is written at most this often per session (saves a write per request). */
  touchEveryMs: number;
  resetTokenTtlMs: number;
  /** Reset mails per account per hour; more requests are accepted (202) but send nothing. */
  resetMailsPerHour: number;
  signinMaxFailures: number;
  signinWindowMs: number;
}

export const DEFAULT_POLICY: IdentityPolicy = {
  sessionTtlMs: 30 * 24 * 3600_000,
  sessionIdleMs: 14 * 24 * 3600_000,
  touchEveryMs: 5 * 60_000,
  resetTokenTtlMs: 3600_000,
  resetMailsPerHour: 3,
  signinMaxFailures: 5,
  signinWindowMs: 15 * 60_000,
};

export interface IdentityDeps {
  db: Kysely<Database>;
  mailer: Mailer;
  hasher: PasswordHasher;
  /** Where the web app lives: the reset link is `${publicUrl}/reset-password?token=…`. */
  publicUrl: string;
  clock: () => Date;
  policy: IdentityPolicy;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const later = (d: Date, ms: number) => new Date(d.getTime() + ms);

function profileOf(d: repo.DriverRow): DriverProfile {
  return { driver_id: d.id, email: d.email, name: d.name, created_at: d.created_at.toISOString() };
}

function weak(problems: PasswordProblem[]): Result<never> {
  return fail('WEAK_PASSWORD', describePasswordProblems(problems), { reasons: problems });
}

export function createIdentityService(deps: IdentityDeps) {
  const { db, policy } = deps;
  let lastPurge = 0;

  async function issueSession(driverId: string, now: Date): Promise<IssuedSession> {
    const token = newToken();
    const expiresAt = later(now, policy.sessionTtlMs);
    await repo.insertSession(db, { tokenHash: hashToken(token), driverId, now, expiresAt });
    return { token, expiresAt };
  }

  /** Housekeeping at most every 10 minutes per process, piggybacked on sign-ins. */
  async function maybePurge(now: Date) {
    if (now.getTime() - lastPurge < 10 * 60_000) return;
    lastPurge = now.getTime();
    await repo.purgeExpired(db, {
      sessionsExpiredBefore: now,
      sessionsIdleBefore: later(now, -policy.sessionIdleMs),
      tokensBefore: later(now, -24 * 3600_000),
      failuresBefore: later(now, -policy.signinWindowMs),
    });
  }

  return {
    async signUp(input: {
      email: string;
      password: string;
      name?: string | null | undefined;
    }): Promise<Result<{ driver: DriverProfile; session: IssuedSession }>> {
      const email = normalizeEmail(input.email);
      if (!email) return fail('VALIDATION_FAILED', 'body.email: not a valid e-mail address');
      const problems = passwordProblems(input.password, email);
      if (problems.length > 0) return weak(problems);
      if (await repo.findDriverByEmail(db, email))
        return fail('EMAIL_TAKEN', 'An account with this e-mail address exists already; sign in instead');
      const passwordHash = await deps.hasher.hash(input.password);
      const now = deps.clock();
      let row: repo.DriverRow;
      try {
        row = await repo.insertDriver(db, {
          id: randomUUID(),
          email,
          passwordHash,
          name: input.name?.trim() || null,
          now,
        });
      } catch (e) {
        if (repo.isUniqueViolation(e))
          return fail('EMAIL_TAKEN', 'An account with this e-mail address exists already; sign in instead');
        throw e;
      }
      return ok({ driver: profileOf(row), session: await issueSession(row.id, now) });
    },

    async signIn(input: {
      email: string;
      password: string;
      ip: string;
    }): Promise<Result<{ driver: DriverProfile; session: IssuedSession }>> {
      const now = deps.clock();
      await maybePurge(now);
      const email = normalizeEmail(input.email);
      const emailHash = sha256(`email:${email ?? input.email.trim().toLowerCase()}`);
      const ipHash = sha256(`ip:${input.ip}`);
      const recent = await repo.signinFailuresSince(db, emailHash, ipHash, later(now, -policy.signinWindowMs));
      if (Number(recent.n) >= policy.signinMaxFailures) {
        const oldest = recent.oldest ? new Date(recent.oldest) : now;
        const retryAfter = Math.max(1, Math.ceil((oldest.getTime() + policy.signinWindowMs - now.getTime()) / 1000));
        return fail(
          'TOO_MANY_SIGNIN_ATTEMPTS',
          `Too many failed sign-ins for this account from your network; try again in ${Math.ceil(retryAfter / 60)} minutes or reset the password`,
          { retry_after: retryAfter },
        );
      }
      const driver = email ? await repo.findDriverByEmail(db, email) : undefined;
      // Always run argon2 (against a dummy hash for unknown accounts): the answer time does not reveal accounts.
      const valid = await deps.hasher.verify(driver?.password_hash ?? null, input.password);
      if (!driver || !valid) {
        await repo.recordSigninFailure(db, emailHash, ipHash, now);
        return fail('INVALID_CREDENTIALS', 'The e-mail address or the password is wrong');
      }
      await repo.clearSigninFailures(db, emailHash, ipHash);
      if (deps.hasher.needsRehash(driver.password_hash))
        await repo.setPasswordHash(db, driver.id, await deps.hasher.hash(input.password), now, false);
      await repo.deleteStaleSessionsOf(db, driver.id, now, later(now, -policy.sessionIdleMs));
      return ok({ driver: profileOf(driver), session: await issueSession(driver.id, now) });
    },

    async signOut(token: string): Promise<void> {
      if (looksLikeToken(token)) await repo.deleteSession(db, hashToken(token));
    },

    /** The driver behind a session token, or null when there is no such live session. */
    async authenticate(token: string): Promise<AuthenticatedDriver | null> {
      if (!looksLikeToken(token)) return null;
      const tokenHash = hashToken(token);
      const s = await repo.findSession(db, tokenHash);
      if (!s) return null;
      const now = deps.clock();
      if (s.expires_at <= now || s.last_seen_at.getTime() + policy.sessionIdleMs <= now.getTime()) {
        await repo.deleteSession(db, tokenHash);
        return null;
      }
      if (now.getTime() - s.last_seen_at.getTime() >= policy.touchEveryMs) await repo.touchSession(db, tokenHash, now);
      return { id: s.driver_id, email: s.email };
    },

    async getProfile(driverId: string): Promise<Result<DriverProfile>> {
      const d = await repo.findDriverById(db, driverId);
      return d ? ok(profileOf(d)) : fail('NOT_FOUND', 'No such driver');
    },

    async updateProfile(driverId: string, changes: { name: string | null }): Promise<Result<DriverProfile>> {
      const d = await repo.updateDriverName(db, driverId, changes.name?.trim() || null, deps.clock());
      return d ? ok(profileOf(d)) : fail('NOT_FOUND', 'No such driver');
    },

    /** Always succeeds from the caller's point of view: whether the address has an account is not revealed. */
    async requestPasswordReset(rawEmail: string): Promise<void> {
      const email = normalizeEmail(rawEmail);
      if (!email) return;
      const driver = await repo.findDriverByEmail(db, email);
      if (!driver) return;
      const now = deps.clock();
      if ((await repo.countResetTokensSince(db, driver.id, later(now, -3600_000))) >= policy.resetMailsPerHour) return;
      const token = newToken();
      const link = `${deps.publicUrl.replace(/\/+$/, '')}/reset-password?token=${token}`;
      const minutes = Math.round(policy.resetTokenTtlMs / 60_000);
      await db.transaction().execute(async (trx) => {
        await repo.insertResetToken(trx, {
          tokenHash: hashToken(token),
          driverId: driver.id,
          now,
          expiresAt: later(now, policy.resetTokenTtlMs),
        });
        await deps.mailer.sendMail(
          {
            to: driver.email,
            subject: 'Reset your Lataus password',
            text:
              `Hello${driver.name ? ` ${driver.name}` : ''},\n\n` +
              `someone (hopefully you) asked to reset the password of your Lataus account.\n` +
              `Open this link within ${minutes} minutes to choose a new password:\n\n${link}\n\n` +
              `The link works once. If you did not ask for it, ignore this mail: your password stays as it is.\n`,
            html:
              `<p>Hello${driver.name ? ` ${escapeHtml(driver.name)}` : ''},</p>` +
              `<p>someone (hopefully you) asked to reset the password of your Lataus account. ` +
              `Open this link within ${minutes} minutes to choose a new password:</p>` +
              `<p><a href="${escapeHtml(link)}">Choose a new password</a></p>` +
              `<p>The link works once. If you did not ask for it, ignore this mail: your password stays as it is.</p>`,
          },
          { trx },
        );
      });
    },

    /** Sets a new password with a reset token; the token is used up and every session of the driver ends. */
    async confirmPasswordReset(input: { token: string; password: string }): Promise<Result<void>> {
      const invalid = fail(
        'RESET_TOKEN_INVALID',
        'This password-reset link is invalid, was used already or has expired; ask for a new one',
      );
      if (!looksLikeToken(input.token)) return invalid;
      const tokenHash = hashToken(input.token);
      const now = deps.clock();
      const found = await repo.findUsableResetToken(db, tokenHash, now);
      if (!found) return invalid;
      const driver = await repo.findDriverById(db, found.driver_id);
      if (!driver) return invalid;
      const problems = passwordProblems(input.password, driver.email);
      if (problems.length > 0) return weak(problems); // the token stays usable for a better password
      const passwordHash = await deps.hasher.hash(input.password);
      return db.transaction().execute(async (trx) => {
        // The conditional update is the single-use guarantee when two confirmations race.
        const driverId = await repo.consumeResetToken(trx, tokenHash, now);
        if (driverId !== driver.id) return invalid;
        await repo.setPasswordHash(trx, driver.id, passwordHash, now, true);
        await repo.retireResetTokensOf(trx, driver.id, now);
        await repo.deleteSessionsOf(trx, driver.id);
        await repo.clearSigninFailures(trx, sha256(`email:${driver.email}`));
        await deps.mailer.sendMail(
          {
            to: driver.email,
            subject: 'Your Lataus password was changed',
            text:
              'The password of your Lataus account was just changed and every device was signed out.\n' +
              'If this was not you, reset your password at once and contact us.\n',
          },
          { trx },
        );
        return ok(undefined);
      });
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
