// SQL of the identity module: drivers, sessions, password-reset tokens, failed sign-ins.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, DriversTable } from '../../platform/db/schema.ts';

export type Executor = Kysely<Database> | Transaction<Database>;
export type DriverRow = Selectable<DriversTable>;

export const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === '23505';

export async function findDriverByEmail(db: Executor, email: string): Promise<DriverRow | undefined> {
  return db.selectFrom('drivers').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findDriverById(db: Executor, id: string): Promise<DriverRow | undefined> {
  return db.selectFrom('drivers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertDriver(
  db: Executor,
  d: { id: string; email: string; passwordHash: string; name: string | null; now: Date },
): Promise<DriverRow> {
  return db
    .insertInto('drivers')
    .values({
      id: d.id,
      email: d.email,
      password_hash: d.passwordHash,
      name: d.name,
      password_changed_at: d.now,
      created_at: d.now,
      updated_at: d.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateDriverName(db: Executor, id: string, name: string | null, now: Date) {
  return db
    .updateTable('drivers')
    .set({ name, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function setPasswordHash(db: Executor, id: string, passwordHash: string, now: Date, changed: boolean) {
  await db
    .updateTable('drivers')
    .set({ password_hash: passwordHash, updated_at: now, ...(changed ? { password_changed_at: now } : {}) })
    .where('id', '=', id)
    .execute();
}

// --- sessions ---

export async function insertSession(
  db: Executor,
  s: { tokenHash: string; driverId: string; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('user_sessions')
    .values({
      token_hash: s.tokenHash,
      driver_id: s.driverId,
      created_at: s.now,
      last_seen_at: s.now,
      expires_at: s.expiresAt,
    })
    .execute();
}

export async function findSession(db: Executor, tokenHash: string) {
  return db
    .selectFrom('user_sessions')
    .innerJoin('drivers', 'drivers.id', 'user_sessions.driver_id')
    .select([
      'user_sessions.token_hash',
      'user_sessions.driver_id',
      'user_sessions.last_seen_at',
      'user_sessions.expires_at',
      'drivers.email',
    ])
    .where('user_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchSession(db: Executor, tokenHash: string, now: Date): Promise<void> {
  await db.updateTable('user_sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('user_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteSessionsOf(db: Executor, driverId: string): Promise<void> {
  await db.deleteFrom('user_sessions').where('driver_id', '=', driverId).execute();
}

export async function deleteStaleSessionsOf(db: Executor, driverId: string, expiredBefore: Date, idleBefore: Date) {
  await db
    .deleteFrom('user_sessions')
    .where('driver_id', '=', driverId)
    .where((eb) => eb.or([eb('expires_at', '<=', expiredBefore), eb('last_seen_at', '<=', idleBefore)]))
    .execute();
}

// --- password reset ---

export async function insertResetToken(
  db: Executor,
  r: { tokenHash: string; driverId: string; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('password_reset_tokens')
    .values({ token_hash: r.tokenHash, driver_id: r.driverId, created_at: r.now, expires_at: r.expiresAt })
    .execute();
}

export async function countResetTokensSince(db: Executor, driverId: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('password_reset_tokens')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('driver_id', '=', driverId)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findUsableResetToken(db: Executor, tokenHash: string, now: Date) {
  return db
    .selectFrom('password_reset_tokens')
    .select(['token_hash', 'driver_id'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Marks the token used if it still is usable; the single-use guarantee under concurrent confirmations. */
export async function consumeResetToken(db: Executor, tokenHash: string, now: Date): Promise<string | undefined> {
  const r = await db
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('driver_id')
    .executeTakeFirst();
  return r?.driver_id;
}

export async function retireResetTokensOf(db: Executor, driverId: string, now: Date): Promise<void> {
  await db
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('driver_id', '=', driverId)
    .where('used_at', 'is', null)
    .execute();
}

// --- failed sign-ins ---

export async function signinFailuresSince(db: Executor, emailHash: string, ipHash: string, since: Date) {
  return db
    .selectFrom('signin_failures')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('failed_at').as('oldest')])
    .where('email_hash', '=', emailHash)
    .where('ip_hash', '=', ipHash)
    .where('failed_at', '>', since)
    .executeTakeFirstOrThrow();
}

export async function recordSigninFailure(db: Executor, emailHash: string, ipHash: string, now: Date) {
  await db.insertInto('signin_failures').values({ email_hash: emailHash, ip_hash: ipHash, failed_at: now }).execute();
}

export async function clearSigninFailures(db: Executor, emailHash: string, ipHash?: string): Promise<void> {
  let q = db.deleteFrom('signin_failures').where('email_hash', '=', emailHash);
  if (ipHash) q = q.where('ip_hash', '=', ipHash);
  await q.execute();
}

/** Housekeeping: expired sessions, reset tokens and failed sign-ins that no longer matter. */
export async function purgeExpired(
  db: Executor,
  t: { sessionsExpiredBefore: Date; sessionsIdleBefore: Date; tokensBefore: Date; failuresBefore: Date },
): Promise<void> {
  await db
    .deleteFrom('user_sessions')
    .where((eb) =>
      eb.or([eb('expires_at', '<=', t.sessionsExpiredBefore), eb('last_seen_at', '<=', t.sessionsIdleBefore)]),
    )
    .execute();
  await db.deleteFrom('password_reset_tokens').where('expires_at', '<=', t.tokensBefore).execute();
  await db.deleteFrom('signin_failures').where('failed_at', '<=', t.failuresBefore).execute();
}
