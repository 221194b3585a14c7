// The Batcher behind the EVSE status PATCH: concurrent submits share one write, each gets its own result after
// that write finished, a failed write rejects only its own items, and a write never has more than maxBatch items.
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/modules/roaming/batcher.ts';

function recorder(opts: { fail?: (items: number[]) => boolean } = {}) {
  const writes: number[][] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const write = async (items: number[]) => {
    writes.push(items);
    if (hold) await new Promise<void>((r) => (release = r));
    if (opts.fail?.(items)) throw new Error('write failed');
    return items.map((i) => i * 10);
  };
  return {
    writes,
    write,
    holdNext: () => {
      hold = true;
    },
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('Batcher', () => {
  it('submits of the same moment go into one write and each gets its own result', async () => {
    const r = recorder();
    const b = new Batcher(r.write);
    expect(await Promise.all([1, 2, 3].map((i) => b.submit(i)))).toEqual([10, 20, 30]);
    expect(r.writes).toEqual([[1, 2, 3]]);
  });

  it('submits made while a write runs wait for it and go into the next write together', async () => {
    const r = recorder();
    const b = new Batcher(r.write);
    r.holdNext();
    const first = b.submit(1);
    await new Promise((res) => setImmediate(res));
    expect(r.writes).toEqual([[1]]);
    const later = [2, 3].map((i) => b.submit(i));
    await new Promise((res) => setImmediate(res));
    expect(r.writes).toHaveLength(1); // still waiting for the first write
    r.release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30]);
    expect(r.writes).toEqual([[1], [2, 3]]);
  });

  it('a failed write rejects its own items only', async () => {
    const r = recorder({ fail: (items) => items.includes(2) });
    const b = new Batcher(r.write);
    const bad = [1, 2].map((i) => b.submit(i).catch((e: Error) => e.message));
    expect(await Promise.all(bad)).toEqual(['write failed', 'write failed']);
    expect(await b.submit(3)).toBe(30);
    expect(b.stats).toEqual({ batches: 2, items: 3, failed: 1 });
  });

  it('never writes more than maxBatch items at once', async () => {
    const r = recorder();
    const b = new Batcher(r.write, { maxBatch: 2 });
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => b.submit(i)))).toEqual([10, 20, 30, 40, 50]);
    expect(r.writes).toEqual([[1, 2], [3, 4], [5]]);
  });
});
