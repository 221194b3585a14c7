// Charge statuses in the driver's words, their tone and which ones end the live updates.
import type { ChargeStatus } from '../../driver-api.ts';

export const chargeStatusWords: Record<ChargeStatus, { label: string; text: string }> = {
  AUTHORIZING: { label: 'Checking your card', text: 'Your bank is confirming the card. This takes a few seconds.' },
  REDIRECT: { label: 'Waiting for your bank', text: 'Your bank asked you to confirm the payment (3-D Secure).' },
  STARTING: { label: 'Starting', text: 'The charge point is switching on. Plug in your car if you have not yet.' },
  CHARGING: { label: 'Charging', text: 'Your car is charging. You can leave this page open or come back later.' },
  STOPPING: { label: 'Stopping', text: 'The charge point is ending the charge.' },
  FINISHED: { label: 'Finished', text: 'Charging has ended. The operator is sending the final meter reading.' },
  CDR_PENDING: {
    label: 'Waiting for the final bill',
    text: 'The operator has not sent the final charge record yet. We will bill you as soon as it arrives; until then only the hold is reserved on your card.',
  },
  PRICED: { label: 'Priced', text: 'The final price is known. We are taking the payment from your card.' },
  PAID: { label: 'Paid', text: 'Thank you. The rest of the hold on your card has been released.' },
  PAYMENT_FAILED: {
    label: 'Payment failed',
    text: 'We could not take the payment from your card. Please pay with another card.',
  },
  REFUNDED: { label: 'Refunded', text: 'This charge was refunded to your card.' },
  FAILED: { label: 'Did not start', text: 'Charging did not start. Nothing was charged and no money is held.' },
};

/** Account history uses the short words the issue names (started, charging, finished, …). */
export const transactionWords: Record<ChargeStatus, string> = {
  AUTHORIZING: 'started',
  REDIRECT: 'started',
  STARTING: 'started',
  CHARGING: 'charging',
  STOPPING: 'charging',
  FINISHED: 'finished',
  CDR_PENDING: 'finished',
  PRICED: 'priced',
  PAID: 'paid',
  PAYMENT_FAILED: 'payment failed',
  REFUNDED: 'refunded',
  FAILED: 'did not start',
};

export type ChargeTone = 'ok' | 'busy' | 'off' | 'warn';

export function chargeTone(s: ChargeStatus): ChargeTone {
  switch (s) {
    case 'PAID':
    case 'CHARGING':
      return 'ok';
    case 'PAYMENT_FAILED':
    case 'FAILED':
    case 'CDR_PENDING':
      return 'warn';
    case 'REFUNDED':
      return 'off';
    default:
      return 'busy';
  }
}

/** No more changes to wait for on the live page. */
export const finalStatuses: ReadonlySet<ChargeStatus> = new Set(['PAID', 'REFUNDED', 'FAILED', 'PAYMENT_FAILED']);

/** The driver can still stop the charge from the page. */
export const stoppable: ReadonlySet<ChargeStatus> = new Set(['STARTING', 'CHARGING']);

export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
