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
  /** The last round may have left notifications (a full batch). */
  #more = false;
  /** The last round claimed a full batch of jobs: more may be due. */
  #moreJobs = false;
  /** When jobs were last claimed (performance.now()). */
  #jobsAt = Number.NEGATIVE_INFINITY;

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
   * One round: the notifications waiting (in batches until a batch is not full), then one batch of due jobs (unless
   * `jobs` is false). Returns how much work was done.
   */
  async tick(opts: { jobs?: boolean } = {}): Promise<number> {
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
    this.#more = more;
    if (opts.jobs === false) return done;
    this.#jobsAt = performance.now();
    const jobs = await service.claimJobs(concurrency);
    await Promise.all(
      jobs.map((j) =>
        service.runJob(j).catch((e) => {
          this.opts.onError?.(e); // the lease expires and the job is retried
        }),
      ),
    );
    this.#moreJobs = jobs.length === concurrency;
    return done + jobs.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      // A wake is for notifications (jobs are run where they are created): due jobs — retries, leases that expired
      // — are claimed at the poll interval, not once per notification.
      const pollMs = this.opts.pollMs ?? 250;
      const jobs = this.#moreJobs || performance.now() - this.#jobsAt >= pollMs;
      try {
        await this.tick({ jobs });
      } catch (e) {
        this.opts.onError?.(e);
        this.#more = false;
        this.#moreJobs = false;
      }
      // Again at once when a round was full or something arrived meanwhile; otherwise wait for a wake or the poll.
      if (this.#more || this.#moreJobs || this.#woken || !this.#running) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, Math.max(0, this.#jobsAt + pollMs - performance.now()));
      });
      if (this.#timer) clearTimeout(this.#timer);
      this.#wake = null;
    }
  }
}
