// Throughput of one operation per CPU-second of this process (user + system, so other load on a shared machine
// does not distort the per-core figure) and per wall-clock second.

export interface Rate {
  perCpuSecond: number;
  perWallSecond: number;
}

/**
 * Runs `fn` after `warmup` calls, in rounds of `round`, until it has used `minMs` of CPU time. A promise `fn` returns
 * is awaited; a synchronous `fn` runs without any await between calls.
 */
export async function measure(
  fn: () => unknown,
  opts: { minMs?: number; warmup?: number; round?: number } = {},
): Promise<Rate> {
  const { minMs = 1000, warmup = 200, round = 100 } = opts;
  const call = async () => {
    const r = fn();
    if (r instanceof Promise) await r;
  };
  for (let i = 0; i < warmup; i++) await call();
  let iterations = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let cpuMs = 0;
  while (cpuMs < minMs) {
    for (let i = 0; i < round; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    iterations += round;
    const c = process.cpuUsage(c0);
    cpuMs = (c.user + c.system) / 1000;
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    perCpuSecond: Math.round((iterations / cpuMs) * 1000),
    perWallSecond: Math.round((iterations / wallMs) * 1000),
  };
}
