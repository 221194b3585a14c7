// The composed application: identity and mail are wired (routes, mailer, worker) as in production.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLataus, type Lataus } from '../../../src/composition.ts';
import { loadConfig } from '../../../src/platform/config.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';

let t: TestDatabase | null = null;
let lataus: Lataus;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lataus-identity-'));
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL) {
    t = await openTestDatabase();
    databaseUrl = t.url;
  }
  const config = loadConfig({
    SEED: 'none',
    DATA_DIR: dataDir,
    BUILD_WEB: 'false',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'https://drive.lataus.example',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  lataus = await createLataus(config);
});
afterAll(async () => {
  await lataus?.close();
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('sign-up, /me and a password-reset mail that the worker moves to the local outbox', async () => {
  const { app } = lataus;
  const headers = { 'x-requested-with': 'lataus' };
  const signup = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers,
    payload: { email: 'Composed@Example.com', password: 'correct horse battery' },
  });
  expect(signup.statusCode).toBe(201);
  const setCookie = String(signup.headers['set-cookie']);
  expect(setCookie).toContain('Secure');
  const cookie = setCookie.split(';')[0]!;
  expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).json().email).toBe(
    'composed@example.com',
  );

  const reset = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset',
    headers,
    payload: { email: 'composed@example.com' },
  });
  expect(reset.statusCode).toBe(202);
  lataus.mail.worker.wake();
  const auth = { authorization: 'Bearer lataus-dev-admin' };
  let items: { status: string; subject: string; id: string }[] = [];
  for (let i = 0; i < 100; i++) {
    items = (await app.inject({ method: 'GET', url: '/api/v1/admin/mails', headers: auth })).json().items;
    if (items[0]?.status === 'local') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(items).toMatchObject([{ status: 'local', subject: 'Reset your Lataus password' }]);
  const detail = (
    await app.inject({ method: 'GET', url: `/api/v1/admin/mails/${items[0]!.id}`, headers: auth })
  ).json();
  expect(detail.text).toContain('https://drive.lataus.example/reset-password?token=');
});
