// HTTP transport to the Server API: one form-urlencoded POST, a timeout, the body decoded per charset.
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

export class PayoneHttpClient {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(opts: PayoneHttpClientOptions) {
    this.#url = opts.url;
    // PAYONE plugins use 45–60 s; a card authorization can wait on the issuer.
    this.#timeoutMs = opts.timeoutMs ?? 45_000;
    this.#fetch = opts.fetch ?? fetch;
  }

  async post(params: Record<string, string>, encoding: PayoneEncoding): Promise<HttpExchange> {
    const startedAt = new Date();
    const t0 = performance.now();
    const latency = () => Math.round((performance.now() - t0) * 100) / 100;
    try {
      const res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': `application/x-www-form-urlencoded; charset=${encoding}`,
          accept: 'text/plain',
        },
        body: encodeForm(params, encoding),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const charset = charsetOf(res.headers.get('content-type') ?? undefined) ?? encoding;
      const body = bytes.toString(charset === 'UTF-8' ? 'utf8' : 'latin1');
      return { httpStatus: res.status, body, latencyMs: latency(), startedAt, transportError: null };
    } catch (e) {
      const err = e as Error;
      const detail =
        err.name === 'TimeoutError' ? `timeout after ${this.#timeoutMs} ms` : `${err.name}: ${err.message}`;
      return { httpStatus: null, body: null, latencyMs: latency(), startedAt, transportError: detail };
    }
  }
}
