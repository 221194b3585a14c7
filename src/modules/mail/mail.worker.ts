// The mail worker: claims due mails (FOR UPDATE SKIP LOCKED + lease, so several processes never send one mail
// twice while the lease holds) and delivers them outside any transaction.
import type { MailDelivery } from './mail.service.ts';

export interface MailWorkerOptions {
  delivery: MailDelivery;
  pollMs?: number;
  /** Mails sent in parallel per round. */
  concurrency?: number;
  onError?: (e: unknown) => void;
}

export class MailWorker {
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(private readonly opts: MailWorkerOptions) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Polls now instead of at the next interval. */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
    this.#loop = null;
  }

  /** One round: claims a batch of due mails and delivers them. Returns how many were attempted. */
  async tick(): Promise<number> {
    const mails = await this.opts.delivery.claim(this.opts.concurrency ?? 4);
    await Promise.all(
      mails.map((m) =>
        this.opts.delivery.deliver(m).catch((e) => {
          this.opts.onError?.(e); // e.g. the database went away: the lease expires and the mail is retried
        }),
      ),
    );
    return mails.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let worked = 0;
      try {
        worked = await this.tick();
      } catch (e) {
        this.opts.onError?.(e);
      }
      if (worked > 0 || !this.#running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.pollMs ?? 1000);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }
}
