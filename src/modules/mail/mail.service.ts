// Mail use cases: queue a mail in the outbox (in the caller's transaction when given), deliver due mails
// (called by the worker), and the back office's reading of the outbox.
import { randomUUID } from 'node:crypto';
import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import {
  afterFailure,
  DEFAULT_RETRY,
  type MailStatus,
  mailProblems,
  type OutgoingMail,
  type RetryPolicy,
  recipientsOf,
} from './core/mail.ts';
import * as repo from './mail.repository.ts';
import type { MailTransport } from './mail.transport.ts';

export class InvalidMailError extends Error {
  constructor(readonly problems: string[]) {
    super(`The mail cannot be sent: ${problems.join('; ')}`);
  }
}

export interface Mailer {
  /**
   * Writes the mail to the outbox; the worker delivers it after the transaction commits. Pass the caller's
   * transaction as `trx` so that the mail exists if and only if the business change does. Throws
   * InvalidMailError (a programming error: callers build their mails) when the mail is malformed.
   */
  sendMail(mail: OutgoingMail, opts?: { trx?: Transaction<Database> }): Promise<{ id: string }>;
  /**
   * Writes the mail to the outbox only if `claim` (a data-modifying statement with RETURNING) returns a row, in one
   * statement with it: the claim and the mail happen together or not at all. Null when the claim returned nothing.
   */
  sendMailIf(mail: OutgoingMail, claim: RawBuilder<unknown>): Promise<{ id: string } | null>;
}

export function createMailer(deps: { db: Kysely<Database>; from: string }): Mailer {
  return {
    async sendMail(mail, opts = {}) {
      const row = outboxRow(mail, deps.from);
      await repo.insertMail(opts.trx ?? deps.db, row);
      return { id: row.id };
    },
    async sendMailIf(mail, claim) {
      const row = outboxRow(mail, deps.from);
      return (await repo.insertMail(deps.db, row, claim)) ? { id: row.id } : null;
    },
  };
}

/** The outbox row of a mail; throws InvalidMailError when the mail is malformed. */
function outboxRow(mail: OutgoingMail, from: string) {
  const problems = mailProblems(mail);
  const to = recipientsOf(mail.to);
  if (problems.length > 0 || !to.ok) throw new InvalidMailError(problems);
  return {
    id: randomUUID(),
    from,
    to: to.value,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? null,
    attachments: (mail.attachments ?? []).map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
    })),
  };
}

export interface MailDeliveryOptions {
  db: Kysely<Database>;
  transport: MailTransport;
  retry?: Partial<RetryPolicy>;
  /** How long a claimed mail stays reserved for one worker; above the SMTP timeouts. */
  leaseMs?: number;
}

export interface MailDelivery {
  claim(limit: number): Promise<repo.MailRow[]>;
  /** Sends one claimed mail and records the outcome; never throws for SMTP failures. */
  deliver(mail: repo.MailRow): Promise<'sent' | 'local' | 'retry' | 'failed'>;
}

const clip = (s: string, n = 1000) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function createMailDelivery(opts: MailDeliveryOptions): MailDelivery {
  const policy = { ...DEFAULT_RETRY, ...opts.retry };
  const leaseMs = opts.leaseMs ?? 120_000;
  return {
    claim: (limit) => repo.claimDueMails(opts.db, limit, leaseMs),
    async deliver(mail) {
      const startedAt = new Date();
      try {
        const attachments = await repo.attachmentsOf(opts.db, mail.id);
        const sent = await opts.transport.send({
          from: mail.from_address,
          to: mail.to_address,
          subject: mail.subject,
          text: mail.text_body,
          html: mail.html_body ?? undefined,
          attachments: attachments.map((a) => ({
            filename: a.filename,
            contentType: a.content_type,
            content: Buffer.from(a.content),
          })),
        });
        const outcome = opts.transport.kind === 'smtp' ? 'sent' : 'local';
        await repo.recordAttempt(opts.db, mail, {
          startedAt,
          outcome,
          detail: sent.response ? clip(sent.response) : null,
          messageId: sent.messageId,
        });
        return outcome;
      } catch (e) {
        const next = afterFailure(mail.attempts, e, policy);
        const detail = clip(e instanceof Error ? e.message : String(e));
        await repo.recordAttempt(opts.db, mail, {
          startedAt,
          outcome: next.outcome,
          detail,
          ...(next.outcome === 'retry' ? { retryInMs: next.delayMs } : {}),
        });
        return next.outcome;
      }
    },
  };
}

// --- back office ---

export async function listMails(
  db: Kysely<Database>,
  q: { status?: string | undefined; to?: string | undefined; limit: number; offset: number },
) {
  const { rows, total } = await repo.listMails(db, q);
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      to: r.to_address,
      subject: r.subject,
      status: r.status as MailStatus,
      created_at: r.created_at.toISOString(),
      sent_at: r.sent_at?.toISOString() ?? null,
      attempts: r.attempts,
      last_error: r.last_error,
    })),
  };
}

export async function getMailDetail(db: Kysely<Database>, id: string) {
  const mail = await repo.getMail(db, id);
  if (!mail) return undefined;
  const [attachments, attempts] = await Promise.all([repo.attachmentInfosOf(db, id), repo.attemptsOf(db, id)]);
  return {
    id: mail.id,
    from: mail.from_address,
    to: mail.to_address,
    subject: mail.subject,
    status: mail.status as MailStatus,
    created_at: mail.created_at.toISOString(),
    sent_at: mail.sent_at?.toISOString() ?? null,
    next_attempt_at: mail.status === 'pending' ? mail.next_attempt_at.toISOString() : null,
    attempts: mail.attempts,
    last_error: mail.last_error,
    message_id: mail.message_id,
    text: mail.text_body,
    html: mail.html_body,
    attachments: attachments.map((a) => ({
      index: a.position,
      filename: a.filename,
      content_type: a.content_type,
      size: a.size,
    })),
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      started_at: a.started_at.toISOString(),
      finished_at: a.finished_at.toISOString(),
      outcome: a.outcome,
      detail: a.detail,
    })),
  };
}

export const getAttachment = (db: Kysely<Database>, id: string, index: number) => repo.attachmentAt(db, id, index);
export const retryFailedMail = (db: Kysely<Database>, id: string) => repo.requeueFailed(db, id);
