import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHARGE_EVENTS,
  CHARGE_STATUSES,
  type ChargeEvent,
  type ChargeStatus,
  FAILURE_REASONS,
  failureText,
  STATUS_TEXT,
  TERMINAL,
  TRANSITIONS,
  transition,
} from '../../../src/modules/charging/core/status.ts';

const happy: ChargeEvent[] = [
  'preauth_approved',
  'session_active',
  'stop_requested',
  'session_completed',
  'cdr_priced',
  'capture_approved',
];

function run(events: ChargeEvent[], from: ChargeStatus = 'AUTHORIZING'): ChargeStatus {
  let s = from;
  for (const e of events) {
    const t = transition(s, e);
    if (!t.ok) throw new Error(t.detail);
    s = t.to;
  }
  return s;
}

describe('charge state machine', () => {
  it('walks the happy path to PAID', () => {
    expect(run(happy)).toBe('PAID');
    expect(
      run([
        'preauth_redirect',
        'preauth_approved',
        'session_active',
        'session_completed',
        'cdr_overdue',
        'cdr_priced',
        'capture_failed',
        'capture_approved',
      ]),
    ).toBe('PAID');
  });

  it('ends every failure path in FAILED or PAYMENT_FAILED', () => {
    expect(run(['preauth_declined'])).toBe('FAILED');
    expect(run(['preauth_redirect', 'authentication_failed'])).toBe('FAILED');
    expect(run(['preauth_redirect', 'authentication_abandoned'])).toBe('FAILED');
    expect(run(['preauth_approved', 'start_rejected'])).toBe('FAILED');
    expect(run(['preauth_approved', 'start_timeout'])).toBe('FAILED');
    expect(run(['preauth_approved', 'session_active', 'session_completed', 'cdr_no_energy'])).toBe('FAILED');
    expect(run(['preauth_approved', 'session_active', 'session_completed', 'cdr_priced', 'capture_failed'])).toBe(
      'PAYMENT_FAILED',
    );
  });

  it('refuses events out of order as values, never throwing', () => {
    expect(transition('AUTHORIZING', 'capture_approved')).toEqual({
      ok: false,
      detail: 'capture_approved is not allowed in AUTHORIZING',
    });
    expect(transition('PAID', 'cdr_priced').ok).toBe(false);
    expect(transition('FAILED', 'preauth_approved').ok).toBe(false);
    expect(transition('STARTING', 'stop_requested').ok).toBe(false);
  });

  it('is exhaustive: every event × status is classified and leads to a known status', () => {
    for (const e of CHARGE_EVENTS)
      for (const [from, to] of Object.entries(TRANSITIONS[e])) {
        expect(CHARGE_STATUSES).toContain(from);
        expect(CHARGE_STATUSES).toContain(to);
      }
    for (const s of CHARGE_STATUSES) expect(STATUS_TEXT[s].length).toBeGreaterThan(3);
  });

  it('terminal statuses have no way out except PAID → REFUNDED', () => {
    for (const s of TERMINAL)
      for (const e of CHARGE_EVENTS) {
        const t = transition(s, e);
        if (t.ok && t.changed) expect([s, e, t.to]).toEqual(['PAID', 'refunded', 'REFUNDED']);
      }
  });

  it('never moves backwards from money states to session states (property)', () => {
    const rank: Record<ChargeStatus, number> = {
      AUTHORIZING: 0,
      REDIRECT: 1,
      STARTING: 2,
      CHARGING: 3,
      STOPPING: 3,
      FINISHED: 4,
      CDR_PENDING: 5,
      PRICED: 6,
      PAYMENT_FAILED: 7,
      PAID: 8,
      REFUNDED: 9,
      FAILED: 10,
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CHARGE_EVENTS), { maxLength: 30 }), (events) => {
        let s: ChargeStatus = 'AUTHORIZING';
        for (const e of events) {
          const t = transition(s, e);
          if (!t.ok) continue;
          // The only step down: a refused stop goes back to CHARGING.
          if (!(s === 'STOPPING' && t.to === 'CHARGING')) expect(rank[t.to]).toBeGreaterThanOrEqual(rank[s]);
          s = t.to;
        }
      }),
    );
  });

  it('explains failures in plain words, with the partner detail appended', () => {
    expect(failureText('CARD_DECLINED')).toBe(FAILURE_REASONS.CARD_DECLINED);
    expect(failureText('START_REJECTED', 'EVSE_OCCUPIED: occupied.')).toBe(
      `${FAILURE_REASONS.START_REJECTED} (EVSE_OCCUPIED: occupied.)`,
    );
  });
});
