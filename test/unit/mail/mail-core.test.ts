import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  DEFAULT_RETRY,
  isPermanentFailure,
  mailProblems,
  recipientsOf,
  retryDelayMs,
} from '../../../src/modules/mail/core/mail.ts';

describe('recipientsOf', () => {
  it('joins addresses, with or without display names', () => {
    expect(recipientsOf('a@example.com')).toEqual({ ok: true, value: 'a@example.com' });
    expect(recipientsOf(['A <a@example.com>', ' b@example.org '])).toEqual({
      ok: true,
      value: 'A <a@example.com>, b@example.org',
    });
  });
  it('rejects empty lists, non-addresses and header injection', () => {
    expect(recipientsOf([]).ok).toBe(false);
    expect(recipientsOf(' ').ok).toBe(false);
    expect(recipientsOf('nobody').ok).toBe(false);
    expect(recipientsOf('a@b.c, d@e.f').ok).toBe(false); // one address per entry
    expect(recipientsOf('a@example.com\r\nBcc: x@example.com').ok).toBe(false);
  });
});

describe('mailProblems', () => {
  const ok = { to: 'a@example.com', subject: 'Hi', text: 'x' };
  it('accepts a plain mail and one with attachments', () => {
    expect(mailProblems(ok)).toEqual([]);
    expect(
      mailProblems({
        ...ok,
        attachments: [{ filename: 'LAT-1.pdf', content: Buffer.from('x'), contentType: 'application/pdf' }],
      }),
    ).toEqual([]);
  });
  it('names each problem', () => {
    expect(mailProblems({ ...ok, subject: 'a\r\nX-Evil: 1' })).toEqual(['the subject contains a line break']);
    expect(mailProblems({ ...ok, subject: '  ' })).toEqual(['the subject is empty']);
    expect(
      mailProblems({ ...ok, attachments: [{ filename: '../x', content: Buffer.alloc(0), contentType: 'pdf' }] }),
    ).toEqual(['attachment 0: bad file name', 'attachment 0: bad content type']);
  });
});

describe('retry policy', () => {
  it('doubles the delay from the base and caps it', () => {
    expect(retryDelayMs(1)).toBe(30_000);
    expect(retryDelayMs(2)).toBe(60_000);
    expect(retryDelayMs(3)).toBe(120_000);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });
  it('is monotonic and within [base, cap]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (n) => {
        const d = retryDelayMs(n);
        return d >= DEFAULT_RETRY.baseDelayMs && d <= DEFAULT_RETRY.maxDelayMs && retryDelayMs(n + 1) >= d;
      }),
    );
  });
  it('treats 5xx replies as permanent, everything else as temporary', () => {
    expect(isPermanentFailure({ responseCode: 550 })).toBe(true);
    expect(isPermanentFailure({ responseCode: 451 })).toBe(false);
    expect(isPermanentFailure(new Error('ECONNREFUSED'))).toBe(false);
    expect(isPermanentFailure(null)).toBe(false);
  });
  it('gives up on permanent failures and after the last attempt', () => {
    expect(afterFailure(1, { responseCode: 554 })).toEqual({ outcome: 'failed' });
    expect(afterFailure(1, new Error('timeout'))).toEqual({ outcome: 'retry', delayMs: 30_000 });
    expect(afterFailure(DEFAULT_RETRY.maxAttempts, new Error('timeout'))).toEqual({ outcome: 'failed' });
  });
});
