// Driver accounts through HTTP: sign-up, sign-in, sessions, sign-out, CSRF, rate limit, password reset, secrets.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import {
  CSRF,
  type Harness,
  lastMailTo,
  me,
  PUBLIC_URL,
  resetTokenIn,
  SECRET,
  sessionCookieOf,
  sessionTokenOf,
  signIn,
  signUp,
  startHarness,
} from './harness.ts';

const PASSWORD = 'correct horse battery';
const DAY = 24 * 3600_000;
let h: Harness;
let t: TestDatabase;

beforeAll(async () => {
  t = await openTestDatabase();
  h = await startHarness({ t });
});
afterAll(async () => {
  await h.close();
  await t.close();
});
beforeEach(async () => {
  for (const table of ['user_sessions', 'password_reset_tokens', 'signin_failures', 'drivers', 'mail_outbox'] as const)
    await t.db.deleteFrom(table).execute();
});

describe('sign-up', () => {
  it('creates the account, signs in with a secure cookie, and /me answers with the driver', async () => {
    const res = await signUp(h, '  Ann.Driver+ev@Example.COM ', PASSWORD, 'Ann');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ email: 'ann.driver+ev@example.com', name: 'Ann' });
    expect(body.driver_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(body.created_at)).not.toBeNaN();

    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^lataus_session=[^;]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toMatch(/Max-Age=\d+/);
    expect(setCookie).not.toContain('Secure'); // PUBLIC_URL is http here

    const who = await me(h, sessionCookieOf(res));
    expect(who.statusCode).toBe(200);
    expect(who.json()).toEqual(body);
  });

  it('refuses an address that has an account already, in any case (409 EMAIL_TAKEN)', async () => {
    expect((await signUp(h, 'ann@example.com', PASSWORD)).statusCode).toBe(201);
    const again = await signUp(h, 'ANN@Example.com', 'another password 123');
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ code: 'EMAIL_TAKEN', status: 409 });
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('two sign-ups racing for one address: one account', async () => {
    const [a, b] = await Promise.all([
      signUp(h, 'race@example.com', PASSWORD),
      signUp(h, 'Race@example.com', PASSWORD),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect(await t.db.selectFrom('drivers').select('id').execute()).toHaveLength(1);
  });

  it('enforces the password policy (400 WEAK_PASSWORD with reasons) and validates the address', async () => {
    const short = await signUp(h, 'bob@example.com', 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ code: 'WEAK_PASSWORD', reasons: ['TOO_SHORT'] });
    const email = await signUp(h, 'longname.person@example.com', 'LongName.Person@example.com');
    expect(email.json()).toMatchObject({ code: 'WEAK_PASSWORD', reasons: ['SAME_AS_EMAIL'] });
    const local = await signUp(h, 'longname.person@example.com', 'longname.person');
    expect(local.json()).toMatchObject({ code: 'WEAK_PASSWORD', reasons: ['SAME_AS_EMAIL'] });
    const bad = await signUp(h, 'not an address', PASSWORD);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const extra = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      headers: CSRF,
      payload: { email: 'x@example.com', password: PASSWORD, admin: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(await t.db.selectFrom('drivers').select('id').execute()).toHaveLength(0);
  });
});

describe('sign-in and sessions', () => {
  it('signs in with the right password in any e-mail case; wrong password and unknown e-mail are the same 401', async () => {
    await signUp(h, 'carla@example.com', PASSWORD);
    const ok = await signIn(h, 'Carla@Example.com', PASSWORD);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().email).toBe('carla@example.com');
    expect((await me(h, sessionCookieOf(ok))).statusCode).toBe(200);

    const wrong = await signIn(h, 'carla@example.com', 'wrong password!');
    const unknown = await signIn(h, 'nobody@example.com', PASSWORD);
    for (const r of [wrong, unknown]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined, instance: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json().code).toBe('INVALID_CREDENTIALS');
  });

  it('/me needs a valid, correctly signed session cookie', async () => {
    const res = await signUp(h, 'dan@example.com', PASSWORD);
    const cookie = sessionCookieOf(res);
    const token = sessionTokenOf(cookie);
    expect((await me(h)).json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect((await me(h, `lataus_session=${token}`)).statusCode).toBe(401); // unsigned
    expect((await me(h, `${cookie.slice(0, -2)}xx`)).statusCode).toBe(401); // signature tampered
    const { fastifyCookie } = await import('@fastify/cookie');
    const forged = fastifyCookie.sign(token, 'some-other-secret-of-at-least-32-chars!!');
    expect((await me(h, `lataus_session=${encodeURIComponent(forged)}`)).statusCode).toBe(401);
    const right = fastifyCookie.sign(token, SECRET);
    expect((await me(h, `lataus_session=${encodeURIComponent(right)}`)).statusCode).toBe(200);
  });

  it('sign-out ends that session only and clears the cookie', async () => {
    const a = sessionCookieOf(await signUp(h, 'eve@example.com', PASSWORD));
    const b = sessionCookieOf(await signIn(h, 'eve@example.com', PASSWORD));
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/signout', headers: { ...CSRF, cookie: a } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^lataus_session=;.*Max-Age=0/);
    expect((await me(h, a)).statusCode).toBe(401);
    expect((await me(h, b)).statusCode).toBe(200);
    const again = await h.app.inject({ method: 'POST', url: '/api/v1/auth/signout', headers: { ...CSRF, cookie: a } });
    expect(again.statusCode).toBe(204);
  });

  it('sessions end 30 days after sign-in, or after 14 days unused', async () => {
    const cookie = sessionCookieOf(await signUp(h, 'fay@example.com', PASSWORD));
    h.advance(10 * DAY);
    expect((await me(h, cookie)).statusCode).toBe(200); // marks it used
    h.advance(13 * DAY);
    expect((await me(h, cookie)).statusCode).toBe(200); // 13 days idle, 23 days old
    h.advance(8 * DAY);
    expect((await me(h, cookie)).statusCode).toBe(401); // 31 days old: expired
    expect(await t.db.selectFrom('user_sessions').select('token_hash').execute()).toHaveLength(0);

    const idle = sessionCookieOf(await signIn(h, 'fay@example.com', PASSWORD));
    h.advance(14 * DAY + 1000);
    expect((await me(h, idle)).statusCode).toBe(401);
  });

  it('requireDriver guards other modules: request.driver is the signed-in driver', async () => {
    const res = await signUp(h, 'gus@example.com', PASSWORD);
    const cookie = sessionCookieOf(res);
    const who = await h.app.inject({ method: 'GET', url: '/api/v1/test/whoami', headers: { cookie } });
    expect(who.json()).toEqual({ id: res.json().driver_id, email: 'gus@example.com' });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/test/whoami' })).statusCode).toBe(401);
    const post = await h.app.inject({ method: 'POST', url: '/api/v1/test/action', headers: { ...CSRF, cookie } });
    expect(post.json()).toEqual({ by: res.json().driver_id });
  });

  it('PATCH /me changes the name', async () => {
    const cookie = sessionCookieOf(await signUp(h, 'hal@example.com', PASSWORD));
    const r = await h.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { ...CSRF, cookie },
      payload: { name: ' Hal ' },
    });
    expect(r.json()).toMatchObject({ name: 'Hal' });
    expect((await me(h, cookie)).json().name).toBe('Hal');
  });
});

describe('CSRF', () => {
  it('rejects state-changing requests without X-Requested-With: lataus (403 CSRF_REJECTED), reads are fine', async () => {
    const noHeader = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: 'ivy@example.com', password: PASSWORD },
    });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().code).toBe('CSRF_REJECTED');
    expect(await t.db.selectFrom('drivers').select('id').execute()).toHaveLength(0);

    const cookie = sessionCookieOf(await signUp(h, 'ivy@example.com', PASSWORD));
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/signout', headers: { cookie } });
    expect(out.statusCode).toBe(403);
    expect((await me(h, cookie)).statusCode).toBe(200); // still signed in
    const patch = await h.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie },
      payload: { name: 'x' },
    });
    expect(patch.statusCode).toBe(403);
    const other = await h.app.inject({ method: 'POST', url: '/api/v1/test/action', headers: { cookie } });
    expect(other.json().code).toBe('CSRF_REJECTED');
    const wrongValue = await h.app.inject({
      method: 'POST',
      url: '/api/v1/test/action',
      headers: { cookie, 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(wrongValue.statusCode).toBe(403);
    const signin = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signin',
      payload: { email: 'ivy@example.com', password: PASSWORD },
    });
    expect(signin.statusCode).toBe(403);
  });
});

describe('sign-in rate limit', () => {
  it('after 5 failures in 15 minutes for one e-mail from one IP: 429 even with the right password', async () => {
    await signUp(h, 'jo@example.com', PASSWORD);
    for (let i = 0; i < 5; i++) expect((await signIn(h, 'jo@example.com', `wrong-password-${i}`)).statusCode).toBe(401);
    const limited = await signIn(h, 'JO@example.com', PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'TOO_MANY_SIGNIN_ATTEMPTS' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
    expect(limited.json().retry_after).toBe(Number(limited.headers['retry-after']));

    expect((await signIn(h, 'jo@example.com', PASSWORD, '10.0.0.2')).statusCode).toBe(200); // other IP
    h.advance(15 * 60_000 + 1000);
    expect((await signIn(h, 'jo@example.com', PASSWORD)).statusCode).toBe(200);
  });

  it('a successful sign-in resets the count', async () => {
    await signUp(h, 'kim@example.com', PASSWORD);
    for (let i = 0; i < 4; i++) await signIn(h, 'kim@example.com', 'wrong password!');
    expect((await signIn(h, 'kim@example.com', PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await signIn(h, 'kim@example.com', 'wrong password!')).statusCode).toBe(401);
    expect((await signIn(h, 'kim@example.com', PASSWORD)).statusCode).toBe(200);
  });
});

describe('password reset', () => {
  const request = (email: string) =>
    h.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', headers: CSRF, payload: { email } });
  const confirm = (token: string, password: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      headers: CSRF,
      payload: { token, password },
    });

  it('end to end: mail with a link, new password, every old session ends, the token works once', async () => {
    const s1 = sessionCookieOf(await signUp(h, 'lea@example.com', PASSWORD, 'Lea'));
    const s2 = sessionCookieOf(await signIn(h, 'lea@example.com', PASSWORD));

    const unknown = await request('nobody@example.com');
    const known = await request('LEA@example.com');
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual(unknown.json()); // does not tell whether the account exists
    expect(await t.db.selectFrom('mail_outbox').select('to_address').execute()).toEqual([
      { to_address: 'lea@example.com' },
    ]);

    const mail = (await lastMailTo(h, 'lea@example.com'))!;
    expect(mail.subject).toBe('Reset your Lataus password');
    expect(mail.text_body).toContain(`${PUBLIC_URL}/reset-password?token=`);
    expect(mail.text_body).toContain('60 minutes');
    const token = resetTokenIn(mail.text_body);
    expect(token).toHaveLength(43);

    const weak = await confirm(token, 'short');
    expect(weak.json()).toMatchObject({ code: 'WEAK_PASSWORD' });

    const NEW = 'a brand new passphrase';
    const done = await confirm(token, NEW);
    expect(done.statusCode).toBe(204);
    expect((await me(h, s1)).statusCode).toBe(401);
    expect((await me(h, s2)).statusCode).toBe(401);
    expect((await signIn(h, 'lea@example.com', PASSWORD)).statusCode).toBe(401);
    expect((await signIn(h, 'lea@example.com', NEW)).statusCode).toBe(200);

    const reuse = await confirm(token, 'yet another passphrase');
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().code).toBe('RESET_TOKEN_INVALID');
    expect((await signIn(h, 'lea@example.com', NEW)).statusCode).toBe(200);

    const notice = await t.db
      .selectFrom('mail_outbox')
      .select('subject')
      .where('subject', '=', 'Your Lataus password was changed')
      .execute();
    expect(notice).toHaveLength(1);
  });

  it('a token expires after an hour; earlier unused tokens die with a reset; garbage is refused', async () => {
    await signUp(h, 'max@example.com', PASSWORD);
    await request('max@example.com');
    const old = resetTokenIn((await lastMailTo(h, 'max@example.com'))!.text_body);
    h.advance(61 * 60_000);
    expect((await confirm(old, 'new passphrase 1')).json().code).toBe('RESET_TOKEN_INVALID');

    await request('max@example.com');
    const first = resetTokenIn((await lastMailTo(h, 'max@example.com'))!.text_body);
    h.advance(1000);
    await request('max@example.com');
    const second = resetTokenIn((await lastMailTo(h, 'max@example.com'))!.text_body);
    expect(second).not.toBe(first);
    expect((await confirm(second, 'new passphrase 2')).statusCode).toBe(204);
    expect((await confirm(first, 'new passphrase 3')).json().code).toBe('RESET_TOKEN_INVALID');

    expect((await confirm('x'.repeat(43), 'new passphrase 4')).json().code).toBe('RESET_TOKEN_INVALID');
    expect((await confirm('short', 'new passphrase 4')).json().code).toBe('RESET_TOKEN_INVALID');
  });

  it('sends at most 3 reset mails per account and hour (more requests still answer 202)', async () => {
    await signUp(h, 'ned@example.com', PASSWORD);
    for (let i = 0; i < 5; i++) expect((await request('ned@example.com')).statusCode).toBe(202);
    const mails = await t.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('to_address', '=', 'ned@example.com')
      .execute();
    expect(mails).toHaveLength(3);
  });

  it('a reset lifts the sign-in lock of the account', async () => {
    await signUp(h, 'ola@example.com', PASSWORD);
    for (let i = 0; i < 5; i++) await signIn(h, 'ola@example.com', 'wrong password!');
    expect((await signIn(h, 'ola@example.com', PASSWORD)).statusCode).toBe(429);
    await request('ola@example.com');
    const token = resetTokenIn((await lastMailTo(h, 'ola@example.com'))!.text_body);
    expect((await confirm(token, 'fresh passphrase!')).statusCode).toBe(204);
    expect((await signIn(h, 'ola@example.com', 'fresh passphrase!')).statusCode).toBe(200);
  });
});

describe('secrets', () => {
  it('no password or token in the logs, the database or the outbox (beyond the reset link)', async () => {
    h.logs.length = 0;
    const NEW = 'second secret passphrase';
    const signup = await signUp(h, 'pia@example.com', PASSWORD);
    const signin = await signIn(h, 'pia@example.com', PASSWORD);
    await signIn(h, 'pia@example.com', 'a wrong secret passphrase');
    const sessionTokens = [sessionTokenOf(sessionCookieOf(signup)), sessionTokenOf(sessionCookieOf(signin))];
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      headers: CSRF,
      payload: { email: 'pia@example.com' },
    });
    const resetMail = (await lastMailTo(h, 'pia@example.com'))!;
    const resetToken = resetTokenIn(resetMail.text_body);
    // The browser opens the link (the web app's page): the request line is logged, the token is not.
    await h.app.inject({ method: 'GET', url: `/reset-password?token=${resetToken}` });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      headers: CSRF,
      payload: { token: resetToken, password: NEW },
    });
    await signIn(h, 'pia@example.com', NEW);

    const logText = h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(10);
    expect(logText).toContain('/reset-password?token=***');
    for (const secret of [PASSWORD, NEW, 'a wrong secret passphrase', resetToken, ...sessionTokens, SECRET])
      expect(logText).not.toContain(secret);

    const mails = await t.db.selectFrom('mail_outbox').selectAll().execute();
    const everything = JSON.stringify(mails);
    for (const secret of [PASSWORD, NEW, ...sessionTokens]) expect(everything).not.toContain(secret);
    const withToken = mails.filter((m) => JSON.stringify(m).includes(resetToken));
    expect(withToken.map((m) => m.id)).toEqual([resetMail.id]);
    const linkCount = (s: string | null) => (s ?? '').split(resetToken).length - 1;
    expect(linkCount(resetMail.text_body)).toBe(1);
    expect(linkCount(resetMail.html_body)).toBe(1);
    expect(resetMail.html_body).toContain(`href="${PUBLIC_URL}/reset-password?token=${resetToken}"`);

    const driver = await t.db.selectFrom('drivers').selectAll().executeTakeFirstOrThrow();
    expect(driver.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const sessions = await t.db.selectFrom('user_sessions').selectAll().execute();
    const tokens = await t.db.selectFrom('password_reset_tokens').selectAll().execute();
    const stored = JSON.stringify([driver, sessions, tokens]);
    for (const secret of [PASSWORD, NEW, resetToken, ...sessionTokens]) expect(stored).not.toContain(secret);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(tokens.map((r) => r.token_hash)).toEqual([sha(resetToken)]);
  });
});

describe('over https', () => {
  it('the session cookie is Secure when PUBLIC_URL is https', async () => {
    const secure = await startHarness({ publicUrl: 'https://lataus.example', t });
    try {
      const res = await signUp(secure, 'quinn@example.com', PASSWORD);
      expect(String(res.headers['set-cookie'])).toContain('Secure');
    } finally {
      await secure.close();
    }
  });
});
