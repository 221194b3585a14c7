// HTTP transport to the Server API: one form-urlencoded POST, a timeout, the body decoded per charset. Requests go
// through node:http(s) with a keep-alive agent (undici's fetch cost several times more CPU per request; a capture
// path makes one or two of them); an injected `fetch` (tests) is used instead when given.
import http from 'node:http';
import https from 'node:https';
import { charsetOf, encodeForm, type PayoneEncoding } from './form.ts';

export interface HttpExchange {
  httpStatus: number | null;
  body: string | null;
  latencyMs: number;
  startedAt: Date;
  /** Set when no HTTP answer arrived (timeout, refused, reset). */
  transportError: string | null;
}

export interface PayoneHttpClientOptions {
  url: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Idle connections are kept for 4 s (as undici does), so a burst of requests reuses them. */
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: 4_000 }),
  'https:': new https.Agent({ keepAlive: true, timeout: 4_000 }),
};

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

interface RawAnswer {
  status: number;
  contentType: string | undefined;
  bytes: Buffer;
}

function postWithNode(url: URL, headers: Record<string, string>, body: string, timeoutMs: number) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const payload = Buffer.from(body, 'latin1'); // the form is percent-encoded ASCII
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: agents[secure ? 'https:' : 'http:'],
        headers: { ...headers, 'content-length': String(payload.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            bytes: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new TimeoutError(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end(payload);
  });
}

export class PayoneHttpClient {
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | null;

  constructor(opts: PayoneHttpClientOptions) {
    this.#url = new URL(opts.url);
    // PAYONE plugins use 45–60 s; a card authorization can wait on the issuer.
    this.#timeoutMs = opts.timeoutMs ?? 45_000;
    this.#fetch = opts.fetch ?? null;
  }

  async #send(headers: Record<string, string>, body: string): Promise<RawAnswer> {
    if (!this.#fetch) return postWithNode(this.#url, headers, body, this.#timeoutMs);
    const res = await this.#fetch(this.#url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? undefined,
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  }

  async post(params: Record<string, string>, encoding: PayoneEncoding): Promise<HttpExchange> {
    const startedAt = new Date();
    const t0 = performance.now();
    const latency = () => Math.round((performance.now() - t0) * 100) / 100;
    try {
      const res = await this.#send(
        { 'content-type': `application/x-www-form-urlencoded; charset=${encoding}`, accept: 'text/plain' },
        encodeForm(params, encoding),
      );
      const charset = charsetOf(res.contentType) ?? encoding;
      const body = res.bytes.toString(charset === 'UTF-8' ? 'utf8' : 'latin1');
      return { httpStatus: res.status, body, latencyMs: latency(), startedAt, transportError: null };
    } catch (e) {
      const err = e as Error;
      const detail =
        err.name === 'TimeoutError' ? `timeout after ${this.#timeoutMs} ms` : `${err.name}: ${err.message}`;
      return { httpStatus: null, body: null, latencyMs: latency(), startedAt, transportError: detail };
    }
  }
}
