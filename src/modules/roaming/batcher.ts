// Coalesces concurrent requests into batches: items submitted while a batch is being written wait and go into the
// next one, so under load one transaction carries many items, and a lone item goes out at once (on the next turn
// of the event loop). Each submit resolves with its own item's result after its batch was written; if the batch
// fails, every item of it is rejected with that error (the caller then handles it alone).

export interface BatcherOptions {
  /** Most items per batch. */
  maxBatch?: number;
  /** Batches written at the same time. */
  concurrency?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class Batcher<T, R> {
  /** Counters since start: batches written (or failed) and the items they carried. */
  readonly stats = { batches: 0, items: 0, failed: 0 };
  private queue: Pending<T, R>[] = [];
  private active = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly concurrency: number;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    opts: BatcherOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.concurrency = opts.concurrency ?? 1;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.active >= this.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate: requests that arrived in the same I/O phase join this batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.active < this.concurrency && this.queue.length > 0) {
        void this.flush(this.queue.splice(0, this.maxBatch));
      }
    });
  }

  private async flush(batch: Pending<T, R>[]): Promise<void> {
    this.active++;
    this.stats.batches++;
    this.stats.items += batch.length;
    try {
      const results = await this.write(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        p.resolve(results[i] as R);
      });
    } catch (e) {
      this.stats.failed++;
      for (const p of batch) p.reject(e);
    } finally {
      this.active--;
      this.schedule();
    }
  }
}
