// Payments benchmark: preauthorize + capture end to end against the PAYONE simulator (real HTTP on loopback,
// notifications delivered to our endpoint and processed by the worker), at 0 ms and 150 ms gateway latency,
// and the latency Lataus adds on top of the gateway under an open-loop load of 200 captures/s.
// Run: `node --import tsx bench/payments.bench.ts` (PGlite) or with DATABASE_URL=postgres://… (PostgreSQL);
// BENCH_SECONDS, BENCH_RATE (open-loop captures/s, default 200), BENCH_CLIENTS, BENCH_ONLY=closed|open.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import type { PaymentProvider } from '../src/modules/payments/core/provider.ts';
import { createPaymentsModule, payoneProviderFromConfig } from '../src/modules/payments/index.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { freePort } from '../test/helpers/net.ts';
import { cpuMsOf, postgresCpuMs } from './measure.ts';
import { startPayoneProcess } from './payone-process.ts';
import { startProfile } from './profile-hooks.ts';

const psp = new AsyncLocalStorage<{ ms: number }>();

/** Measures time spent inside the PSP call of the current operation. */
function timed(p: PaymentProvider): PaymentProvider {
  const wrap =
    <A>(f: (a: A) => ReturnType<PaymentProvider['capture']>) =>
    async (a: A) => {
      const t0 = performance.now();
      try {
        return await f(a);
      } finally {
        const s = psp.getStore();
        if (s) s.ms += performance.now() - t0;
      }
    };
  return {
    name: p.name,
    preauthorize: wrap((c) => p.preauthorize(c)),
    capture: wrap((c) => p.capture(c)),
    refund: wrap((c) => p.refund(c)),
  };
}

const pct = (xs: number[], q: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
};

async function measured<T>(f: () => Promise<T>): Promise<{ value: T; totalMs: number; pspMs: number }> {
  const store = { ms: 0 };
  const t0 = performance.now();
  const value = await psp.run(store, f);
  return { value, totalMs: performance.now() - t0, pspMs: store.ms };
}

export async function run(opts: { seconds?: number; clients?: number; rate?: number } = {}) {
  const seconds = opts.seconds ?? 5;
  const clients = opts.clients ?? 16;
  const rate = opts.rate ?? 200;
  const baseUrl = process.env.DATABASE_URL;
  let dbName: string | null = null;
  let url: string | undefined;
  if (baseUrl) {
    dbName = `lataus_bench_${Date.now()}`;
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    await c.query(`create database ${dbName}`);
    await c.end();
    const u = new URL(baseUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 20 });
  await migrate(database);
  const walLsn = async () =>
    database.kind === 'postgres'
      ? (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(database.db)).rows[0]!.lsn
      : null;
  const walBytesSince = async (lsn: string) =>
    Number(
      (
        await sql<{ d: string }>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn}::pg_lsn)::text as d`.execute(
          database.db,
        )
      ).rows[0]!.d,
    );
  const appPort = await freePort();
  // The gateway runs in its own process, as a real one would: its work must not be counted as ours.
  const simProc = await startPayoneProcess({
    notifyUrl: `http://127.0.0.1:${appPort}/payone/transaction-status`,
    args: ['--paid-delay', '200ms'],
    cpuProfDir: process.env.BENCH_SIM_CPU_PROF,
  });
  const simUrl = simProc.url;
  const setFaults = async (f: Record<string, unknown>) => {
    const r = await fetch(`${simUrl}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(f),
    });
    if (!r.ok) throw new Error(`sim faults: ${r.status}`);
  };
  await setFaults({ latencyMs: 0 }); // startPayoneProcess waited until it answers
  const sim = { apiUrl: `${simUrl}/post-gateway/` };
  const config = {
    PAYONE_API_URL: sim.apiUrl,
    PAYONE_MID: '10000',
    PAYONE_AID: '10001',
    PAYONE_PORTAL_ID: '2000000',
    PAYONE_KEY: 'lataus-sim-portal-key',
    PAYONE_MODE: 'test' as const,
    PAYONE_HASH: 'md5' as const,
    PAYONE_NOTIFY_IPS: undefined,
    PUBLIC_URL: `http://127.0.0.1:${appPort}`,
    PORT: appPort,
    adminToken: 'bench-admin-token',
  };
  const payments = createPaymentsModule({
    db: database.db,
    config,
    provider: timed(payoneProviderFromConfig(config)),
    // The worker polls at its production default; stored notifications wake it at once.
  });
  const app = await buildApp({
    logLevel: 'silent',
    rateLimitMax: 1_000_000,
    modules: [payments.routes],
    rootModules: [payments.rootRoutes],
    ready: async () => ({ ok: true }),
  });
  await app.listen({ port: appPort, host: '127.0.0.1' });
  payments.worker.start();
  const { service } = payments;
  // The same service against an in-process gateway that answers after a fixed delay: what Lataus adds, alone.
  const fakeLatency = { ms: 0 };
  let fakeTxid = 900_000_000;
  const exchange = () => ({
    request: {},
    response: {},
    rawResponse: '',
    httpStatus: 200,
    latencyMs: fakeLatency.ms,
    startedAt: new Date(),
  });
  const pause = () => new Promise((r) => setTimeout(r, fakeLatency.ms));
  const fakeProvider: PaymentProvider = {
    name: 'fake',
    preauthorize: async () => {
      await pause();
      return { outcome: { status: 'approved', txid: String(++fakeTxid), userid: null }, exchange: exchange() };
    },
    capture: async (c) => {
      await pause();
      return { outcome: { status: 'approved', txid: c.txid, userid: null }, exchange: exchange() };
    },
    refund: async (c) => {
      await pause();
      return { outcome: { status: 'approved', txid: c.txid, userid: null }, exchange: exchange() };
    },
  };
  const fake = createPaymentsModule({ db: database.db, config, provider: timed(fakeProvider) }).service;
  let seq = 0;
  const card = '9410010000000411111';
  const returnUrls = { successUrl: 'http://x/ok', errorUrl: 'http://x/err', backUrl: 'http://x/back' };
  const preauth = () =>
    service.preauthorize({
      sessionRef: `bench-${++seq}`,
      amount: 5000,
      currency: 'EUR',
      card: { pseudocardpan: card },
      returnUrls,
    });

  /** Closed loop: `clients` drivers each preauthorize then capture, for `seconds`. */
  async function closedLoop(latencyMs: number) {
    await setFaults({ latencyMs });
    const added: number[] = [];
    const gateway: number[] = [];
    let pairs = 0;
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) {
          const a = await measured(preauth);
          if (!a.value.ok) {
            errors++;
            continue;
          }
          const id = a.value.value.id;
          const c = await measured(() => service.capture(id, 3120));
          if (!c.value.ok) errors++;
          else pairs++;
          added.push(a.totalMs - a.pspMs, c.totalMs - c.pspMs);
          gateway.push(a.pspMs, c.pspMs);
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    return {
      gateway_latency_ms: latencyMs,
      clients,
      preauth_capture_pairs_per_s: Math.round((pairs / elapsed) * 10) / 10,
      errors,
      gateway_ms: { p50: pct(gateway, 0.5), p99: pct(gateway, 0.99) },
      added_ms: { p50: pct(added, 0.5), p95: pct(added, 0.95), p99: pct(added, 0.99) },
    };
  }

  /** Open loop: captures arrive at `rate`/s regardless of how fast we answer; what do we add to the gateway? */
  async function openLoop(latencyMs: number, svc = service, fakeGateway = false) {
    const preauth = () =>
      svc.preauthorize({
        sessionRef: `bench-${++seq}`,
        amount: 5000,
        currency: 'EUR',
        card: { pseudocardpan: card },
        returnUrls,
      });
    if (!fakeGateway) await setFaults({ latencyMs: 0 });
    const n = rate * seconds;
    const ids: string[] = [];
    const batch = 32;
    for (let i = 0; i < n; i += batch) {
      const rs = await Promise.all(Array.from({ length: Math.min(batch, n - i) }, preauth));
      for (const r of rs) if (r.ok) ids.push(r.value.id);
    }
    await new Promise((r) => setTimeout(r, 1000)); // let the preauthorizations' notifications settle
    if (fakeGateway) fakeLatency.ms = latencyMs;
    else await setFaults({ latencyMs });
    const added: number[] = [];
    const total: number[] = [];
    let errors = 0;
    const stopProfile = process.env.BENCH_PROFILE ? await startProfile() : null;
    const cpu0 = process.cpuUsage();
    const others0 = { sim: cpuMsOf(simProc.pid), postgres: postgresCpuMs() };
    const wal0 = await walLsn();
    const t0 = performance.now();
    await Promise.all(
      ids.map(async (id, i) => {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const c = await measured(() => svc.capture(id, 4000));
        if (!c.value.ok) errors++;
        added.push(c.totalMs - c.pspMs);
        total.push(c.totalMs);
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    // Everything this process did meanwhile (captures, notifications received and processed), per capture.
    const cpu = process.cpuUsage(cpu0);
    // The other processes meanwhile (from /proc; 10 ms ticks): PostgreSQL (every postgres process on the machine, on
    // PostgreSQL only) and the simulator (idle in the fake-gateway runs).
    const others = { sim: cpuMsOf(simProc.pid) - others0.sim, postgres: postgresCpuMs() - others0.postgres };
    const walBytes = wal0 === null ? null : await walBytesSince(wal0);
    const perCapture = (ms: number) => Math.round((ms / ids.length) * 100) / 100;
    const cpuPerCapture = {
      lataus: perCapture((cpu.user + cpu.system) / 1000),
      postgres: database.kind === 'postgres' ? perCapture(others.postgres) : 0,
      simulator: fakeGateway ? 0 : perCapture(others.sim),
    };
    const profile = await stopProfile?.();
    return {
      ...(profile ? { profile } : {}),
      gateway: fakeGateway ? 'in-process fake (Lataus alone)' : 'simulator process',
      gateway_latency_ms: latencyMs,
      offered_captures_per_s: rate,
      achieved_captures_per_s: Math.round((ids.length / elapsed) * 10) / 10,
      captures: ids.length,
      errors,
      total_ms: { p50: pct(total, 0.5), p99: pct(total, 0.99) },
      added_ms: { p50: pct(added, 0.5), p95: pct(added, 0.95), p99: pct(added, 0.99), max: pct(added, 1) },
      lataus_cpu_ms_per_capture: cpuPerCapture.lataus,
      ...(database.kind === 'postgres' ? { postgres_cpu_ms_per_capture: cpuPerCapture.postgres } : {}),
      ...(fakeGateway ? {} : { simulator_cpu_ms_per_capture: cpuPerCapture.simulator }),
      // What the offered rate asks of the machine's cores: the processes above (not the load generator, which runs
      // in Lataus's process and is counted in its figure).
      cores_at_offered_rate:
        Math.round(((cpuPerCapture.lataus + cpuPerCapture.postgres + cpuPerCapture.simulator) * rate) / 10) / 100,
      // PostgreSQL's write-ahead log per capture (the machine's other databases included): what the writes cost,
      // unaffected by the machine's speed.
      ...(walBytes === null ? {} : { wal_bytes_per_capture: Math.round(walBytes / ids.length) }),
    };
  }

  /** BENCH_OPEN=sim0,sim150,fake0,fake150 (the default: all four) picks the open-loop runs. */
  async function openLoops() {
    const pick = (process.env.BENCH_OPEN ?? 'sim0,sim150,fake0,fake150').split(',');
    const out = [];
    if (pick.includes('sim0')) out.push(await openLoop(0));
    if (pick.includes('sim150')) out.push(await openLoop(150));
    if (pick.includes('fake0')) out.push(await openLoop(0, fake, true));
    if (pick.includes('fake150')) out.push(await openLoop(150, fake, true));
    return out;
  }

  try {
    const only = process.env.BENCH_ONLY;
    const result = {
      database: database.kind,
      closed_loop: only === 'open' ? [] : [await closedLoop(0), await closedLoop(150)],
      open_loop_captures: only === 'closed' ? [] : await openLoops(),
    };
    return result;
  } finally {
    await payments.worker.stop();
    await app.close();
    await simProc.close();
    await database.close();
    if (dbName && baseUrl) {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  run({
    ...(env.BENCH_SECONDS ? { seconds: Number(env.BENCH_SECONDS) } : {}),
    ...(env.BENCH_RATE ? { rate: Number(env.BENCH_RATE) } : {}),
    ...(env.BENCH_CLIENTS ? { clients: Number(env.BENCH_CLIENTS) } : {}),
  })
    .then((r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
