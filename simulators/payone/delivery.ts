// Sends one TransactionStatus POST and classifies the answer. http: URLs go through node:http with a keep-alive
// agent (undici's fetch cost several times more CPU per notification); the request bytes are the ones fetch sent
// (same headers in the same order), the answer is read as fetch's text() reads it. Other schemes use fetch.
import http from 'node:http';
import zlib from 'node:zlib';
import { isAcknowledged } from './core/notification.ts';
import type { DeliveryAttempt } from './core/queue.ts';

export interface DeliveryOptions {
  readonly timeoutMs: number;
  readonly lenientTsok: boolean;
}

const CONTENT_TYPE = 'application/x-www-form-urlencoded';
const USER_AGENT = 'PAYONE FinanceGate';
/** Like undici: reuse idle connections for 4 s unless the server's Keep-Alive hint says less. */
const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
/** fetch's text(): UTF-8, replacement characters for bad bytes, a leading BOM dropped. */
const utf8 = new TextDecoder('utf-8');

interface Target {
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
  readonly host: string;
}
const targets = new Map<string, Target | null>();

/** Ports fetch refuses to connect to ("bad port"); those URLs keep going through fetch for its answer. */
const FETCH_BAD_PORTS = new Set(
  (
    '0 1 7 9 11 13 15 17 19 20 21 22 23 25 37 42 43 53 69 77 79 87 95 101 102 103 104 109 110 111 113 115 117 119 ' +
    '123 135 137 139 143 161 179 389 427 465 512 513 514 515 526 530 531 532 540 548 554 556 563 587 601 636 989 ' +
    '990 993 995 1719 1720 1723 2049 3659 4045 4190 5060 5061 6000 6566 6665 6666 6667 6668 6669 6679 6697 10080'
  ).split(' '),
);

function targetOf(url: string): Target | null {
  let target = targets.get(url);
  if (target === undefined) {
    const u = new URL(url);
    target =
      u.protocol === 'http:' && u.username === '' && u.password === '' && !FETCH_BAD_PORTS.has(u.port || '80')
        ? {
            hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
            port: u.port || '80',
            path: `${u.pathname}${u.search}`,
            host: u.host,
          }
        : null;
    if (targets.size > 100) targets.clear();
    targets.set(url, target);
  }
  return target;
}

function classify(status: number, text: string, options: DeliveryOptions, at: string): DeliveryAttempt {
  const body = text.slice(0, 200);
  const ok = status >= 200 && status < 300;
  if (ok && isAcknowledged(text, options.lenientTsok)) return { at, outcome: 'TSOK', httpStatus: status, body };
  return { at, outcome: ok ? 'rejected' : 'http-error', httpStatus: status, body };
}

class DeliveryTimeout extends Error {
  override name = 'TimeoutError';
}

function decodeBody(encoding: string | undefined, bytes: Buffer): Buffer {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity') return bytes;
  if (coding === 'gzip' || coding === 'x-gzip')
    return zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (coding === 'deflate') {
    // zlib-wrapped or raw deflate, as undici accepts both.
    return (bytes[0]! & 0x0f) === 0x08 ? zlib.inflateSync(bytes) : zlib.inflateRawSync(bytes);
  }
  if (coding === 'br') return zlib.brotliDecompressSync(bytes);
  return bytes;
}

function postHttp(
  target: Target,
  body: string,
  timeoutMs: number,
  retryStale: boolean,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let answered = false;
    const req = http.request({
      agent,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      method: 'POST',
      // fetch's request headers, in fetch's order.
      headers: [
        'host',
        target.host,
        'connection',
        'keep-alive',
        'content-type',
        CONTENT_TYPE,
        'user-agent',
        USER_AGENT,
        'accept',
        '*/*',
        'accept-language',
        '*',
        'sec-fetch-mode',
        'cors',
        'accept-encoding',
        'gzip, deflate',
        'content-length',
        String(Buffer.byteLength(body)),
      ],
    });
    const timer = setTimeout(() => req.destroy(new DeliveryTimeout('no TSOK in time')), timeoutMs);
    const finish = (error: Error | null, value?: { status: number; text: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value!);
    };
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => finish(error));
      res.on('end', () => {
        try {
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          finish(null, { status, text: utf8.decode(decodeBody(res.headers['content-encoding'], bytes)) });
        } catch (error) {
          finish(error as Error);
        }
      });
    });
    req.on('error', (error: Error & { code?: string }) => {
      // A kept-alive connection the merchant closed just as we reused it: nothing was processed, send again.
      if (!settled && retryStale && !answered && req.reusedSocket && error.code === 'ECONNRESET') {
        settled = true;
        clearTimeout(timer);
        postHttp(target, body, timeoutMs, false).then(resolve, reject);
        return;
      }
      finish(error);
    });
    req.end(body);
  });
}

async function postFetch(url: string, body: string, options: DeliveryOptions, at: string): Promise<DeliveryAttempt> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': CONTENT_TYPE, 'user-agent': USER_AGENT },
    body,
    signal: AbortSignal.timeout(options.timeoutMs),
    redirect: 'manual',
  });
  return classify(response.status, await response.text(), options, at);
}

/** One delivery attempt of a notification body to the merchant's URL. */
export async function deliverNotification(
  url: string,
  body: string,
  options: DeliveryOptions,
): Promise<DeliveryAttempt> {
  const at = new Date().toISOString();
  try {
    const target = targetOf(url);
    if (!target) return await postFetch(url, body, options, at);
    const { status, text } = await postHttp(target, body, options.timeoutMs, true);
    return classify(status, text, options, at);
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { at, outcome: 'timeout', error: 'no TSOK in time' };
    // fetch reports the socket error as its cause; node:http reports it directly.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause ?? (error as { code?: string });
    let code = (cause as { code?: string }).code;
    // fetch's name for "the merchant closed the connection without answering".
    if (code === 'ECONNRESET' && (error as Error).message === 'socket hang up') code = 'UND_ERR_SOCKET';
    return {
      at,
      outcome: 'network-error',
      error: code ?? (cause as { message?: string }).message ?? (error as Error).message,
    };
  }
}
