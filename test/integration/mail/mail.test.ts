// The mail outbox end to end: queueing (in and out of transactions), local delivery without SMTP, real SMTP
// delivery to a test server with an attachment, retries with backoff, permanent failures, the admin API.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailModule, type MailModule } from '../../../src/modules/mail/index.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { attachmentFrom, startSmtpServer, type TestSmtpServer } from './smtp-server.ts';

const ADMIN = 'mail-test-admin-token';
const FROM = 'Lataus <no-reply@lataus.test>';
const auth = { authorization: `Bearer ${ADMIN}` };
const PDF = Buffer.from('%PDF-1.7\n% a tiny not-really-pdf with bytes \x00\x01\xfe\xff', 'latin1');

let t: TestDatabase;
let smtp: TestSmtpServer;
const modules: MailModule[] = [];
const apps: App[] = [];

beforeAll(async () => {
  t = await openTestDatabase();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
  await t.close();
});
beforeEach(async () => {
  await t.db.deleteFrom('mail_outbox').execute();
  smtp.received.length = 0;
  smtp.commands.length = 0;
  smtp.fail = null;
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const m of modules.splice(0)) await m.close();
});

function mailModule(opts: { smtp?: boolean; retryBaseMs?: number; maxAttempts?: number } = {}) {
  const m = createMailModule({
    db: t.db,
    config: { SMTP_URL: opts.smtp ? smtp.url : undefined, MAIL_FROM: FROM, adminToken: ADMIN },
    retry: { baseDelayMs: opts.retryBaseMs ?? 60_000, ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}) },
    worker: { pollMs: 20 },
  });
  modules.push(m);
  return m;
}

async function adminApp(m: MailModule): Promise<App> {
  const app = await buildApp({ logLevel: 'silent', modules: [m.routes], ready: async () => ({ ok: true }) });
  apps.push(app);
  return app;
}

const status = async (id: string) =>
  (await t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()).status;

describe('without SMTP', () => {
  it('keeps mails in the local outbox, readable through the admin API with bodies and attachments', async () => {
    const m = mailModule();
    const { id } = await m.mailer.sendMail({
      to: 'Driver@Example.com',
      subject: 'Your receipt',
      text: 'Thanks for charging.',
      html: '<p>Thanks for charging.</p>',
      attachments: [{ filename: 'receipt.pdf', content: PDF, contentType: 'application/pdf' }],
    });
    expect(await status(id)).toBe('pending');
    expect(await m.worker.tick()).toBe(1);
    expect(await status(id)).toBe('local');
    expect(await m.worker.tick()).toBe(0); // nothing left to do

    const app = await adminApp(m);
    const list = await app.inject({ method: 'GET', url: '/api/v1/admin/mails', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({
      total: 1,
      items: [
        { id, to: 'Driver@Example.com', subject: 'Your receipt', status: 'local', attempts: 1, last_error: null },
      ],
    });
    expect(list.json().items[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const detail = await app.inject({ method: 'GET', url: `/api/v1/admin/mails/${id}`, headers: auth });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      from: FROM,
      text: 'Thanks for charging.',
      html: '<p>Thanks for charging.</p>',
      attachments: [{ index: 0, filename: 'receipt.pdf', content_type: 'application/pdf', size: PDF.length }],
      attempt_log: [{ attempt: 1, outcome: 'local' }],
    });

    const file = await app.inject({ method: 'GET', url: `/api/v1/admin/mails/${id}/attachments/0`, headers: auth });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toContain('attachment; filename="receipt.pdf"');
    expect(file.rawPayload.equals(PDF)).toBe(true);

    const missing = await app.inject({ method: 'GET', url: `/api/v1/admin/mails/${id}/attachments/1`, headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });

  it('filters the list by status and recipient and pages it', async () => {
    const m = mailModule();
    for (let i = 0; i < 3; i++) await m.mailer.sendMail({ to: `a${i}@example.com`, subject: `s${i}`, text: 't' });
    await m.mailer.sendMail({ to: 'other@example.org', subject: 'x', text: 't' });
    const app = await adminApp(m);
    const get = async (q: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1/admin/mails?${q}`, headers: auth })).json();
    expect((await get('to=EXAMPLE.COM')).total).toBe(3);
    expect((await get('status=pending')).total).toBe(4);
    expect((await get('status=local')).total).toBe(0);
    const page = await get('limit=2&offset=2');
    expect(page.total).toBe(4);
    expect(page.items).toHaveLength(2);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/admin/mails?status=lost', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });

  it('requires the admin token; unknown ids are 404 and malformed ids 400', async () => {
    const app = await adminApp(mailModule());
    const anon = await app.inject({ method: 'GET', url: '/api/v1/admin/mails' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().code).toBe('UNAUTHORIZED');
    const wrong = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/mails',
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const unknown = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/mails/00000000-0000-4000-8000-000000000000',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
    const malformed = await app.inject({ method: 'GET', url: '/api/v1/admin/mails/42', headers: auth });
    expect(malformed.statusCode).toBe(400);
  });
});

describe('queueing', () => {
  it("writes the mail in the caller's transaction: no mail when it rolls back, one when it commits", async () => {
    const m = mailModule();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await m.mailer.sendMail(
          {
            to: 'a@example.com',
            subject: 'rolled back',
            text: 't',
            attachments: [{ filename: 'a.txt', content: Buffer.from('a'), contentType: 'text/plain' }],
          },
          { trx },
        );
        throw new Error('business change failed');
      }),
    ).rejects.toThrow('business change failed');
    expect(await t.db.selectFrom('mail_outbox').select('id').execute()).toHaveLength(0);
    expect(await t.db.selectFrom('mail_attachments').select('mail_id').execute()).toHaveLength(0);

    await t.db.transaction().execute(async (trx) => {
      await m.mailer.sendMail({ to: 'a@example.com', subject: 'committed', text: 't' }, { trx });
    });
    expect((await t.db.selectFrom('mail_outbox').select('subject').execute()).map((r) => r.subject)).toEqual([
      'committed',
    ]);
  });

  it('sendMailIf writes the mail with its claim in one statement: once, and never without the claim', async () => {
    const m = mailModule();
    await t.db.schema.createTable('mail_test_claims').ifNotExists().addColumn('id', 'text').execute();
    await t.db.deleteFrom('mail_test_claims' as never).execute();
    await sql`insert into mail_test_claims (id) values ('c1')`.execute(t.db);
    const claim = () => sql`delete from mail_test_claims where id = 'c1' returning id`;
    const mail = {
      to: 'a@example.com',
      subject: 'claimed',
      text: 't',
      attachments: [
        { filename: 'a.pdf', content: PDF, contentType: 'application/pdf' },
        { filename: 'b.txt', content: Buffer.from('b'), contentType: 'text/plain' },
      ],
    };
    const [first, second] = await Promise.all([m.mailer.sendMailIf(mail, claim()), m.mailer.sendMailIf(mail, claim())]);
    expect([first, second].filter((r) => r !== null)).toHaveLength(1); // the claim went to one of them
    const mails = await t.db.selectFrom('mail_outbox').select(['id', 'subject']).execute();
    expect(mails).toEqual([{ id: (first ?? second)!.id, subject: 'claimed' }]);
    const attachments = await t.db
      .selectFrom('mail_attachments')
      .select(['position', 'filename', 'content_type', 'content'])
      .where('mail_id', '=', mails[0]!.id)
      .orderBy('position')
      .execute();
    expect(attachments.map((a) => [a.position, a.filename, a.content_type])).toEqual([
      [0, 'a.pdf', 'application/pdf'],
      [1, 'b.txt', 'text/plain'],
    ]);
    expect(Buffer.from(attachments[0]!.content).equals(PDF)).toBe(true);
    await t.db.schema.dropTable('mail_test_claims').execute();
  });

  it('rejects malformed mails before writing anything (header injection, bad addresses)', async () => {
    const m = mailModule();
    await expect(m.mailer.sendMail({ to: 'a@example.com\r\nBcc: x@y.z', subject: 's', text: 't' })).rejects.toThrow(
      /line break/,
    );
    await expect(m.mailer.sendMail({ to: 'not-an-address', subject: 's', text: 't' })).rejects.toThrow(/address/);
    await expect(m.mailer.sendMail({ to: 'a@example.com', subject: 'a\nb', text: 't' })).rejects.toThrow(/subject/);
    expect(await t.db.selectFrom('mail_outbox').select('id').execute()).toHaveLength(0);
  });

  it('the worker loop delivers queued mails on its own and stops cleanly', async () => {
    const m = mailModule();
    m.worker.start();
    const { id } = await m.mailer.sendMail({ to: 'a@example.com', subject: 's', text: 't' });
    m.worker.wake();
    for (let i = 0; i < 100 && (await status(id)) !== 'local'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await status(id)).toBe('local');
    await m.worker.stop();
  });

  it('two workers claiming at once never take the same mail', async () => {
    const m = mailModule();
    for (let i = 0; i < 20; i++) await m.mailer.sendMail({ to: `a${i}@example.com`, subject: 's', text: 't' });
    const [a, b] = await Promise.all([m.delivery.claim(15), m.delivery.claim(15)]);
    const ids = [...a!, ...b!].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(20);
    expect(await m.delivery.claim(15)).toHaveLength(0); // all leased
  });
});

describe('over SMTP', () => {
  it('delivers to the SMTP server with the attachment and records the message id', async () => {
    const m = mailModule({ smtp: true });
    const { id } = await m.mailer.sendMail({
      to: ['Driver One <driver1@example.com>', 'driver2@example.com'],
      subject: 'Invoice LAT-0001',
      text: 'Your invoice is attached.',
      html: '<p>Your invoice is attached.</p>',
      attachments: [{ filename: 'LAT-0001.pdf', content: PDF, contentType: 'application/pdf' }],
    });
    expect(await m.worker.tick()).toBe(1);
    const row = await t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(row.message_id).toMatch(/^<.+@.+>$/);
    expect(row.sent_at).toBeInstanceOf(Date);

    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.from).toBe('no-reply@lataus.test');
    expect(got.to).toEqual(['driver1@example.com', 'driver2@example.com']);
    expect(got.data).toContain('Subject: Invoice LAT-0001');
    expect(got.data).toContain('Your invoice is attached.');
    expect(got.data).toContain(`Message-ID: ${row.message_id}`);
    const attachment = attachmentFrom(got.data, 'LAT-0001.pdf');
    expect(attachment?.contentType).toBe('application/pdf');
    expect(attachment?.content.equals(PDF)).toBe(true);
    expect(smtp.commands).toEqual(expect.arrayContaining(['EHLO', 'MAIL', 'RCPT', 'DATA']));
  });

  it('retries after a temporary SMTP failure, with backoff, and records every attempt', async () => {
    const m = mailModule({ smtp: true, retryBaseMs: 300 });
    let failures = 1;
    smtp.fail = (verb) => (verb === 'MAIL' && failures-- > 0 ? '451 4.3.0 Mailbox temporarily unavailable' : null);
    const { id } = await m.mailer.sendMail({ to: 'a@example.com', subject: 'retry me', text: 't' });

    expect(await m.worker.tick()).toBe(1);
    let row = await t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, locked_until: null });
    expect(row.last_error).toContain('451');
    expect(smtp.received).toHaveLength(0);
    expect(await m.worker.tick()).toBe(0); // backing off

    await new Promise((r) => setTimeout(r, 400));
    expect(await m.worker.tick()).toBe(1);
    row = await t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(smtp.received).toHaveLength(1);

    const app = await adminApp(m);
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/admin/mails/${id}`, headers: auth })).json();
    expect(detail.attempt_log.map((a: { outcome: string }) => a.outcome)).toEqual(['retry', 'sent']);
    expect(detail.attempt_log[0].detail).toContain('451');
  });

  it('retries when the server cannot be reached, and gives up after the last attempt', async () => {
    const m = createMailModule({
      db: t.db,
      config: { SMTP_URL: 'smtp://127.0.0.1:1', MAIL_FROM: FROM, adminToken: ADMIN },
      retry: { baseDelayMs: 0, maxAttempts: 2 },
    });
    modules.push(m);
    const { id } = await m.mailer.sendMail({ to: 'a@example.com', subject: 's', text: 't' });
    await m.worker.tick();
    expect(await status(id)).toBe('pending');
    await m.worker.tick();
    const row = await t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
  });

  it('marks a permanently rejected mail failed at once; the back office can queue it again', async () => {
    const m = mailModule({ smtp: true, retryBaseMs: 0 });
    smtp.fail = (verb) => (verb === 'RCPT' ? '550 5.1.1 No such user' : null);
    const { id } = await m.mailer.sendMail({ to: 'ghost@example.com', subject: 's', text: 't' });
    await m.worker.tick();
    const row = await t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toContain('550');

    const app = await adminApp(m);
    const list = await app.inject({ method: 'GET', url: '/api/v1/admin/mails?status=failed', headers: auth });
    expect(list.json().items[0]).toMatchObject({ id, status: 'failed', attempts: 1 });
    smtp.fail = null;
    const retry = await app.inject({ method: 'POST', url: `/api/v1/admin/mails/${id}/retry`, headers: auth });
    expect(retry.statusCode).toBe(202);
    const again = await app.inject({ method: 'POST', url: `/api/v1/admin/mails/${id}/retry`, headers: auth });
    expect(again.statusCode).toBe(409);
    await m.worker.tick();
    expect(await status(id)).toBe('sent');
    expect(smtp.received).toHaveLength(1);
  });
});
