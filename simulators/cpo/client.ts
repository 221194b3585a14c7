// Outgoing OCPI HTTP: one request with the Authorization, unique-id and routing headers, parsed into the envelope.
import { randomUUID } from 'node:crypto';
import { authorizationHeader, type Envelope } from './core/ocpi.ts';

export interface OcpiResponse {
  httpStatus: number;
  headers: Record<string, string>;
  body: unknown;
  /** The OCPI envelope when the body is one. */
  envelope: Envelope | null;
  /** Network error or timeout (httpStatus is 0 then). */
  error?: string;
  durationMs: number;
}

export interface RequestOptions {
  token: string;
  encoding: 'base64' | 'raw';
  body?: unknown;
  /** OCPI-from/to-* headers (functional modules only). */
  routing?: { fromCountryCode: string; fromPartyId: string; toCountryCode?: string; toPartyId?: string };
  correlationId?: string;
  timeoutMs?: number;
}

function isEnvelope(x: unknown): x is Envelope {
  return typeof x === 'object' && x !== null && typeof (x as { status_code?: unknown }).status_code === 'number';
}

export async function ocpiRequest(method: string, url: string, opts: RequestOptions): Promise<OcpiResponse> {
  const headers: Record<string, string> = {
    Authorization: authorizationHeader(opts.token, opts.encoding),
    'X-Request-ID': randomUUID(),
    'X-Correlation-ID': opts.correlationId ?? randomUUID(),
    Accept: 'application/json',
  };
  if (opts.routing) {
    headers['OCPI-from-country-code'] = opts.routing.fromCountryCode;
    headers['OCPI-from-party-id'] = opts.routing.fromPartyId;
    if (opts.routing.toCountryCode) headers['OCPI-to-country-code'] = opts.routing.toCountryCode;
    if (opts.routing.toPartyId) headers['OCPI-to-party-id'] = opts.routing.toPartyId;
  }
  let payload: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(opts.body);
  }
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    const outHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      outHeaders[k] = v;
    });
    return {
      httpStatus: res.status,
      headers: outHeaders,
      body,
      envelope: isEnvelope(body) ? body : null,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (e) {
    return {
      httpStatus: 0,
      headers: {},
      body: null,
      envelope: null,
      error: (e as Error).message,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

/** Runs tasks one after the other per key (so pushes of one object stay in order), at most `limit` at once overall. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.pending++;
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(async () => {
      await this.acquire();
      try {
        return await task();
      } finally {
        this.release();
      }
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.pending--;
      if (this.pending === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    });
    return result;
  }

  /** Resolves when no task is queued or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get size(): number {
    return this.pending;
  }

  private acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
