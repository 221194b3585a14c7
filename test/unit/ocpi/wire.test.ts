// Pure parts of the OCPI wire layer: envelope, Authorization header, pagination headers, last_updated rules.

import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditCdrCosts } from '../../../src/modules/roaming/index.ts';
import {
  authorizationHeader,
  hashToken,
  newToken,
  TOKEN_PATTERN,
  tokenCandidates,
} from '../../../src/ocpi/core/auth.ts';
import { envelope, issuesMessage, OcpiStatus, readEnvelope, success } from '../../../src/ocpi/core/envelope.ts';
import { dateTimeMs, isOlder, later } from '../../../src/ocpi/core/last-updated.ts';
import { nextLink, pageHeaders, parsePageQuery } from '../../../src/ocpi/core/pagination.ts';

describe('envelope', () => {
  it('success carries data, 1000 and a UTC timestamp', () => {
    const e = success({ a: 1 });
    expect(e).toMatchObject({ data: { a: 1 }, status_code: 1000, status_message: 'Success' });
    expect(e.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });
  it('errors have no data field at all', () => {
    const e = envelope(OcpiStatus.UNKNOWN_TOKEN, { message: 'Unknown token' });
    expect('data' in e).toBe(false);
    expect(e.status_code).toBe(2004);
  });
  it('reads partner envelopes and refuses non-envelopes', () => {
    expect(readEnvelope({ status_code: 1000, data: [], timestamp: 'x' }).status_code).toBe(1000);
    expect(() => readEnvelope([1])).toThrow(/not an OCPI envelope/);
    expect(() => readEnvelope({ data: 1 })).toThrow(/status_code/);
  });
  it('formats validation issues with paths, capped', () => {
    const m = issuesMessage(
      'Location',
      Array.from({ length: 10 }, (_, i) => ({ path: `evses[${i}].uid`, message: 'bad' })),
      2,
    );
    expect(m).toBe('Invalid Location: evses[0].uid: bad; evses[1].uid: bad; and 8 more');
  });
});

describe('Authorization header', () => {
  it('encodes as Token base64(utf8) — without the spec examples’ trailing newline', () => {
    expect(authorizationHeader('example-token')).toBe('Token ZXhhbXBsZS10b2tlbg==');
    expect(authorizationHeader('example-token', 'plain')).toBe('Token example-token');
  });
  it('accepts base64, the raw token, and the spec examples’ newline quirk', () => {
    expect(tokenCandidates('Token ZXhhbXBsZS10b2tlbg==')).toEqual(['example-token', 'ZXhhbXBsZS10b2tlbg==']);
    expect(tokenCandidates('Token ZXhhbXBsZS10b2tlbgo=')?.[0]).toBe('example-token');
    expect(tokenCandidates('token   my-raw-token')).toEqual(['my-raw-token']);
    expect(tokenCandidates('Token ebf3b399-779f-4497-9b9d-ac6ad3cc44d2')).toEqual([
      'ebf3b399-779f-4497-9b9d-ac6ad3cc44d2',
    ]);
  });
  it('rejects missing and malformed headers', () => {
    for (const h of [undefined, '', 'Bearer abc', 'Token', 'Token a b', 'Basic dXNlcjpwYXNz'])
      expect(tokenCandidates(h)).toBeNull();
  });
  it('round-trips every printable token (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7E]{1,64}$/), (t) => {
        expect(tokenCandidates(authorizationHeader(t))?.[0]).toBe(t);
        expect(tokenCandidates(authorizationHeader(t, 'plain'))).toContain(t);
      }),
    );
  });
  it('mints valid, distinct tokens and hashes them', () => {
    const a = newToken();
    expect(a).toMatch(TOKEN_PATTERN);
    expect(newToken()).not.toBe(a);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('pagination', () => {
  it('parses offset/limit/date filters, caps limit at the server maximum', () => {
    expect(parsePageQuery({}, 100)).toEqual({ ok: true, value: { offset: 0, limit: 100 } });
    expect(parsePageQuery({ offset: '10', limit: '500', date_from: '2024-01-01T00:00:00Z' }, 100)).toEqual({
      ok: true,
      value: { offset: 10, limit: 100, date_from: '2024-01-01T00:00:00Z' },
    });
    expect(parsePageQuery({ offset: '-1' }, 100).ok).toBe(false);
    expect(parsePageQuery({ date_to: 'yesterday' }, 100).ok).toBe(false);
    expect(parsePageQuery({}, 100, { requireDateFrom: true })).toEqual({ ok: false, message: 'date_from is required' });
  });
  it('Link repeats the filters and points at the next offset; absent on the last page', () => {
    const q = { offset: 0, limit: 2, date_from: '2024-01-01T00:00:00Z' };
    const h = pageHeaders('https://x.test/ocpi/2.2.1/tokens', q, 5, 2, 50);
    expect(h['X-Total-Count']).toBe('5');
    expect(h['X-Limit']).toBe('50');
    expect(nextLink(h.Link)).toBe(
      'https://x.test/ocpi/2.2.1/tokens?date_from=2024-01-01T00%3A00%3A00Z&offset=2&limit=2',
    );
    expect(pageHeaders('https://x.test/t', { offset: 4, limit: 2 }, 5, 1, 50).Link).toBeUndefined();
  });
  it('finds rel="next" among several links', () => {
    expect(nextLink('<https://a/prev>; rel="prev", <https://a/next?offset=2>; rel="next"')).toBe(
      'https://a/next?offset=2',
    );
    expect(nextLink('<https://a/x>; rel=next')).toBe('https://a/x');
    expect(nextLink(null)).toBeNull();
    expect(nextLink('<https://a/prev>; rel="prev"')).toBeNull();
  });
});

describe('last_updated rules', () => {
  it('only a strictly older update is ignored; equal is applied (idempotent)', () => {
    expect(isOlder('2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z')).toBe(true);
    expect(isOlder('2024-01-01T00:00:01Z', '2024-01-01T00:00:00Z')).toBe(false);
    expect(isOlder('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')).toBe(false);
    expect(isOlder('2024-01-01T00:00:00Z', null)).toBe(false);
    expect(isOlder('2024-01-01T00:00:00', new Date('2024-01-01T00:00:00.500Z'))).toBe(true);
  });
  it('a DateTime without Z is UTC; fractional seconds count', () => {
    expect(dateTimeMs('2024-01-01T00:00:00')).toBe(Date.UTC(2024, 0, 1));
    expect(later('2024-01-01T00:00:00.2Z', '2024-01-01T00:00:00.1Z')).toBe('2024-01-01T00:00:00.2Z');
  });
});

describe('CDR audit (tariff engine comparison)', () => {
  const cdr = JSON.parse(fs.readFileSync('test/fixtures/ocpi-examples/cdr_example.json', 'utf8'));
  it('the spec CDR example agrees with its tariff (4.00 / 4.40)', () => {
    const r = auditCdrCosts({ cdr, tariffs: cdr.tariffs, timeZone: 'Europe/Brussels', tolerance: '0.01' });
    expect(r.status).toBe('OK');
  });
  it('a difference within the tolerance passes; beyond it is a dispute per field', () => {
    expect(
      auditCdrCosts({
        cdr: { ...cdr, total_cost: { excl_vat: 4.01, incl_vat: 4.4 } },
        tariffs: cdr.tariffs,
        timeZone: 'UTC',
        tolerance: '0.01',
      }).status,
    ).toBe('OK');
    const r = auditCdrCosts({
      cdr: { ...cdr, total_time_cost: { excl_vat: 3.5 } },
      tariffs: cdr.tariffs,
      timeZone: 'UTC',
      tolerance: '0.01',
    });
    expect(r.status).toBe('DISPUTED');
    if (r.status === 'DISPUTED')
      expect(r.differences).toEqual([
        { field: 'total_time_cost', vat: 'excl_vat', claimed: '3.5', expected: '4', difference: '-0.5' },
      ]);
  });
  it('an unpriceable CDR (unknown tariff) is UNAUDITABLE with the engine’s reason', () => {
    const r = auditCdrCosts({ cdr, tariffs: [], timeZone: 'UTC', tolerance: '0.01' });
    expect(r).toMatchObject({ status: 'UNAUDITABLE', kind: 'UNPRICEABLE' });
  });
});
