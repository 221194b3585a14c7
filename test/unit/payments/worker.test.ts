// The payments worker's rounds: notifications in batches until one is not full, no empty round after a partial
// batch, and a wake during a round makes it go again at once (not after the poll interval).
import { describe, expect, it } from 'vitest';
import type { PaymentsService } from '../../../src/modules/payments/payments.service.ts';
import { PaymentsWorker } from '../../../src/modules/payments/payments.worker.ts';

function fakeService(batches: number[], onCall?: (call: number) => void) {
  const calls = { notifications: 0, jobs: 0 };
  const service = {
    handleNotifications: async () => {
      const n = batches[calls.notifications] ?? 0;
      calls.notifications++;
      onCall?.(calls.notifications);
      return n;
    },
    claimJobs: async () => {
      calls.jobs++;
      return [];
    },
    runJob: async () => undefined,
  } as unknown as PaymentsService;
  return { service, calls };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('payments worker', () => {
  it('takes full batches until one is partial, then stops claiming in that round', async () => {
    const { service, calls } = fakeService([5, 5, 2]);
    const worker = new PaymentsWorker({ service, notificationBatch: 5 });
    expect(await worker.tick()).toBe(12);
    expect(calls).toEqual({ notifications: 3, jobs: 1 });
  });

  it('sleeps after a round that left nothing, and a wake during a round runs another one at once', async () => {
    let worker!: PaymentsWorker;
    const { service, calls } = fakeService([1], (call) => {
      if (call === 1) worker.wake(); // a notification stored while the first round runs
    });
    worker = new PaymentsWorker({ service, notificationBatch: 5, pollMs: 60_000 });
    worker.start();
    await settle();
    expect(calls.notifications).toBe(2); // the round, and one more because of the wake; then asleep
    await settle();
    expect(calls.notifications).toBe(2);
    worker.wake();
    await settle();
    expect(calls.notifications).toBe(3);
    await worker.stop();
  });

  it('claims due jobs at the poll interval, not once per wake (wakes are for notifications)', async () => {
    const { service, calls } = fakeService([]);
    const worker = new PaymentsWorker({ service, notificationBatch: 5, pollMs: 300 });
    worker.start();
    await settle();
    expect(calls.jobs).toBe(1); // the first round claims
    for (let i = 0; i < 5; i++) {
      worker.wake();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(calls.notifications).toBeGreaterThanOrEqual(6); // every wake looked for notifications
    expect(calls.jobs).toBe(1); // but did not claim jobs again
    await new Promise((r) => setTimeout(r, 400));
    expect(calls.jobs).toBe(2); // the poll interval did
    await worker.stop();
  });
});
