// An open-loop load generator: request i is sent at t0 + i/rate, evenly spaced, whatever the answers do, over
// keep-alive connections. Latency is measured from the scheduled send time, so queueing in the client or the server
// counts (no coordinated omission). autocannon's `overallRate` sends each connection's share in a burst at the start
// of every second, which measures bursts of concurrent requests rather than a steady rate.
import http from 'node:http';

export interface OpenLoopResult {
  rate_per_s: number;
  sent: number;
  ok: number;
  non_2xx: number;
  errors: number;
  achieved_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  avg_kib: number;
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0) : 0;
const round = (x: number) => Math.round(x * 100) / 100;

export async function openLoop(opts: {
  baseUrl: string;
  paths: string[];
  rate: number;
  durationSeconds: number;
}): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(opts.rate * opts.durationSeconds);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let bytes = 0;
  const t0 = performance.now() + 50;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const path = opts.paths[i % opts.paths.length]!;
    inflight.push(
      new Promise<void>((resolve) => {
        const req = http.get(`${opts.baseUrl}${path}`, { agent }, (res) => {
          res.on('data', (c: Buffer) => {
            bytes += c.length;
          });
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (res.statusCode && res.statusCode < 300) ok++;
            else non2xx++;
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
      }),
    );
  }
  const sentAt = performance.now();
  await Promise.all(inflight);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    rate_per_s: opts.rate,
    sent: total,
    ok,
    non_2xx: non2xx,
    errors,
    achieved_per_s: Math.round((total * 1000) / (sentAt - t0)),
    p50_ms: round(pct(sorted, 50)),
    p90_ms: round(pct(sorted, 90)),
    p99_ms: round(pct(sorted, 99)),
    max_ms: round(sorted.at(-1) ?? 0),
    avg_kib: Math.round(bytes / Math.max(1, ok + non2xx) / 102.4) / 10,
  };
}
