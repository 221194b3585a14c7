// Test helpers for the PAYONE simulator: a Server API client and a TransactionStatus receiver.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { md5Hex } from '../../../simulators/payone/core/keys.ts';
import { parseKeyValueBody, percentDecode } from '../../../simulators/payone/core/wire.ts';

export const FIXTURES = 'test/unit/payone/fixtures';

export function fixture(path: string): string {
  return readFileSync(`${FIXTURES}/${path}`, 'utf8');
}

/** The body of a recorded raw HTTP response (headers dropped). */
export function fixtureBody(path: string): string {
  const text = fixture(path);
  const split = text.indexOf('\r\n\r\n') >= 0 ? text.indexOf('\r\n\r\n') + 4 : text.indexOf('\n\n') + 2;
  return text.startsWith('HTTP/') ? text.slice(split) : text;
}

export const PORTAL_KEY = 'lataus-sim-portal-key';
export const STANDARD = {
  mid: '10000',
  portalid: '2000000',
  aid: '10001',
  key: md5Hex(PORTAL_KEY),
  mode: 'test',
  encoding: 'UTF-8',
  api_version: '3.11',
} as const;

export const VISA_OK = '9410010000000411111';
export const VISA_3DS = '9410010000000403220';

let counter = 0;
export function reference(prefix = 'ref'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

export interface ApiAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly fields: Map<string, string>;
}

export async function callApi(
  url: string,
  params: Record<string, string>,
  options: { standard?: boolean; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const body = new URLSearchParams({ ...(options.standard === false ? {} : STANDARD), ...params }).toString();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text,
    fields: parseKeyValueBody(text),
  };
}

export function preauthParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    request: 'preauthorization',
    reference: reference(),
    clearingtype: 'cc',
    amount: '5000',
    currency: 'EUR',
    pseudocardpan: VISA_OK,
    lastname: 'Driver',
    country: 'DE',
    ...overrides,
  };
}

export interface ReceivedNotification {
  readonly body: string;
  readonly fields: Map<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly answered: string;
}

/** A merchant endpoint. `answer(n, fields)` decides the body of the n-th (0-based) request. */
export async function startReceiver(
  answer: (index: number, fields: Map<string, string>) => string = () => 'TSOK',
): Promise<{ url: string; received: ReceivedNotification[]; close(): Promise<void>; server: Server }> {
  const received: ReceivedNotification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      const fields = new Map<string, string>();
      for (const part of body.split('&')) {
        const eq = part.indexOf('=');
        const decode = (s: string) => percentDecode(Buffer.from(s, 'latin1')).toString('latin1');
        fields.set(decode(part.slice(0, eq)), decode(part.slice(eq + 1)));
      }
      const answered = answer(received.length, fields);
      received.push({ body, fields, headers: req.headers, answered });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(answered);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/payone/transaction-status`,
    received,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
