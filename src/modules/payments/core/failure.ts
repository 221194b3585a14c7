// Where a payment failed, in words an operator understands (computed, never stored as truth).
import type { PaymentFacts, PaymentState } from './payment.ts';

export type FailedStep =
  | 'preauthorization'
  | '3ds_authentication'
  | 'capture'
  | 'refund'
  | 'chargeback'
  | 'preauthorization_no_answer'
  | 'capture_no_answer'
  | 'refund_no_answer';

export interface Failure {
  step: FailedStep;
  code: string | null;
  message: string | null;
}

/** `failedJob` is the kind of an outbox job that gave up (no usable answer after all attempts). */
export function failureOf(state: PaymentState, f: PaymentFacts, failedJob: string | null = null): Failure | null {
  const lastDecline = (r: Record<string, { code: string; message: string }>) => {
    const keys = Object.keys(r).sort((a, b) => Number(a) - Number(b));
    return keys.length ? r[keys[keys.length - 1]!]! : null;
  };
  if (state === 'charged_back') return { step: 'chargeback', code: f.chargeback, message: 'chargeback or return' };
  const capture = lastDecline(f.captureDeclines);
  if (state === 'failed' && capture) return { step: 'capture', ...capture };
  if (state === 'failed' && f.preauthDecline) return { step: 'preauthorization', ...f.preauthDecline };
  if (state === 'failed' && f.failedNotified)
    return { step: '3ds_authentication', code: null, message: 'PAYONE reported the authorization as failed' };
  const refund = lastDecline(f.refundDeclines);
  if (refund && Object.keys(f.refundIntents).every((k) => k in f.refunds || k in f.refundDeclines)) {
    const lastIntent = Math.max(...Object.keys(f.refundIntents).map(Number));
    if (String(lastIntent) in f.refundDeclines) return { step: 'refund', ...refund };
  }
  if (failedJob === 'preauthorize' || failedJob === 'capture' || failedJob === 'refund') {
    const step = failedJob === 'preauthorize' ? 'preauthorization' : failedJob;
    return { step: `${step}_no_answer` as FailedStep, code: null, message: 'no usable answer from PAYONE' };
  }
  return null;
}
