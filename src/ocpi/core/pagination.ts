// Pagination of OCPI GET-list Sender endpoints (digest §3.4): offset/limit/date_from/date_to in, and
// `Link` (rel="next", repeating the filters), `X-Total-Count` and `X-Limit` out.
import { dateTimeMs } from './last-updated.ts';

export interface PageQuery {
  offset: number;
  limit: number;
  date_from?: string;
  date_to?: string;
}

export type ParsePageResult = { ok: true; value: PageQuery } | { ok: false; message: string };

const INT = /^\d{1,9}$/;

/** Reads the paging query; `limit` is capped at `maxLimit` (the server may return fewer). */
export function parsePageQuery(
  query: Record<string, unknown>,
  maxLimit: number,
  opts: { requireDateFrom?: boolean } = {},
): ParsePageResult {
  const one = (k: string): string | undefined => {
    const v = query[k];
    return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  };
  const offsetRaw = one('offset');
  const limitRaw = one('limit');
  if (offsetRaw !== undefined && !INT.test(offsetRaw)) return { ok: false, message: 'offset must be an integer ≥ 0' };
  if (limitRaw !== undefined && !INT.test(limitRaw)) return { ok: false, message: 'limit must be an integer ≥ 0' };
  const out: PageQuery = {
    offset: offsetRaw === undefined ? 0 : Number(offsetRaw),
    limit: Math.min(limitRaw === undefined ? maxLimit : Number(limitRaw), maxLimit),
  };
  for (const k of ['date_from', 'date_to'] as const) {
    const v = one(k);
    if (v === undefined) continue;
    if (Number.isNaN(dateTimeMs(v))) return { ok: false, message: `${k} must be an OCPI DateTime` };
    out[k] = v;
  }
  if (opts.requireDateFrom && out.date_from === undefined) return { ok: false, message: 'date_from is required' };
  return { ok: true, value: out };
}

/** The URL of a page, with the filters of the original request. */
export function pageUrl(baseUrl: string, q: PageQuery): string {
  const u = new URL(baseUrl);
  if (q.date_from !== undefined) u.searchParams.set('date_from', q.date_from);
  if (q.date_to !== undefined) u.searchParams.set('date_to', q.date_to);
  u.searchParams.set('offset', String(q.offset));
  u.searchParams.set('limit', String(q.limit));
  return u.toString();
}

/** Response headers for one page: Link only when more objects follow. */
export function pageHeaders(
  baseUrl: string,
  q: PageQuery,
  total: number,
  returned: number,
  maxLimit: number,
): Record<string, string> {
  const headers: Record<string, string> = { 'X-Total-Count': String(total), 'X-Limit': String(maxLimit) };
  const nextOffset = q.offset + returned;
  if (returned > 0 && nextOffset < total) {
    headers.Link = `<${pageUrl(baseUrl, { ...q, offset: nextOffset })}>; rel="next"`;
  }
  return headers;
}

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(link: string | null | undefined): string | null {
  if (!link) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (m?.[1] && /\brel\s*=\s*"?next"?/i.test(m[2] ?? '')) return m[1];
  }
  return null;
}
