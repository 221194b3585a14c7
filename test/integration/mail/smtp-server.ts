// A tiny SMTP server for tests (node:net): just enough of RFC 5321 for nodemailer — greeting, EHLO/HELO,
// MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP, QUIT. Replies can be overridden to simulate failures.
import net from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as received (headers and body), dot-unstuffed, CRLF line ends. */
  data: string;
}

export type Verb = 'MAIL' | 'RCPT' | 'DATA' | 'EOM';
/** Returns a reply line (e.g. `451 4.3.0 Try later`) to answer a command with instead of success. */
export type FailureRule = (verb: Verb, arg: string) => string | null;

export interface TestSmtpServer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Commands seen, in order (e.g. `EHLO`, `MAIL`), for assertions on the dialogue. */
  commands: string[];
  fail: FailureRule | null;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const sockets = new Set<net.Socket>();
  const state: TestSmtpServer = {
    port: 0,
    url: '',
    received: [],
    commands: [],
    fail: null,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let inData = false;
    let dataLines: string[] = [];
    let envelope: { from: string; to: string[] } | null = null;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    const failure = (verb: Verb, arg: string) => state.fail?.(verb, arg) ?? null;

    reply('220 test.localhost ESMTP ready');
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const rejected = failure('EOM', '');
            if (rejected) reply(rejected);
            else {
              state.received.push({ from: envelope!.from, to: envelope!.to, data: dataLines.join('\r\n') });
              reply(`250 2.0.0 Ok: queued as ${state.received.length}`);
            }
            envelope = null;
            dataLines = [];
          } else dataLines.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const [verbRaw = '', ...rest] = line.split(' ');
        const verb = verbRaw.toUpperCase();
        const arg = rest.join(' ');
        state.commands.push(verb);
        switch (verb) {
          case 'EHLO':
            reply('250-test.localhost');
            reply('250-8BITMIME');
            reply('250 SIZE 10485760');
            break;
          case 'HELO':
            reply('250 test.localhost');
            break;
          case 'MAIL': {
            const rejected = failure('MAIL', arg);
            if (rejected) reply(rejected);
            else {
              envelope = { from: /<([^>]*)>/.exec(arg)?.[1] ?? '', to: [] };
              reply('250 2.1.0 Ok');
            }
            break;
          }
          case 'RCPT': {
            const rejected = failure('RCPT', arg);
            if (rejected) reply(rejected);
            else if (!envelope) reply('503 5.5.1 MAIL first');
            else {
              envelope.to.push(/<([^>]*)>/.exec(arg)?.[1] ?? '');
              reply('250 2.1.5 Ok');
            }
            break;
          }
          case 'DATA': {
            const rejected = failure('DATA', arg);
            if (rejected) reply(rejected);
            else if (!envelope || envelope.to.length === 0) reply('503 5.5.1 RCPT first');
            else {
              inData = true;
              reply('354 End data with <CR><LF>.<CR><LF>');
            }
            break;
          }
          case 'RSET':
            envelope = null;
            reply('250 2.0.0 Ok');
            break;
          case 'NOOP':
            reply('250 2.0.0 Ok');
            break;
          case 'QUIT':
            reply('221 2.0.0 Bye');
            socket.end();
            break;
          default:
            reply('502 5.5.2 Command not recognized');
        }
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  state.port = (server.address() as net.AddressInfo).port;
  state.url = `smtp://127.0.0.1:${state.port}`;
  return state;
}

/** The decoded body of the MIME part whose headers mention `filename` (base64 parts only). */
export function attachmentFrom(data: string, filename: string): { contentType: string; content: Buffer } | null {
  const parts = data.split(/\r\n--[^\r\n]+\r\n/);
  for (const part of parts) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    if (!headers.includes(filename)) continue;
    const contentType = /content-type:\s*([^;\r\n]+)/i.exec(headers)?.[1]?.trim() ?? '';
    const body = part.slice(split + 4).replace(/\r\n--[^\r\n]*--\s*$/, '');
    return { contentType, content: Buffer.from(body.replace(/\s+/g, ''), 'base64') };
  }
  return null;
}
