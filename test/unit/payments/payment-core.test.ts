import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ApplyOutcome,
  amounts,
  applyEvent,
  EDGES,
  type EventKind,
  type NotificationEvent,
  newPayment,
  PAYMENT_STATES,
  type Payment,
  type PaymentEvent,
  type PaymentState,
  RULES,
  TXACTIONS,
  type Txaction,
} from '../../../src/modules/payments/core/payment.ts';

const TXID = '262491170';

function notif(txaction: Txaction, sequence: number, extra: Partial<NotificationEvent> = {}): NotificationEvent {
  return {
    type: 'notification',
    txaction,
    txid: TXID,
    sequence,
    transactionStatus: 'completed',
    currency: 'EUR',
    price: 2000,
    receivable: null,
    balance: null,
    failedcause: null,
    ...extra,
  };
}

function run(events: PaymentEvent[], start: Payment = newPayment('p1', 'LT1', 'EUR')) {
  let p = start;
  const outcomes: ApplyOutcome[] = [];
  for (const e of events) {
    const o = applyEvent(p, e);
    outcomes.push(o);
    p = o.payment;
  }
  return { p, outcomes };
}

const rank: Record<PaymentState, number> = Object.fromEntries(PAYMENT_STATES.map((s, i) => [s, i])) as Record<
  PaymentState,
  number
>;

describe('payment state machine', () => {
  it('classifies every (state, event) pair', () => {
    const kinds = Object.keys(RULES) as EventKind[];
    expect(kinds).toHaveLength(11 + TXACTIONS.length);
    for (const k of kinds)
      for (const s of PAYMENT_STATES) expect(['accept', 'ignore', 'reject']).toContain(RULES[k][s]);
    for (const s of PAYMENT_STATES) expect(Array.isArray(EDGES[s])).toBe(true);
  });

  it('terminal states have no way out', () => {
    expect(EDGES.failed).toEqual([]);
    expect(EDGES.released).toEqual([]);
    expect(EDGES.charged_back).toEqual([]);
  });

  it('preauth → capture → paid → partial refund', () => {
    const { p, outcomes } = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_approved', txid: TXID, userid: '1' },
      notif('appointed', 0, { price: 5000 }),
      { type: 'capture_requested', sequence: 1, amount: 3120 },
      { type: 'capture_approved', sequence: 1 },
      notif('capture', 1),
      notif('paid', 1),
      { type: 'refund_requested', sequence: 2, amount: 120 },
      { type: 'refund_approved', sequence: 2 },
      notif('debit', 2),
    ]);
    expect(outcomes.map((o) => o.kind)).not.toContain('rejected');
    expect(p.state).toBe('partially_refunded');
    expect(amounts(p)).toEqual({ requested: 5000, authorized: 5000, captured: 3120, refunded: 120 });
  });

  it('a 3-D Secure redirect waits for appointed', () => {
    const { p } = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_redirect', txid: TXID, redirectUrl: 'https://x/3ds', userid: null },
    ]);
    expect(p.state).toBe('redirect_pending');
    expect(applyEvent(p, notif('appointed', 0)).payment.state).toBe('pre_authorized');
    expect(applyEvent(p, notif('failed', 0)).payment.state).toBe('failed');
  });

  it('capture of 0 releases the reservation', () => {
    const { p } = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_approved', txid: TXID, userid: null },
      { type: 'capture_requested', sequence: 1, amount: 0 },
      { type: 'capture_approved', sequence: 1 },
    ]);
    expect(p.state).toBe('released');
    expect(amounts(p).captured).toBe(0);
  });

  it('records illegal and backward transitions as values and does not apply them', () => {
    const { p } = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_approved', txid: TXID, userid: null },
    ]);
    const tooMuch = applyEvent(p, { type: 'capture_requested', sequence: 1, amount: 5001 });
    expect(tooMuch).toMatchObject({ kind: 'rejected', reason: 'amount_exceeds_authorization' });
    expect(tooMuch.payment).toBe(p);
    const refundFirst = applyEvent(p, { type: 'refund_requested', sequence: 1, amount: 10 });
    expect(refundFirst).toMatchObject({ kind: 'rejected', reason: 'illegal_in_state' });
    const otherTxid = applyEvent(p, { ...notif('capture', 1), txid: '999' });
    expect(otherTxid).toMatchObject({ kind: 'rejected', reason: 'txid_mismatch' });
    const otherCurrency = applyEvent(p, notif('paid', 1, { currency: 'USD' }));
    expect(otherCurrency).toMatchObject({ kind: 'rejected', reason: 'currency_mismatch' });
    const unknownSeq = applyEvent(p, { type: 'capture_approved', sequence: 4 });
    expect(unknownSeq).toMatchObject({ kind: 'rejected' });
    // a declined payment can never be captured
    const declined = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_declined', code: '2', message: 'declined' },
    ]).p;
    expect(declined.state).toBe('failed');
    expect(applyEvent(declined, { type: 'capture_requested', sequence: 1, amount: 1 }).kind).toBe('rejected');
    expect(applyEvent(declined, notif('appointed', 0)).kind).toBe('rejected');
  });

  it('a late failed notification after authorization changes nothing', () => {
    const { p } = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_approved', txid: TXID, userid: null },
      { type: 'capture_requested', sequence: 1, amount: 100 },
      { type: 'capture_approved', sequence: 1 },
    ]);
    const o = applyEvent(p, notif('failed', 0));
    expect(o.kind).toBe('unchanged');
    expect(o.payment.state).toBe('captured');
  });

  it('learns the sequence number from notifications, even ignored ones', () => {
    const { p } = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_approved', txid: TXID, userid: null },
      notif('reminder', 3),
    ]);
    expect(p.facts.lastSeq).toBe(3);
    expect(applyEvent(p, { type: 'capture_requested', sequence: 2, amount: 1 })).toMatchObject({
      reason: 'sequence_in_use',
    });
  });

  it('a chargeback ends the payment', () => {
    const { p } = run([
      { type: 'preauth_requested', amount: 5000 },
      { type: 'preauth_approved', txid: TXID, userid: null },
      { type: 'capture_requested', sequence: 1, amount: 100 },
      notif('capture', 1),
      notif('paid', 1),
      notif('cancelation', 2, { failedcause: 'cb' }),
    ]);
    expect(p.state).toBe('charged_back');
    expect(p.facts.chargeback).toBe('cb');
  });
});

// -------------------------------------------------------------------------------------------------------------
// Property: our requests and their responses happen in a fixed order; PAYONE's notifications arrive at any
// point after the request that caused them, any number of times, in any order. The end is always the same.

type Scenario = 'capture_paid_refund' | 'release' | 'capture_paid';

function scenario(kind: Scenario, authorized: number, captured: number, refunded: number) {
  const commands: PaymentEvent[] = [
    { type: 'preauth_requested', amount: authorized },
    { type: 'preauth_approved', txid: TXID, userid: '7' },
    { type: 'capture_requested', sequence: 1, amount: kind === 'release' ? 0 : captured },
    { type: 'capture_approved', sequence: 1 },
  ];
  // notification → index of the command after which it may first arrive (its cause was requested)
  const notifications: Array<[NotificationEvent, number]> = [[notif('appointed', 0, { price: authorized }), 1]];
  if (kind === 'release') notifications.push([notif('capture', 1, { receivable: 0 }), 3]);
  else {
    notifications.push([notif('capture', 1), 3], [notif('paid', 1), 3]);
  }
  if (kind === 'capture_paid_refund') {
    commands.push(
      { type: 'refund_requested', sequence: 2, amount: refunded },
      { type: 'refund_approved', sequence: 2 },
    );
    notifications.push([notif('debit', 2), 5]);
  }
  const expected =
    kind === 'release'
      ? { state: 'released', captured: 0, refunded: 0 }
      : kind === 'capture_paid'
        ? { state: 'paid', captured, refunded: 0 }
        : { state: refunded === captured ? 'refunded' : 'partially_refunded', captured, refunded };
  return { commands, notifications, expected };
}

describe('payment state machine: properties', () => {
  it('any interleaving of duplicated and reordered notifications ends in the same state and amounts', () => {
    const arb = fc
      .record({
        kind: fc.constantFrom<Scenario>('capture_paid_refund', 'release', 'capture_paid'),
        authorized: fc.integer({ min: 2, max: 1_000_000 }),
        capRatio: fc.double({ min: 0.01, max: 1, noNaN: true }),
        refRatio: fc.double({ min: 0.01, max: 1, noNaN: true }),
      })
      .chain((r) => {
        const captured = Math.max(1, Math.floor(r.authorized * r.capRatio));
        const refunded = Math.max(1, Math.floor(captured * r.refRatio));
        const s = scenario(r.kind, r.authorized, captured, refunded);
        const deliveries = fc.array(
          fc.record({
            which: fc.nat({ max: s.notifications.length - 1 }),
            delay: fc.nat({ max: 8 }),
            key: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { maxLength: 12 },
        );
        return fc.tuple(fc.constant(s), deliveries);
      });

    fc.assert(
      fc.property(arb, ([s, extra]) => {
        // every notification is delivered at least once, plus random duplicates
        const all = [...s.notifications.map((_, i) => ({ which: i, delay: 0, key: 0.5 })), ...extra];
        const timeline: Array<{ at: number; key: number; e: PaymentEvent }> = s.commands.map((e, i) => ({
          at: i,
          key: 0,
          e,
        }));
        for (const d of all) {
          const [e, after] = s.notifications[d.which]!;
          const at = Math.min(after + d.delay * 0.3 + 0.1, s.commands.length + 5);
          timeline.push({ at, key: d.key, e });
        }
        timeline.sort((a, b) => a.at - b.at || a.key - b.key);
        let p = newPayment('p', 'LT', 'EUR');
        for (const t of timeline) {
          const o = applyEvent(p, t.e);
          if (o.kind === 'rejected') throw new Error(`rejected ${o.reason}: ${o.detail}`);
          if (o.kind === 'applied' && o.to !== o.from) {
            // never backwards: every change is a listed forward edge
            expect(EDGES[o.from]).toContain(o.to);
          }
          p = o.payment;
        }
        expect(p.state).toBe(s.expected.state);
        const a = amounts(p);
        expect(a.captured).toBe(s.expected.captured);
        expect(a.refunded).toBe(s.expected.refunded);
        expect(p.facts.lastSeq).toBe(s.commands.some((c) => c.type === 'refund_requested') ? 2 : 1);
      }),
      { numRuns: 500 },
    );
  });

  it('applying the same event twice never changes anything the second time', () => {
    const events = scenario('capture_paid_refund', 5000, 4000, 1000);
    const seq = [...events.commands, ...events.notifications.map(([n]) => n)];
    fc.assert(
      fc.property(fc.nat({ max: seq.length - 1 }), (i) => {
        const { p } = run(seq.slice(0, i + 1));
        const again = applyEvent(p, seq[i]!);
        expect(again.kind === 'unchanged' || (again.kind === 'rejected' && again.payment === p)).toBe(true);
        expect(again.payment.state).toBe(p.state);
      }),
    );
  });

  it('no random event sequence ever moves a payment backwards', () => {
    const ev = fc.oneof(
      fc.record({ type: fc.constant('preauth_requested' as const), amount: fc.integer({ min: 1, max: 100 }) }),
      fc.constant<PaymentEvent>({ type: 'preauth_approved', txid: TXID, userid: null }),
      fc.constant<PaymentEvent>({ type: 'preauth_declined', code: '2', message: 'x' }),
      fc.record({
        type: fc.constant('capture_requested' as const),
        sequence: fc.integer({ min: 1, max: 3 }),
        amount: fc.integer({ min: 0, max: 100 }),
      }),
      fc.record({ type: fc.constant('capture_approved' as const), sequence: fc.integer({ min: 1, max: 3 }) }),
      fc.record({
        type: fc.constant('refund_requested' as const),
        sequence: fc.integer({ min: 1, max: 3 }),
        amount: fc.integer({ min: 1, max: 100 }),
      }),
      fc.record({ type: fc.constant('refund_approved' as const), sequence: fc.integer({ min: 1, max: 3 }) }),
      fc
        .tuple(fc.constantFrom(...TXACTIONS), fc.integer({ min: 0, max: 3 }))
        .map(([t, s]) => notif(t, s, { receivable: 50 })),
    );
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 30 }), (events) => {
        let p = newPayment('p', 'LT', 'EUR');
        for (const e of events) {
          const o = applyEvent(p, e);
          if (o.kind === 'applied' && o.from !== o.to) expect(EDGES[o.from]).toContain(o.to);
          if (o.kind === 'rejected') expect(o.payment).toBe(p);
          p = o.payment;
        }
        expect(rank[p.state]).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1000 },
    );
  });
});
