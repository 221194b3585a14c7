// Back-office HTTP API for the mail outbox (admin bearer token): list, read, download attachments, retry.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/db/schema.ts';
import { adminAuth, adminSecurity } from '../../platform/http/admin-auth.ts';
import { AppError } from '../../platform/http/errors.ts';
import { MAIL_STATUSES } from './core/mail.ts';
import { getAttachment, getMailDetail, listMails, retryFailedMail } from './mail.service.ts';

const Status = z.enum(MAIL_STATUSES);
const MailSummary = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  status: Status.describe('pending | sent (accepted by SMTP) | local (kept in the outbox, no SMTP) | failed'),
  created_at: z.string(),
  sent_at: z.string().nullable(),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
});
const MailDetail = MailSummary.extend({
  from: z.string(),
  next_attempt_at: z.string().nullable(),
  message_id: z.string().nullable(),
  text: z.string(),
  html: z.string().nullable(),
  attachments: z.array(
    z.object({ index: z.number().int(), filename: z.string(), content_type: z.string(), size: z.number().int() }),
  ),
  attempt_log: z.array(
    z.object({
      attempt: z.number().int(),
      started_at: z.string(),
      finished_at: z.string(),
      outcome: z.string(),
      detail: z.string().nullable(),
    }),
  ),
});
const IdParams = z.object({ id: z.uuid('must be a mail id (uuid)') });

export function mailAdminRoutes(deps: { db: Kysely<Database>; adminToken: string; onRequeued?: () => void }) {
  const plugin: FastifyPluginAsync = async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', adminAuth(deps.adminToken));
    const tags = ['admin: mail'];
    const notFound = (id: string) => new AppError('NOT_FOUND', `No mail ${id}`);

    app.get(
      '/admin/mails',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Mails in the outbox, newest first',
          querystring: z.strictObject({
            status: Status.optional(),
            to: z.string().max(320).optional().describe('part of the recipient address, case-insensitive'),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).default(0),
          }),
          response: { 200: z.object({ total: z.number().int(), items: z.array(MailSummary) }) },
        },
      },
      async (req) => listMails(deps.db, req.query),
    );

    app.get(
      '/admin/mails/:id',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'One mail with its text and HTML body, attachment names and delivery attempts',
          params: IdParams,
          response: { 200: MailDetail },
        },
      },
      async (req) => {
        const mail = await getMailDetail(deps.db, req.params.id);
        if (!mail) throw notFound(req.params.id);
        return mail;
      },
    );

    app.get(
      '/admin/mails/:id/attachments/:index',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Download an attachment (index as listed in the mail)',
          params: IdParams.extend({ index: z.coerce.number().int().min(0).max(1000) }),
        },
      },
      async (req, reply) => {
        const a = await getAttachment(deps.db, req.params.id, req.params.index);
        if (!a) throw new AppError('NOT_FOUND', `Mail ${req.params.id} has no attachment ${req.params.index}`);
        const ascii = a.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
        return reply
          .type(a.content_type)
          .header(
            'content-disposition',
            `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`,
          )
          .header('x-content-type-options', 'nosniff')
          .send(Buffer.from(a.content));
      },
    );

    app.post(
      '/admin/mails/:id/retry',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Queue a failed mail again (one more attempt)',
          description: '409 CONFLICT when the mail is not failed.',
          params: IdParams,
          response: { 202: z.object({ id: z.string(), status: Status }) },
        },
      },
      async (req, reply) => {
        if (!(await retryFailedMail(deps.db, req.params.id))) {
          if (!(await getMailDetail(deps.db, req.params.id))) throw notFound(req.params.id);
          throw new AppError('CONFLICT', 'Only a failed mail can be retried');
        }
        deps.onRequeued?.();
        return reply.status(202).send({ id: req.params.id, status: 'pending' as const });
      },
    );
  };
  return plugin;
}
