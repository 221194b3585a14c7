// Opt-in profiling for benchmarks (BENCH_PROFILE=1): event-loop utilisation and delay, and PostgreSQL pool
// waits (time from asking the pool for a connection to getting one), sampled over the run.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';

/** BENCH_CPU_PROFILE=<file>: a CPU profile of the measured window only (written when the profile stops). */
export async function startProfile() {
  const file = process.env.BENCH_CPU_PROFILE;
  const inspector = file ? new Session() : null;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const waits: number[] = [];
  let maxWaiting = 0;
  const proto = pg.Pool.prototype as unknown as { connect: (...a: unknown[]) => Promise<unknown> };
  const orig = proto.connect;
  proto.connect = function (this: pg.Pool, ...a: unknown[]) {
    if (a.length) return orig.apply(this, a);
    const t = performance.now();
    maxWaiting = Math.max(maxWaiting, this.waitingCount);
    return orig.apply(this).then((c) => {
      waits.push(performance.now() - t);
      return c;
    });
  };
  const queries = new Map<string, number>();
  const cproto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const corig = cproto.query;
  cproto.query = function (this: pg.Client, ...a: unknown[]) {
    const q = a[0] as string | { text?: string };
    const text = (typeof q === 'string' ? q : (q?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 90);
    queries.set(text, (queries.get(text) ?? 0) + 1);
    return corig.apply(this, a);
  };
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return async () => {
    if (inspector && file) {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      inspector.disconnect();
    }
    h.disable();
    proto.connect = orig;
    cproto.query = corig;
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const s = [...waits].sort((x, y) => x - y);
    const q = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 10) / 10;
    return {
      wall_s: Math.round(performance.now() - t0) / 1000,
      cpu_s: Math.round((cpu.user + cpu.system) / 1000) / 1000,
      event_loop_utilisation: Math.round(elu.utilization * 1000) / 1000,
      event_loop_delay_ms: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 },
      pool_checkouts: s.length,
      pool_wait_ms: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) },
      pool_max_waiting: maxWaiting,
      queries: process.env.BENCH_PROFILE === 'queries' ? [...queries].sort((x, y) => y[1] - x[1]) : queries.size,
      query_count: [...queries.values()].reduce((x, y) => x + y, 0),
    };
  };
}
