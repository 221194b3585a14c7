// Our HTTP client towards a partner's OCPI endpoints: Authorization per peer (base64, falling back to the raw
// token once on 401), X-Request-ID / X-Correlation-ID, routing headers on functional modules, envelope reading.
import { randomUUID } from 'node:crypto';
import { authorizationHeader, type TokenEncoding } from '../../ocpi/core/auth.ts';
import { type OcpiEnvelope, readEnvelope } from '../../ocpi/core/envelope.ts';

export interface PartyRef {
  country_code: string;
  party_id: string;
}

export interface OcpiCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  encoding: TokenEncoding;
  body?: unknown;
  /** Routing headers (functional modules only; never on versions/credentials). */
  from?: PartyRef;
  to?: PartyRef;
  correlationId?: string;
  timeoutMs?: number;
}

export interface OcpiReply {
  http: number;
  envelope: OcpiEnvelope | null;
  headers: Headers;
  /** The encoding that worked (may differ from the one asked for after a 401 fallback). */
  encoding: TokenEncoding;
}

/** The partner could not be reached, or did not answer with an OCPI envelope. */
export class OcpiCallError extends Error {
  constructor(
    message: string,
    readonly http?: number,
  ) {
    super(message);
  }
}

export type FetchLike = typeof fetch;

async function once(call: OcpiCall, encoding: TokenEncoding, fetchImpl: FetchLike): Promise<OcpiReply> {
  const headers: Record<string, string> = {
    authorization: authorizationHeader(call.token, encoding),
    'x-request-id': randomUUID(),
    'x-correlation-id': call.correlationId ?? randomUUID(),
    accept: 'application/json',
  };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.from) {
    headers['ocpi-from-country-code'] = call.from.country_code;
    headers['ocpi-from-party-id'] = call.from.party_id;
  }
  if (call.to) {
    headers['ocpi-to-country-code'] = call.to.country_code;
    headers['ocpi-to-party-id'] = call.to.party_id;
  }
  let res: Response;
  try {
    res = await fetchImpl(call.url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs ?? 15_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new OcpiCallError(`${call.method} ${call.url} failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  const text = await res.text();
  let envelope: OcpiEnvelope | null = null;
  if (text.length > 0) {
    try {
      envelope = readEnvelope(JSON.parse(text));
    } catch {
      envelope = null;
    }
  }
  return { http: res.status, envelope, headers: res.headers, encoding };
}

/** One OCPI request. Throws OcpiCallError when unreachable; HTTP/OCPI errors are in the reply. */
export async function ocpiCall(call: OcpiCall, fetchImpl: FetchLike = fetch): Promise<OcpiReply> {
  const first = await once(call, call.encoding, fetchImpl);
  if (first.http !== 401) return first;
  // Many 2.1.1/2.2 peers expect the raw token (digest §2.5): try the other encoding once.
  return once(call, call.encoding === 'base64' ? 'plain' : 'base64', fetchImpl);
}

/** The envelope's data of a successful (HTTP 2xx, OCPI 1xxx) reply, or an OcpiCallError describing the failure. */
export function dataOf(reply: OcpiReply, what: string): unknown {
  const e = reply.envelope;
  if (reply.http < 200 || reply.http >= 300 || !e || e.status_code < 1000 || e.status_code >= 2000) {
    const detail = e ? `OCPI ${e.status_code}${e.status_message ? ` ${e.status_message}` : ''}` : 'no OCPI envelope';
    throw new OcpiCallError(`${what}: HTTP ${reply.http}, ${detail}`, reply.http);
  }
  return e.data;
}
