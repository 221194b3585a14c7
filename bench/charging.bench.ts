// From a CDR's arrival (OCPI POST /cdrs at Lataus) to the capture being approved by PAYONE, with the PAYONE
// simulator answering after 150 ms, at 200 sessions per second (open loop). Goal (issue 6): p99 ≤ gateway time
// + 15 ms. Setup: Lataus with every module over real HTTP, the CPO simulator registered (its token posts the
// CDRs), one real charge as a template, then N charges in CHARGING with a real preauthorization each.
// Run: node --import tsx bench/charging.bench.ts  (DATABASE_URL=… for PostgreSQL; PGlite otherwise).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { sql } from 'kysely';
import { authorizationHeader } from '../src/ocpi/index.ts';
import {
  CARDS,
  type Harness,
  insertChargingCopies,
  paidTemplateCharge,
  startHarness,
  until,
} from '../test/integration/charging/harness.ts';
import { cpuMsOf, postgresCpuMs } from './measure.ts';
import { startPayoneProcess } from './payone-process.ts';
import { startProfile } from './profile-hooks.ts';

const pct = (xs: number[], q: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10;
};

// The load generator shares the measured process: node:http over keep-alive connections costs it less CPU than
// fetch (undici), so less of the measured CPU is the generator's.
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
function post(url: string, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; text: () => Promise<string> }>((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: async () => Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', (e) => resolve({ status: 0, text: async () => e.message }));
    req.end(body);
  });
}

/** The PAYONE simulator as a child process (same settings as the test harness's in-process one). */
const payoneProcess = (notifyUrl: string) =>
  startPayoneProcess({
    notifyUrl,
    args: [
      '--paid-delay',
      '50ms',
      '--pending-delay',
      '100ms',
      '--notify-schedule',
      '100ms,200ms,400ms,800ms',
      '--notify-timeout',
      '3s',
    ],
  });

export async function run(opts: { rate?: number; seconds?: number; latencyMs?: number } = {}) {
  const rate = opts.rate ?? 200;
  const seconds = opts.seconds ?? 5;
  const latencyMs = opts.latencyMs ?? 150;
  const n = rate * seconds;
  const gateway = new Map<string, number>(); // payment id → PAYONE capture round trip (ms)
  const captured = new Map<string, () => void>(); // payment id → resolve when the capture is approved
  // Per-session stage times (BENCH_PROFILE=1): payment id / txid → performance.now() at each stage.
  const captureReturned = new Map<string, number>();
  const stages = new Map<string, Record<string, number>>();
  const mark = (key: string, stage: string) => {
    const m = stages.get(key) ?? {};
    m[stage] ??= performance.now();
    stages.set(key, m);
  };
  let h!: Harness;
  h = await startHarness({
    logLevel: 'silent',
    poolSize: Number(process.env.BENCH_POOL ?? 10),
    productionPolling: true,
    // The gateway in its own process (BENCH_PAYONE=inprocess keeps the old setup): its CPU is not ours.
    ...(process.env.BENCH_PAYONE === 'inprocess' ? {} : { externalPayone: payoneProcess }),
    wrapProvider: (p) => ({
      name: p.name,
      preauthorize: (c) => p.preauthorize(c),
      refund: (c) => p.refund(c),
      capture: async (c) => {
        const t = performance.now();
        mark(c.txid, 'psp_start');
        const r = await p.capture(c);
        mark(c.txid, 'psp_end');
        gateway.set(c.txid, performance.now() - t);
        return r;
      },
    }),
    wrapPayments: (s) => ({
      ...s,
      capture: async (id, amount, o) => {
        mark(id, 'capture_called');
        const r = await s.capture(id, amount, o);
        if (r.ok && ['captured', 'paid'].includes(r.value.state)) {
          captureReturned.set(id, performance.now());
          captured.get(id)?.();
        }
        return r;
      },
    }),
  });
  try {
    // One real charge: its offer and CDR are the templates.
    const { template, cdr: cdrTemplate } = await paidTemplateCharge(h, 'bench@example.com');

    // N charges in CHARGING, each with a real hold at PAYONE (no latency yet).
    const charges: { id: string; ref: string; paymentId: string }[] = [];
    for (let i = 0; i < n; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, n - i) }, async () => {
          const id = randomUUID();
          const pre = await h.payments.service.preauthorize({
            sessionRef: id,
            amount: 5000,
            currency: 'EUR',
            card: { pseudocardpan: CARDS.visa.pseudocardpan },
            returnUrls: { successUrl: h.url, errorUrl: h.url, backUrl: h.url },
          });
          if (!pre.ok) throw new Error(pre.error.message);
          return { id, ref: id.replaceAll('-', ''), paymentId: pre.value.id };
        }),
      );
      charges.push(...batch);
    }
    await insertChargingCopies(
      h,
      template,
      charges.map((c, i) => ({ ...c, tokenUid: `BENCH${i}`, sessionId: `BENCH-${i}` })),
    );

    await fetch(`${h.payone.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs }),
    });
    const token = h.cpo.sim.peer!.tokenOut;
    const cdrsUrl = `${h.url}/ocpi/2.2.1/cdrs`;
    const latencies: number[] = [];
    const overheads: number[] = [];
    const errors: string[] = [];
    const txids = new Map<string, string>();
    for (const c of charges) {
      const p = await h.t.db.selectFrom('payments').select('txid').where('id', '=', c.paymentId).executeTakeFirst();
      txids.set(c.paymentId, p!.txid!);
    }
    const stopProfile = process.env.BENCH_PROFILE ? await startProfile() : null;
    // For an outside profiler (perf record -p): the measured window starts now.
    if (process.env.BENCH_PROFILE) console.error(`bench: measuring (pid ${process.pid})`);
    const payonePid = (h.payone as unknown as { pid?: number }).pid;
    const others0 = { payone: payonePid ? cpuMsOf(payonePid) : 0, postgres: postgresCpuMs() };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const all = charges.map(
      (c, i) =>
        new Promise<void>((resolve) => {
          setTimeout(
            async () => {
              const sent = performance.now();
              mark(c.paymentId, 'sent');
              const done = new Promise<void>((r) => captured.set(c.paymentId, r));
              const cdr = {
                ...cdrTemplate,
                id: `CDR-BENCH-${i}`,
                session_id: `BENCH-${i}`,
                authorization_reference: c.ref,
                last_updated: new Date().toISOString(),
              };
              const res = await post(cdrsUrl, JSON.stringify(cdr), {
                authorization: authorizationHeader(token),
                'content-type': 'application/json',
              });
              mark(c.paymentId, 'cdr_answered');
              if (res.status !== 201 && res.status !== 200) errors.push(`${res.status} ${await res.text()}`);
              const ok = await Promise.race([
                done.then(() => true),
                new Promise((r) => setTimeout(() => r(false), 10_000)),
              ]);
              if (ok) {
                const total = performance.now() - sent;
                latencies.push(total);
                overheads.push(total - (gateway.get(txids.get(c.paymentId)!) ?? 0));
              } else errors.push(`no capture for ${c.id}`);
              resolve();
            },
            (i * 1000) / rate,
          );
        }),
    );
    await Promise.all(all);
    const wall = (performance.now() - t0) / 1000;
    const profile = await stopProfile?.();
    const stageMs: Record<string, number[]> = {};
    for (const c of charges) {
      const a = stages.get(c.paymentId);
      const b = stages.get(txids.get(c.paymentId)!);
      if (!a?.sent || !b?.psp_start) continue;
      const add = (k: string, v: number | undefined) => {
        if (v === undefined) return;
        stageMs[k] ??= [];
        stageMs[k].push(v);
      };
      add('sent→cdr_answered', a.cdr_answered! - a.sent);
      add('sent→capture_called', a.capture_called! - a.sent);
      add('capture_called→psp_start', b.psp_start - a.capture_called!);
      add('psp_end→capture_returned', captureReturned.get(c.paymentId)! - b.psp_end!);
    }
    const stagesSummary = Object.fromEntries(
      Object.entries(stageMs).map(([k, v]) => [k, { p50: pct(v, 0.5), p90: pct(v, 0.9), p99: pct(v, 0.99) }]),
    );
    await until(
      'paid',
      async () => {
        const r = await sql<{ n: string }>`select count(*) as n from charges where status = 'PAID'`.execute(h.t.db);
        return Number(r.rows[0]!.n) >= n + 1;
      },
      60_000,
    ).catch(() => null);
    // All the work the run caused, done: receipts mailed, PAYONE's notifications processed.
    const drained = await until(
      'receipts and notifications',
      async () => {
        const r = await sql<{ receipts: string; notifications: string }>`select
          (select count(*) from charges where receipt_mail is not null) as receipts,
          (select count(*) from payone_notifications where status = 'received') as notifications`.execute(h.t.db);
        return Number(r.rows[0]!.receipts) === 0 && Number(r.rows[0]!.notifications) === 0;
      },
      120_000,
    ).catch(() => false);
    const cpu = process.cpuUsage(cpu0);
    const others = {
      payone: payonePid ? cpuMsOf(payonePid) - others0.payone : null,
      postgres: postgresCpuMs() - others0.postgres,
    };
    const drainedAfter = (performance.now() - t0) / 1000;
    const gw = [...gateway.values()];
    return {
      database: h.t.url ? 'postgres' : 'pglite',
      sessions: n,
      offered_rate_per_s: rate,
      achieved_rate_per_s: Math.round((latencies.length / wall) * 10) / 10,
      payone_latency_ms: latencyMs,
      cdr_to_capture_ms: {
        p50: pct(latencies, 0.5),
        p90: pct(latencies, 0.9),
        p99: pct(latencies, 0.99),
        max: pct(latencies, 1),
      },
      gateway_ms: { p50: pct(gw, 0.5), p99: pct(gw, 0.99) },
      overhead_ms: { p50: pct(overheads, 0.5), p99: pct(overheads, 0.99) },
      goal_met: pct(latencies, 0.99) <= pct(gw, 0.99) + 15,
      // CPU of this process (Lataus and the CPO simulator; PAYONE runs elsewhere unless BENCH_PAYONE=inprocess)
      // from the first CDR until every receipt was mailed and every notification processed, per session.
      cpu_ms_per_session: Math.round(((cpu.user + cpu.system) / 1000 / n) * 10) / 10,
      // The same window for the PAYONE simulator process and every PostgreSQL process on the machine (other
      // databases' work too: run it on a quiet machine), and what all of it asks of the cores at the offered rate.
      other_cpu_ms_per_session: {
        payone_simulator: others.payone === null ? null : Math.round((others.payone / n) * 10) / 10,
        postgres: Math.round((others.postgres / n) * 10) / 10,
      },
      cores_needed_at_offered_rate:
        Math.round(((((cpu.user + cpu.system) / 1000 + (others.payone ?? 0) + others.postgres) / n) * rate) / 10) / 100,
      all_done_after_s: drained ? Math.round(drainedAfter * 10) / 10 : null,
      errors: errors.slice(0, 5),
      error_count: errors.length,
      ...(profile ? { profile, stages_ms: stagesSummary } : {}),
    };
  } finally {
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({
    rate: Number(process.env.RATE ?? 200),
    seconds: Number(process.env.SECONDS ?? 5),
  });
  console.log(JSON.stringify(r, null, 2));
}
