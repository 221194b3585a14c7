// What a mail is before it reaches the outbox, its validation, and the retry policy of the delivery worker.

export interface MailAttachment {
  filename: string;
  content: Buffer | Uint8Array;
  contentType: string;
}

export interface OutgoingMail {
  /** One address or several; `Name <address>` allowed. */
  to: string | string[];
  subject: string;
  text: string;
  html?: string | undefined;
  attachments?: MailAttachment[] | undefined;
}

/** pending: waiting for the worker; sent: accepted by the SMTP server; local: kept in the outbox only (no SMTP
 * configured); failed: given up (permanent SMTP rejection or too many attempts). */
export const MAIL_STATUSES = ['pending', 'sent', 'local', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;
const HEADER_BREAK = /[\r\n]/;

/** The recipients as one header value (`a@x, B <b@y>`), or the problems with them. */
export function recipientsOf(to: string | string[]): { ok: true; value: string } | { ok: false; problem: string } {
  const list = (Array.isArray(to) ? to : [to]).map((a) => a.trim()).filter((a) => a.length > 0);
  if (list.length === 0) return { ok: false, problem: 'no recipient' };
  for (const a of list) {
    if (HEADER_BREAK.test(a)) return { ok: false, problem: 'a recipient contains a line break' };
    const bracketed = /<([^<>]+)>$/.exec(a);
    const address = bracketed ? bracketed[1]! : a;
    if (!ADDRESS.test(address)) return { ok: false, problem: `not an e-mail address: ${JSON.stringify(a)}` };
  }
  return { ok: true, value: list.join(', ') };
}

/** Problems that make a mail unsendable; empty when it is fine. Checked before anything is written. */
export function mailProblems(mail: OutgoingMail): string[] {
  const problems: string[] = [];
  const to = recipientsOf(mail.to);
  if (!to.ok) problems.push(to.problem);
  if (HEADER_BREAK.test(mail.subject)) problems.push('the subject contains a line break');
  if (mail.subject.trim().length === 0) problems.push('the subject is empty');
  for (const [i, a] of (mail.attachments ?? []).entries()) {
    if (!a.filename || /[\r\n/\\]/.test(a.filename)) problems.push(`attachment ${i}: bad file name`);
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(a.contentType)) problems.push(`attachment ${i}: bad content type`);
  }
  return problems;
}

export interface RetryPolicy {
  /** Delay before the 2nd attempt; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts in total before the mail is marked failed. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 30_000, maxDelayMs: 3_600_000, maxAttempts: 8 };

/** Delay after failed attempt number `attempt` (1-based): base, 2·base, 4·base … capped. */
export function retryDelayMs(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** A 5xx SMTP reply is permanent (bad recipient, rejected content): retrying would not help. Anything else
 * (4xx, connection refused, timeout) is temporary. */
export function isPermanentFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** What happens after a failed attempt. */
export function afterFailure(
  attempt: number,
  error: unknown,
  policy: RetryPolicy = DEFAULT_RETRY,
): { outcome: 'failed' } | { outcome: 'retry'; delayMs: number } {
  if (isPermanentFailure(error) || attempt >= policy.maxAttempts) return { outcome: 'failed' };
  return { outcome: 'retry', delayMs: retryDelayMs(attempt, policy) };
}
