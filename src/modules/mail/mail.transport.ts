// How a mail leaves the outbox: over SMTP (nodemailer, from SMTP_URL), or nowhere (`local`: the outbox is the
// mailbox, read in the back office) when no SMTP server is configured.
import nodemailer from 'nodemailer';

export interface TransportMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

export interface MailTransport {
  /** `smtp` marks delivered mails `sent`, `local` marks them `local`. */
  readonly kind: 'smtp' | 'local';
  send(message: TransportMessage): Promise<{ messageId: string | null; response: string | null }>;
  close(): Promise<void>;
}

export const localTransport: MailTransport = {
  kind: 'local',
  send: async () => ({ messageId: null, response: null }),
  close: async () => {},
};

export interface SmtpTimeouts {
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** An SMTP transport for an smtp:// or smtps:// URL (credentials, if any, in the URL). */
export function smtpTransport(url: string, timeouts: SmtpTimeouts = {}): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: timeouts.connectionTimeoutMs ?? 10_000,
    greetingTimeout: timeouts.greetingTimeoutMs ?? 10_000,
    socketTimeout: timeouts.socketTimeoutMs ?? 30_000,
  });
  return {
    kind: 'smtp',
    async send(m) {
      const info = await transporter.sendMail({
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        attachments: m.attachments.map((a) => ({
          filename: a.filename,
          content: a.content,
          contentType: a.contentType,
        })),
      });
      return { messageId: info.messageId ?? null, response: info.response ?? null };
    },
    async close() {
      transporter.close();
    },
  };
}

export function transportFromConfig(config: { SMTP_URL?: string | undefined }): MailTransport {
  return config.SMTP_URL ? smtpTransport(config.SMTP_URL) : localTransport;
}
