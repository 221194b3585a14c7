// SQL of the mail module: the outbox, its attachments and the log of delivery attempts.
import { type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import type { Database, MailAttemptsTable, MailOutboxTable } from '../../platform/db/schema.ts';

export type Executor = Kysely<Database> | Transaction<Database>;
export type MailRow = Selectable<MailOutboxTable>;
export type AttemptRow = Selectable<MailAttemptsTable>;

/**
 * Writes a mail and its attachments in ONE statement. With `onlyIf` (a data-modifying statement with RETURNING,
 * e.g. a claim), the mail is written only if that statement returned a row, atomically with it; the result says
 * whether the mail was written.
 */
export async function insertMail(
  db: Executor,
  mail: {
    id: string;
    from: string;
    to: string;
    subject: string;
    text: string;
    html: string | null;
    attachments: { filename: string; contentType: string; content: Uint8Array }[];
  },
  onlyIf?: RawBuilder<unknown>,
): Promise<boolean> {
  const attachments = mail.attachments.length
    ? sql`, attached as (
        insert into mail_attachments (mail_id, position, filename, content_type, content)
        select m.id, v.position, v.filename, v.content_type, v.content from m, (values ${sql.join(
          mail.attachments.map(
            (a, position) => sql`(${position}::int, ${a.filename}::text, ${a.contentType}::text, ${a.content}::bytea)`,
          ),
        )}) as v(position, filename, content_type, content)
      )`
    : sql``;
  const r = await sql<{ id: string }>`
    with ${onlyIf ? sql`guard as (${onlyIf}),` : sql``} m as (
      insert into mail_outbox (id, from_address, to_address, subject, text_body, html_body)
      select ${mail.id}::uuid, ${mail.from}, ${mail.to}, ${mail.subject}, ${mail.text}, ${mail.html}
      ${onlyIf ? sql`where exists (select 1 from guard)` : sql``}
      returning id
    )${attachments}
    select id from m`.execute(db);
  return r.rows.length > 0;
}

/** Claims due mails in one statement: FOR UPDATE SKIP LOCKED, attempt counted and lease taken before sending. */
export async function claimDueMails(db: Executor, limit: number, leaseMs: number): Promise<MailRow[]> {
  const r = await sql<MailRow>`
    update mail_outbox set attempts = attempts + 1,
      locked_until = now() + ${`${leaseMs} milliseconds`}::interval, updated_at = now()
    where id in (
      select id from mail_outbox
      where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
      order by next_attempt_at, id limit ${limit}
      for update skip locked)
    returning *`.execute(db);
  return r.rows;
}

export async function attachmentsOf(db: Executor, mailId: string) {
  return db
    .selectFrom('mail_attachments')
    .select(['position', 'filename', 'content_type', 'content'])
    .where('mail_id', '=', mailId)
    .orderBy('position')
    .execute();
}

export async function attachmentInfosOf(db: Executor, mailId: string) {
  return db
    .selectFrom('mail_attachments')
    .select(['position', 'filename', 'content_type', sql<number>`octet_length(content)::int`.as('size')])
    .where('mail_id', '=', mailId)
    .orderBy('position')
    .execute();
}

export async function attachmentAt(db: Executor, mailId: string, position: number) {
  return db
    .selectFrom('mail_attachments')
    .select(['filename', 'content_type', 'content'])
    .where('mail_id', '=', mailId)
    .where('position', '=', position)
    .executeTakeFirst();
}

/** Records the outcome of an attempt on the mail and in the attempt log, in one transaction. */
export async function recordAttempt(
  db: Kysely<Database>,
  mail: MailRow,
  attempt: {
    startedAt: Date;
    outcome: 'sent' | 'local' | 'retry' | 'failed';
    detail: string | null;
    messageId?: string | null;
    retryInMs?: number;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const delivered = attempt.outcome === 'sent' || attempt.outcome === 'local';
    await trx
      .updateTable('mail_outbox')
      .set({
        status: attempt.outcome === 'retry' ? 'pending' : attempt.outcome,
        locked_until: null,
        last_error: delivered ? null : attempt.detail,
        updated_at: sql<Date>`now()`,
        ...(delivered ? { sent_at: sql<Date>`now()`, message_id: attempt.messageId ?? null } : {}),
        ...(attempt.outcome === 'retry'
          ? { next_attempt_at: sql<Date>`now() + ${`${attempt.retryInMs ?? 0} milliseconds`}::interval` }
          : {}),
      })
      .where('id', '=', mail.id)
      .execute();
    await trx
      .insertInto('mail_attempts')
      .values({
        mail_id: mail.id,
        attempt: mail.attempts,
        started_at: attempt.startedAt,
        finished_at: new Date(),
        outcome: attempt.outcome,
        detail: attempt.detail,
      })
      // A lease that expired mid-send can lead to a second worker recording the same attempt number.
      .onConflict((oc) => oc.columns(['mail_id', 'attempt']).doNothing())
      .execute();
  });
}

export async function listMails(
  db: Executor,
  q: { status?: string | undefined; to?: string | undefined; limit: number; offset: number },
) {
  let query = db.selectFrom('mail_outbox');
  if (q.status) query = query.where('status', '=', q.status);
  if (q.to) query = query.where(sql<boolean>`position(${q.to.toLowerCase()} in lower(to_address)) > 0`);
  const [rows, total] = await Promise.all([
    query
      .select(['id', 'to_address', 'subject', 'status', 'created_at', 'sent_at', 'attempts', 'last_error'])
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(q.limit)
      .offset(q.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

export async function getMail(db: Executor, id: string): Promise<MailRow | undefined> {
  return db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function attemptsOf(db: Executor, id: string): Promise<AttemptRow[]> {
  return db.selectFrom('mail_attempts').selectAll().where('mail_id', '=', id).orderBy('attempt').execute();
}

/** Puts a failed mail back in the queue (back-office action); false when the mail is not failed. */
export async function requeueFailed(db: Executor, id: string): Promise<boolean> {
  const r = await db
    .updateTable('mail_outbox')
    .set({ status: 'pending', next_attempt_at: sql<Date>`now()`, locked_until: null, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
