// Mail: every mail is written to an outbox table (in the caller's transaction) and delivered by a worker over
// SMTP — or kept in the outbox as `local` when no SMTP server is configured — with a back-office API to read it.
import type { Kysely } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { RetryPolicy } from './core/mail.ts';
import { mailAdminRoutes } from './mail.routes.ts';
import { createMailDelivery, createMailer } from './mail.service.ts';
import { type MailTransport, transportFromConfig } from './mail.transport.ts';
import { MailWorker } from './mail.worker.ts';

export type { MailAttachment, MailStatus, OutgoingMail, RetryPolicy } from './core/mail.ts';
export { InvalidMailError, type Mailer } from './mail.service.ts';
export { localTransport, type MailTransport, smtpTransport } from './mail.transport.ts';
export { MailWorker } from './mail.worker.ts';

export interface MailModuleOptions {
  db: Kysely<Database>;
  config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'adminToken'>;
  /** Replaces the transport chosen from SMTP_URL (tests). */
  transport?: MailTransport;
  retry?: Partial<RetryPolicy>;
  worker?: { pollMs?: number; concurrency?: number; leaseMs?: number };
  log?: { error: (obj: object, msg: string) => void };
}

/** Wires the module: the mailer (for other modules), the delivery worker and the admin routes (under /api/v1). */
export function createMailModule(opts: MailModuleOptions) {
  const transport = opts.transport ?? transportFromConfig(opts.config);
  const mailer = createMailer({ db: opts.db, from: opts.config.MAIL_FROM });
  const delivery = createMailDelivery({
    db: opts.db,
    transport,
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.worker?.leaseMs ? { leaseMs: opts.worker.leaseMs } : {}),
  });
  const worker = new MailWorker({
    delivery,
    pollMs: opts.worker?.pollMs ?? 1000,
    concurrency: opts.worker?.concurrency ?? 4,
    onError: (e) => opts.log?.error({ err: e }, 'mail worker error'),
  });
  return {
    mailer,
    delivery,
    worker,
    transport,
    routes: mailAdminRoutes({ db: opts.db, adminToken: opts.config.adminToken, onRequeued: () => worker.wake() }),
    async close() {
      await worker.stop();
      await transport.close();
    },
  };
}
export type MailModule = ReturnType<typeof createMailModule>;
