// Throughput of one operation per CPU-second of this process (user + system, so other load on a shared machine
// does not distort the per-core figure) and per wall-clock second; CPU time of other processes from /proc.
import { readdirSync, readFileSync } from 'node:fs';

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

const CLK_TCK = 100; // USER_HZ on Linux

/** utime, stime, cutime, cstime of a process in ms (/proc/<pid>/stat, 10 ms ticks); null when it is gone. */
function procTimes(pid: number | string): [number, number, number, number] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const t = [11, 12, 13, 14].map((i) => (Number(rest[i]) * 1000) / CLK_TCK);
  return [t[0]!, t[1]!, t[2]!, t[3]!];
}

/** CPU time (user + system, ms) a process has used so far. */
export function cpuMsOf(pid: number): number {
  const t = procTimes(pid);
  return t ? t[0] + t[1] : 0;
}

/**
 * CPU time (ms) PostgreSQL's processes on this machine have used so far: every live `postgres` process, plus what
 * the exited children of each used (cutime + cstime), so backends that ended in between still count.
 */
export function postgresCpuMs(): number {
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm !== 'postgres') continue;
    const t = procTimes(pid);
    if (t) sum += t[0] + t[1] + t[2] + t[3];
  }
  return sum;
}
