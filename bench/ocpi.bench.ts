// OCPI ingest on PostgreSQL, over HTTP with the server in a child process (it does not share the event loop with
// the load generator): (1) full load of a CPO network by push — PUT Location with 10 EVSEs each, 500,000 EVSEs by
// default; (2) EVSE status PATCHes at full speed with autocannon (random EVSEs, increasing last_updated).
// Goals: full load ≤ 120 s; PATCH ≥ 5,000/s with p99 ≤ 25 ms.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/ocpi.bench.ts [evses]
// (BENCH_PATCH_SECONDS, BENCH_PATCH_CONNECTIONS; BENCH_POOL = the server's pool size).
// CPU per PATCH is reported per process: the server (process.cpuUsage over IPC), autocannon (this process) and the
// PostgreSQL backends of the bench database (/proc/<pid>/stat of the pids pg_stat_activity lists for it).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { applyEvseStatusChanges, upsertParty } from '../src/modules/network/index.ts';
import { Batcher } from '../src/modules/roaming/batcher.ts';
import { createRoamingContext, type RoamingSettings } from '../src/modules/roaming/index.ts';
import { addPartnerToken, insertPartner, setPartnerParties } from '../src/modules/roaming/partners.repository.ts';
import { authorizationHeader, hashToken } from '../src/ocpi/core/auth.ts';
import { ocpiRoutes } from '../src/ocpi/routes.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { createDatabase, dropDatabase } from './databases.ts';

const EVSES_PER_LOCATION = 10;
const CC = 'NL';
const PID = 'BEN';
const TOKEN = 'bench-cpo-token-c';

export interface OcpiBenchOptions {
  databaseUrl?: string;
  evses?: number;
  /** autocannon connections for the full load and the PATCH run. */
  loadConnections?: number;
  patchConnections?: number;
  patchSeconds?: number;
}

const settings = (port: number): RoamingSettings => ({
  publicUrl: `http://127.0.0.1:${port}`,
  countryCode: 'DE',
  partyId: 'LAT',
  businessName: 'Lataus bench',
  pageLimit: 100,
  auditTolerance: '0.01',
  syncIntervalMinutes: 60,
  workers: false,
  httpTimeoutMs: 15_000,
});

function location(i: number, ts: string) {
  const lat = (50 + (i % 1000) / 400).toFixed(6);
  const lon = (4 + Math.floor(i / 1000) / 400).toFixed(6);
  return {
    country_code: CC,
    party_id: PID,
    id: `L${i}`,
    publish: true,
    name: `Bench site ${i}`,
    address: `Benchstraat ${i}`,
    city: 'Utrecht',
    postal_code: '3511',
    country: 'NLD',
    coordinates: { latitude: lat, longitude: lon },
    time_zone: 'Europe/Amsterdam',
    evses: Array.from({ length: EVSES_PER_LOCATION }, (_, k) => ({
      uid: `L${i}-${k}`,
      evse_id: `NL*BEN*E${i}*${k}`,
      status: 'AVAILABLE',
      capabilities: ['RFID_READER', 'REMOTE_START_STOP_CAPABLE'],
      connectors: [
        {
          id: '1',
          standard: k % 3 === 0 ? 'IEC_62196_T2_COMBO' : 'IEC_62196_T2',
          format: k % 3 === 0 ? 'CABLE' : 'SOCKET',
          power_type: k % 3 === 0 ? 'DC' : 'AC_3_PHASE',
          max_voltage: k % 3 === 0 ? 400 : 230,
          max_amperage: k % 3 === 0 ? 125 : 32,
          tariff_ids: ['T1'],
          last_updated: ts,
        },
      ],
      last_updated: ts,
    })),
    last_updated: ts,
  };
}

/**
 * CPU seconds (user + system) per PostgreSQL process, keyed `pid`, with its kind: `client` (the backends of the bench
 * database), `autovacuum` (workers in that database), `server` (walwriter, checkpointer, background writer: shared
 * by every database of the server, so other users of the server count there too).
 */
async function backendCpu(url: string): Promise<Map<number, { kind: string; cpu: number }>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ pid: number; kind: string }>(
      `select pid, case when backend_type = 'client backend' then 'client'
         when backend_type = 'autovacuum worker' then 'autovacuum' else 'server' end as kind
       from pg_stat_activity
       where pid <> pg_backend_pid() and (datname = current_database()
         or backend_type in ('walwriter', 'checkpointer', 'background writer'))`,
    );
    const out = new Map<number, { kind: string; cpu: number }>();
    const tick = 100; // USER_HZ
    for (const { pid, kind } of r.rows) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, { kind, cpu: (Number(f[11]) + Number(f[12])) / tick });
      } catch {
        /* gone */
      }
    }
    return out;
  } finally {
    await c.end();
  }
}

const cpuDelta = (a: Map<number, { cpu: number }>, b: Map<number, { kind: string; cpu: number }>, kind: string) => {
  let sum = 0;
  for (const [pid, v] of b) if (v.kind === kind) sum += v.cpu - (a.get(pid)?.cpu ?? 0);
  return sum;
};

/** The server child's process.cpuUsage() in seconds, and how many status batches it wrote. */
function serverCpu(server: ChildProcess): Promise<{ cpu: number; batches: number; items: number; failed: number }> {
  return new Promise((resolve) => {
    server.once('message', (m) => {
      const u = m as { user: number; system: number; batches: number; items: number; failed: number };
      resolve({ cpu: (u.user + u.system) / 1e6, batches: u.batches, items: u.items, failed: u.failed });
    });
    server.send('cpu');
  });
}

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export async function run(opts: OcpiBenchOptions = {}): Promise<Record<string, unknown>> {
  const baseUrl = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const evses = opts.evses ?? 500_000;
  const locations = Math.ceil(evses / EVSES_PER_LOCATION);
  const url = await createDatabase(baseUrl, 'lataus_ocpi_bench');
  const result: Record<string, unknown> = {
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory_gib: Math.round(os.totalmem() / 2 ** 30) },
    database: 'PostgreSQL',
    evses: locations * EVSES_PER_LOCATION,
    locations,
  };
  const handle = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  try {
    await migrate(handle);
    const db = handle.db;
    // A registered partner with a token C, set up directly (registration has its own tests).
    const partnerId = '00000000-0000-4000-8000-000000000001';
    await insertPartner(db, { id: partnerId, name: 'Bench CPO', status: 'REGISTERED', initiated_by: 'THEM' });
    await addPartnerToken(db, partnerId, hashToken(TOKEN), 'C');
    await setPartnerParties(db, partnerId, [
      { role: 'CPO', country_code: CC, party_id: PID, business_details: { name: 'Bench CPO' } },
    ]);
    await upsertParty(db, { country_code: CC, party_id: PID, name: 'Bench CPO', integrated: true });

    const port = 3490 + Math.floor(Math.random() * 100);
    const server = spawn(
      process.execPath,
      [
        // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        '--max-semi-space-size=32', // as `npm start` runs the server
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--serve',
        url,
        String(port),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
      server.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) resolve();
      });
    });
    const headers = { authorization: authorizationHeader(TOKEN), 'content-type': 'application/json' };
    try {
      // ---- 1. full load by push: PUT Location (10 EVSEs, 1 connector each)
      const ts = '2026-01-01T00:00:00Z';
      let next = 0;
      const t0 = performance.now();
      const load = await autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: opts.loadConnections ?? 16,
        amount: locations,
        timeout: 60,
        requests: [
          {
            method: 'PUT',
            headers,
            setupRequest: (req) => {
              const i = next++;
              return {
                ...req,
                path: `/ocpi/2.2.1/locations/${CC}/${PID}/L${i}`,
                body: JSON.stringify(location(i, ts)),
              };
            },
          },
        ],
      });
      const loadSeconds = (performance.now() - t0) / 1000;
      const counter = new pg.Client({ connectionString: url });
      await counter.connect();
      const stored = await counter.query<{ n: number }>('select count(*)::int as n from evses');
      await counter.end();
      result.full_load = {
        goal: '≤ 120 s for 500,000 EVSEs',
        seconds: Math.round(loadSeconds * 10) / 10,
        location_puts: load.requests.total,
        location_puts_per_s: Math.round(load.requests.total / loadSeconds),
        evses_per_s: Math.round((load.requests.total * EVSES_PER_LOCATION) / loadSeconds),
        evses_stored: stored.rows[0]?.n,
        non_2xx: load.non2xx,
        errors: load.errors,
        p50_ms: load.latency.p50,
        p99_ms: load.latency.p99,
      };
      console.error(`  full load: ${JSON.stringify(result.full_load)}`);

      // ---- 2. EVSE status PATCHes at full speed
      const statuses = ['AVAILABLE', 'CHARGING', 'AVAILABLE', 'BLOCKED', 'AVAILABLE', 'OUTOFORDER'];
      let n = 0;
      // Closed loop: throughput = connections / latency. 32 connections capped it near 32 / 7 ms ≈ 4,500/s on a quiet
      // machine with a third of the CPU idle; 64 give the batcher fuller batches (docs/PERFORMANCE.md).
      const patchConnections = opts.patchConnections ?? Number(process.env.BENCH_PATCH_CONNECTIONS ?? 64);
      const patchSeconds = opts.patchSeconds ?? Number(process.env.BENCH_PATCH_SECONDS ?? 20);
      const base = Date.parse('2026-02-01T00:00:00Z');
      const patchRun = (duration: number) =>
        autocannon({
          url: `http://127.0.0.1:${port}`,
          connections: patchConnections,
          duration,
          requests: [
            {
              method: 'PATCH',
              headers,
              setupRequest: (req) => {
                const k = n++;
                // spread over all EVSEs: a prime stride visits every location before repeating one
                const i = (k * 7919) % locations;
                const e = k % EVSES_PER_LOCATION;
                const body = {
                  // each EVSE walks through the statuses one visit after the other (AVAILABLE ↔ in use), so its
                  // location's availability counts change with most PATCHes, as they do in real traffic
                  status: statuses[Math.floor(k / locations) % statuses.length],
                  last_updated: new Date(base + k * 10).toISOString(),
                };
                return {
                  ...req,
                  path: `/ocpi/2.2.1/locations/${CC}/${PID}/L${i}/L${i}-${e}`,
                  body: JSON.stringify(body),
                };
              },
            },
          ],
        });
      await patchRun(3); // warm-up
      const cpu0 = { server: await serverCpu(server), bench: selfCpu(), pg: await backendCpu(url) };
      const load0 = fs.readFileSync('/proc/loadavg', 'utf8').trim();
      const patch = await patchRun(patchSeconds);
      const cpu1 = { server: await serverCpu(server), bench: selfCpu(), pg: await backendCpu(url) };
      const load1 = fs.readFileSync('/proc/loadavg', 'utf8').trim();
      const perPatchMs = (s: number) => Math.round((s / patch.requests.total) * 1e6) / 1e3;
      result.status_patch = {
        goal: '≥ 5,000/s with p99 ≤ 25 ms',
        connections: patchConnections,
        seconds: patchSeconds,
        requests: patch.requests.total,
        per_s: Math.round(patch.requests.average),
        non_2xx: patch.non2xx,
        errors: patch.errors,
        p50_ms: patch.latency.p50,
        p90_ms: patch.latency.p90,
        p99_ms: patch.latency.p99,
        max_ms: patch.latency.max,
        cpu_ms_per_patch: {
          server: perPatchMs(cpu1.server.cpu - cpu0.server.cpu),
          postgres_backends: perPatchMs(cpuDelta(cpu0.pg, cpu1.pg, 'client')),
          postgres_autovacuum: perPatchMs(cpuDelta(cpu0.pg, cpu1.pg, 'autovacuum')),
          postgres_wal_and_checkpoints_shared: perPatchMs(cpuDelta(cpu0.pg, cpu1.pg, 'server')),
          autocannon: perPatchMs(cpu1.bench - cpu0.bench),
        },
        status_batches: cpu1.server.batches - cpu0.server.batches,
        failed_batches: cpu1.server.failed - cpu0.server.failed,
        mean_batch: Math.round(
          (cpu1.server.items - cpu0.server.items) / Math.max(1, cpu1.server.batches - cpu0.server.batches),
        ),
        loadavg_before: load0,
        loadavg_after: load1,
      };
      console.error(`  status PATCH: ${JSON.stringify(result.status_patch)}`);
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  } finally {
    await handle.close();
    if (!process.env.BENCH_KEEP) await dropDatabase(baseUrl, url);
    else result.database_url = url;
  }
  return result;
}

/** `--serve <url> <port>`: the OCPI routes only, quiet logs, no rate limit in the way. */
async function serve(url: string, port: number): Promise<void> {
  const handle = await openDatabase({
    databaseUrl: url,
    dataDir: 'unused',
    poolSize: Number(process.env.BENCH_POOL ?? 16),
  });
  const ctx = createRoamingContext(handle.db, settings(port));
  if (process.env.BENCH_BATCH_CONCURRENCY) {
    // experiments: more status batches in flight at once
    ctx.evseStatus = new Batcher((changes) => applyEvseStatusChanges(handle.db, changes), {
      concurrency: Number(process.env.BENCH_BATCH_CONCURRENCY),
    });
  }
  const app = await buildApp({
    logLevel: 'warn',
    modules: [],
    rootModules: [ocpiRoutes(ctx)],
    bodyLimit: 10 * 1024 * 1024,
    ready: async () => ({ ok: true }),
  });
  await app.listen({ port, host: '127.0.0.1' });
  console.log('listening');
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ ...process.cpuUsage(), ...ctx.evseStatus.stats });
  });
  process.on('SIGTERM', () => {
    void app.close().then(() => handle.close().then(() => process.exit(0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--serve') await serve(process.argv[3]!, Number(process.argv[4]));
  else {
    const evses = process.argv[2] ? Number(process.argv[2]) : undefined;
    console.log(JSON.stringify(await run(evses ? { evses } : {}), null, 2));
  }
}
