// The payments worker: runs due outbox jobs (PSP calls) and processes stored TransactionStatus notifications.
// Safe to run in several processes: rows are claimed with FOR UPDATE SKIP LOCKED (jobs additionally with a lease).
import type { PaymentsService } from './payments.service.ts';

export interface PaymentsWorkerOptions {
  service: PaymentsService;
  pollMs?: number;
  /** Jobs run in parallel per round. */
  concurrency?: number;
  /** Notifications processed per transaction (1: one at a time). */
  notificationBatch?: number;
  onError?: (e: unknown) => void;
}

export class PaymentsWorker {
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** A wake arrived since the current round started. */
  #woken = false;
  /** The last round may have left work (a full batch). */
  #more = false;

  constructor(private readonly opts: PaymentsWorkerOptions) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Runs now instead of at the next poll (e.g. right after a notification was stored). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
  }

  /**
   * One round: the notifications waiting (in batches until a batch is not full), then one batch of due jobs.
   * Returns how much work was done.
   */
  async tick(): Promise<number> {
    const { service } = this.opts;
    let done = 0;
    const batch = this.opts.notificationBatch ?? 50;
    const concurrency = this.opts.concurrency ?? 8;
    let more = false;
    while (this.#running || this.#loop === null) {
      let n: number;
      let full: boolean;
      try {
        n = await service.handleNotifications(batch);
        full = n === batch;
      } catch (e) {
        // One notification the batch cannot take must not hold up the others: go one at a time this round.
        this.opts.onError?.(e);
        n = await service.handleNotifications(1);
        full = n > 0;
      }
      done += n;
      if (!full) break; // every notification waiting at the claim was taken; a new one wakes the worker
      more = true;
    }
    const jobs = await service.claimJobs(concurrency);
    await Promise.all(
      jobs.map((j) =>
        service.runJob(j).catch((e) => {
          this.opts.onError?.(e); // the lease expires and the job is retried
        }),
      ),
    );
    this.#more = more || jobs.length === concurrency;
    return done + jobs.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      try {
        await this.tick();
      } catch (e) {
        this.opts.onError?.(e);
        this.#more = false;
      }
      // Again at once when a round was full or something arrived meanwhile; otherwise wait for a wake or the poll.
      if (this.#more || this.#woken || !this.#running) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, this.opts.pollMs ?? 250);
      });
      if (this.#timer) clearTimeout(this.#timer);
      this.#wake = null;
    }
  }
}
