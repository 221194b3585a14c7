// OCPI 2.2.1 transport helpers (digest §2.5, §3): envelope, Authorization header, DateTime, pagination.
// Pure; the simulator's own implementation, independent of Lataus's src/ocpi.

export const OCPI_VERSION = '2.2.1';

export interface Envelope<T = unknown> {
  data?: T;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

export const STATUS = {
  SUCCESS: 1000,
  CLIENT_ERROR: 2000,
  INVALID_PARAMETERS: 2001,
  NOT_ENOUGH_INFORMATION: 2002,
  UNKNOWN_LOCATION: 2003,
  UNKNOWN_TOKEN: 2004,
  SERVER_ERROR: 3000,
  UNABLE_TO_USE_CLIENT_API: 3001,
  UNSUPPORTED_VERSION: 3002,
  NO_MATCHING_ENDPOINTS: 3003,
} as const;

/** OCPI DateTime as we emit it: UTC, whole seconds, `Z`. */
export function ocpiDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses an OCPI DateTime (UTC; `Z` optional; fractional seconds allowed); NaN when invalid. */
export function parseOcpiDateTime(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]00:00)?$/.exec(s);
  if (!m) return Number.NaN;
  const core = (m[1] as string).replace(/(\.\d{3})\d+$/, '$1');
  return Date.parse(`${core}Z`);
}

export function envelope<T>(data: T | undefined, statusCode: number, nowMs: number, message?: string): Envelope<T> {
  const out: Envelope<T> = { status_code: statusCode, timestamp: ocpiDateTime(nowMs) };
  if (data !== undefined) out.data = data;
  if (message !== undefined) out.status_message = message;
  return out;
}

/** `Token <base64(utf8(token))>` (or the raw token for 2.1.1-style peers). */
export function authorizationHeader(token: string, encoding: 'base64' | 'raw' = 'base64'): string {
  return `Token ${encoding === 'raw' ? token : Buffer.from(token, 'utf8').toString('base64')}`;
}

/**
 * The candidate credentials tokens in an Authorization header: the base64-decoded token (2.2.1) and the raw value
 * (2.1.1 peers), so both encodings are accepted. Empty when the header is missing or not `Token …`.
 */
export function tokensFromAuthorization(header: string | undefined): string[] {
  if (!header) return [];
  const m = /^Token\s+(\S+)\s*$/i.exec(header);
  if (!m) return [];
  const raw = m[1] as string;
  const out: string[] = [];
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(raw) && raw.length % 4 === 0) {
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    // Tolerate the spec examples' trailing newline (`echo` without -n).
    const trimmed = decoded.replace(/\r?\n$/, '');
    if (/^[\x21-\x7E]+$/.test(trimmed)) out.push(trimmed);
  }
  out.push(raw);
  return out;
}

/** A credentials token: printable non-whitespace ASCII (we use 40 hex chars). */
export function newToken(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < 40; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

// ------------------------------------------------------------------------------------------------ pagination

export interface PageQuery {
  dateFrom?: number;
  dateTo?: number;
  offset: number;
  limit: number;
}

export type PageQueryResult = { ok: true; query: PageQuery } | { ok: false; message: string };

/** Reads date_from/date_to/offset/limit; `limit` is capped at `maxLimit` (X-Limit). */
export function parsePageQuery(
  q: Record<string, string | undefined>,
  maxLimit: number,
  opts: { requireDateFrom?: boolean } = {},
): PageQueryResult {
  const query: PageQuery = { offset: 0, limit: maxLimit };
  for (const key of ['date_from', 'date_to'] as const) {
    const v = q[key];
    if (v === undefined || v === '') continue;
    const ms = parseOcpiDateTime(v);
    if (Number.isNaN(ms)) return { ok: false, message: `${key} must be an OCPI DateTime` };
    if (key === 'date_from') query.dateFrom = ms;
    else query.dateTo = ms;
  }
  if (opts.requireDateFrom && query.dateFrom === undefined) return { ok: false, message: 'date_from is required' };
  for (const key of ['offset', 'limit'] as const) {
    const v = q[key];
    if (v === undefined || v === '') continue;
    if (!/^\d+$/.test(v)) return { ok: false, message: `${key} must be a non-negative integer` };
    const n = Number(v);
    if (key === 'offset') query.offset = n;
    else query.limit = Math.min(n, maxLimit);
  }
  return { ok: true, query };
}

export interface Page<T> {
  items: T[];
  total: number;
  headers: Record<string, string>;
}

/**
 * One page of `all` (already in stable order, oldest first): filtered on last_updated (date_from inclusive,
 * date_to exclusive), with X-Total-Count, X-Limit and a `Link: <…>; rel="next"` that repeats the filters.
 */
export function paginate<T>(
  all: readonly T[],
  lastUpdated: (item: T) => string,
  query: PageQuery,
  maxLimit: number,
  baseUrl: string,
): Page<T> {
  const matching = all.filter((item) => {
    const ms = parseOcpiDateTime(lastUpdated(item));
    if (query.dateFrom !== undefined && ms < query.dateFrom) return false;
    if (query.dateTo !== undefined && ms >= query.dateTo) return false;
    return true;
  });
  const items = matching.slice(query.offset, query.offset + query.limit);
  const headers: Record<string, string> = { 'X-Total-Count': String(matching.length), 'X-Limit': String(maxLimit) };
  const nextOffset = query.offset + items.length;
  if (items.length > 0 && nextOffset < matching.length) {
    const params = new URLSearchParams();
    if (query.dateFrom !== undefined) params.set('date_from', ocpiDateTime(query.dateFrom));
    if (query.dateTo !== undefined) params.set('date_to', ocpiDateTime(query.dateTo));
    params.set('offset', String(nextOffset));
    params.set('limit', String(query.limit));
    headers.Link = `<${baseUrl}?${params.toString()}>; rel="next"`;
  }
  return { items, total: matching.length, headers };
}

/** The `next` URL of a Link header, if any. */
export function nextLink(header: string | null | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1] as string;
  }
  return null;
}
