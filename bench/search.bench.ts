// Station search at scale, on PostgreSQL: seeds a generated network of ~500,000 EVSEs into a fresh database, then
// measures (1) the repository's search calls (in-database time incl. the round trip) and (2) the HTTP API at a fixed
// 200 requests/s, evenly spaced (bench/open-loop.ts), the server running in a child process so it does not share the event loop.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/search.bench.ts [evses]
// (BENCH_KEEP=1 keeps the seeded database; BENCH_DATABASE_URL=<its url> measures it again without seeding;
// BENCH_ONLY=db or http measures one part.)
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { CITIES } from '../src/modules/network/core/demo-geography.ts';
import { generateDemoNetwork } from '../src/modules/network/core/demo-network.ts';
import { markerGrid } from '../src/modules/network/core/marker-grid.ts';
import { networkRoutes } from '../src/modules/network/index.ts';
import {
  clusteredMarkersJson,
  markerRows,
  pageConnectors,
  radiusBox,
  type SearchFilter,
  searchLocations,
  upsertLocations,
  upsertParties,
  upsertTariffs,
} from '../src/modules/network/network.repository.ts';
import { MARKER_CLUSTER_ABOVE } from '../src/modules/network/network.search.ts';
import { openDatabase, PREPARE } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import type { Database } from '../src/platform/db/schema.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { createDatabase, dropDatabase } from './databases.ts';
import { postgresCpuMs } from './measure.ts';
import { openLoop } from './open-loop.ts';

export interface SearchBenchOptions {
  databaseUrl?: string;
  /** EVSEs to seed (default 500,000). */
  evses?: number;
  seed?: number;
  /** Repository calls per query kind (default 300). */
  iterations?: number;
  /** HTTP load: requests per second and seconds per scenario. */
  rate?: number;
  durationSeconds?: number;
  /** Keep the database afterwards (its URL is printed). */
  keep?: boolean;
  /** Measure an already seeded database (a kept one) instead of creating and seeding a new one. */
  existingUrl?: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (n: number) => Math.round(n * 100) / 100;

/** Deterministic query points: city centres plus a little jitter. */
function* points(seed: number): Generator<{ lat: number; lon: number }> {
  let x = seed;
  const rnd = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
  const cities = CITIES.filter((c) => !c.island);
  for (;;) {
    const c = cities[Math.floor(rnd() * cities.length)]!;
    yield { lat: c.lat + (rnd() - 0.5) * 0.1, lon: c.lon + (rnd() - 0.5) * 0.15 };
  }
}

/** A city-level map viewport (~25 × 20 km) around a point. */
const viewport = (p: { lat: number; lon: number }) => ({
  minLon: p.lon - 0.18,
  minLat: p.lat - 0.09,
  maxLon: p.lon + 0.18,
  maxLat: p.lat + 0.09,
});
/** A box as the API's `bbox` parameter. */
const bboxParam = (b: { minLon: number; minLat: number; maxLon: number; maxLat: number }) =>
  [b.minLon, b.minLat, b.maxLon, b.maxLat].map((v) => v.toFixed(4)).join(',');
/** A region on a phone zoomed out to 6 (4.3° wide): several cities, what the network overview serves. */
const region = (p: { lat: number; lon: number }) => ({
  minLon: p.lon - 2.15,
  minLat: p.lat - 2.6,
  maxLon: p.lon + 2.15,
  maxLat: p.lat + 2.6,
});

/**
 * The zoom level a phone (a map 390 px wide) shows the viewport at: MapLibre's world is 512 · 2^zoom px wide.
 * For the ~0.36° wide city viewport: 9.6.
 */
const phoneZoom = (b: { minLon: number; maxLon: number }) =>
  Math.round(Math.log2((390 * 360) / (512 * (b.maxLon - b.minLon))) * 10) / 10;

/**
 * A Kysely whose every query runs as EXPLAIN (ANALYZE, TIMING OFF) and records the server's planning + execution time
 * (execution only for prepared statements); the repository functions then see empty results. TIMING OFF: the
 * statement's run time is still measured, but not each plan node's — those clock reads (two per row and node) added
 * 2.5–5 ms to an aggregation over a dense city's 6,500 rows, a third of its time.
 */
function explainingDb(url: string): { db: Kysely<Database>; times: number[] } {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const times: number[] = [];
  const explainingPool = {
    connect: async () => {
      const client = await pool.connect();
      return {
        query: async (text: string, params: unknown[]) => {
          const r = await client.query(`explain (analyze, timing off, format json) ${text}`, params);
          const plan = (r.rows[0] as { 'QUERY PLAN': { 'Planning Time': number; 'Execution Time': number }[] })[
            'QUERY PLAN'
          ][0];
          // A PREPARE-marked statement is planned once per connection in the app (a prepared statement with a
          // generic plan, ~0.05 ms to look up), so only its execution counts; others are planned every time.
          const planning = text.startsWith(PREPARE) ? 0 : (plan?.['Planning Time'] ?? 0);
          times.push(planning + (plan?.['Execution Time'] ?? 0));
          return { command: 'SELECT', rows: [], rowCount: 0 };
        },
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: explainingPool as unknown as pg.Pool }) }),
    times,
  };
}

export async function run(opts: SearchBenchOptions = {}): Promise<Record<string, unknown>> {
  const baseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!baseUrl)
    return { skipped: 'set DATABASE_URL to a PostgreSQL server (the bench creates and drops its own database)' };
  const targetEvses = opts.evses ?? 500_000;
  const seed = opts.seed ?? 42;
  const iterations = opts.iterations ?? 300;
  const rate = opts.rate ?? 200;
  const duration = opts.durationSeconds ?? 20;
  const url = opts.existingUrl ?? (await createDatabase(baseUrl, 'lataus_bench'));
  const handle = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 10 });
  const result: Record<string, unknown> = {
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      memory_gib: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      load_average_at_start: os.loadavg().map((l) => Math.round(l * 10) / 10),
    },
  };
  try {
    await migrate(handle);
    const db = handle.db;

    // ---- seed
    let t0 = performance.now();
    if (!opts.existingUrl) await seedNetwork();
    const counts = await sql<{ locations: string; evses: string }>`select (select count(*) from locations) as locations,
      (select count(*) from evses) as evses`.execute(db);
    result.network = counts.rows[0];
    async function seedNetwork() {
      const network = generateDemoNetwork({ seed, locations: Number.MAX_SAFE_INTEGER });
      await upsertParties(db, network.parties);
      await upsertTariffs(db, network.tariffs);
      let locations = 0;
      let evses = 0;
      for (const batch of network.batches(2000)) {
        const part = [];
        for (const l of batch) {
          if (evses >= targetEvses) break;
          part.push(l);
          evses += l.evses?.length ?? 0;
        }
        await upsertLocations(db, part);
        locations += part.length;
        if (locations % 20000 === 0) console.error(`  seeded ${locations} locations, ${evses} EVSEs`);
        if (evses >= targetEvses) break;
      }
      const seedSeconds = (performance.now() - t0) / 1000;
      // After a bulk load: order the table by position (nearby rows share pages), then fresh statistics.
      t0 = performance.now();
      await sql`cluster locations using locations_geo`.execute(db);
      await sql`vacuum analyze`.execute(db);
      const size = await sql<{ n: string }>`select pg_size_pretty(pg_database_size(current_database())) as n`.execute(
        db,
      );
      result.seed = {
        locations,
        evses,
        seconds: Math.round(seedSeconds),
        cluster_vacuum_seconds: Math.round((performance.now() - t0) / 1000),
        database_size: size.rows[0]?.n,
      };
      console.error(`  seed: ${JSON.stringify(result.seed)}`);
    }

    // ---- in-database: repository calls (SQL + one round trip), sequential
    type Kind = (p: { lat: number; lon: number }, on: Kysely<Database>) => Promise<unknown>;
    const kinds: Record<string, Kind> = {
      'nearby 10 km, page of 50': (p, on) =>
        searchLocations(on, { near: { ...p, radius_m: 10_000 } }, { limit: 50, offset: 0 }, { connectors: true }),
      'nearby 10 km, CCS >= 50 kW available': (p, on) =>
        searchLocations(
          on,
          { near: { ...p, radius_m: 10_000 }, standards: ['IEC_62196_T2_COMBO'], min_power_w: 50_000, available: true },
          { limit: 50, offset: 0 },
          { connectors: true },
        ),
      'bbox viewport, page of 50 from the centre': (p, on) =>
        searchLocations(on, { bbox: viewport(p) }, { limit: 50, offset: 0 }, { connectors: true }),
      'page aggregates, open_now path (connectors of 50 locations)': async (p, on) => {
        const { rows } = await searchLocations(db, { near: { ...p, radius_m: 10_000 } }, { limit: 50, offset: 0 });
        t0 = performance.now(); // time only the page query
        return pageConnectors(on, rows);
      },
      'markers, viewport': (p, on) => markerRows(on, { bbox: viewport(p) } satisfies SearchFilter, 20_001),
      'markers, viewport at a phone zoom (clusters, JSON built in SQL)': async (p, on) => {
        const b = viewport(p);
        const json = await clusteredMarkersJson(on, { bbox: b }, markerGrid(phoneZoom(b), b), MARKER_CLUSTER_ABOVE);
        return json ? (JSON.parse(json) as { clusters: unknown[] }).clusters : [];
      },
      'markers, a region at zoom 6 (live clustering: what the overview spares)': async (p, on) => {
        const b = region(p);
        const json = await clusteredMarkersJson(on, { bbox: b }, markerGrid(6, b), MARKER_CLUSTER_ABOVE);
        return json ? (JSON.parse(json) as { clusters: unknown[] }).clusters : [];
      },
    };
    const inDb: Record<string, unknown> = {};
    const explain = explainingDb(url);
    const only = process.env.BENCH_ONLY; // 'db' or 'http': one part only
    for (const [name, fn] of only === 'http' ? [] : Object.entries(kinds)) {
      const it = points(7);
      for (let i = 0; i < 20; i++) await fn(it.next().value as { lat: number; lon: number }, db); // warm-up
      const times: number[] = [];
      const rows: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const p = it.next().value as { lat: number; lon: number };
        t0 = performance.now();
        const r = (await fn(p, db)) as { rows?: unknown[]; total?: number } | unknown[];
        times.push(performance.now() - t0);
        rows.push(Array.isArray(r) ? r.length : (r.total ?? 0));
      }
      times.sort((a, b) => a - b);
      rows.sort((a, b) => a - b);
      // The same queries again under EXPLAIN ANALYZE: the server's own planning + execution time.
      const explained = points(7);
      for (let i = 0; i < 20; i++) explained.next();
      explain.times.length = 0;
      for (let i = 0; i < iterations; i++) await fn(explained.next().value as { lat: number; lon: number }, explain.db);
      const server = [...explain.times].sort((a, b) => a - b);
      inDb[name] = {
        call_p50_ms: ms(percentile(times, 50)),
        call_p99_ms: ms(percentile(times, 99)),
        server_p50_ms: ms(percentile(server, 50)),
        server_p99_ms: ms(percentile(server, 99)),
        median_matches: percentile(rows, 50),
      };
      console.error(`  ${name}: ${JSON.stringify(inDb[name])}`);
    }
    result.in_database = inDb;
    await explain.db.destroy();
    const box = radiusBox(52.52, 13.405, 10_000);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers off)
      select l.id from locations l where l.publish and l.evse_total > 0
      and l.geo <@ box(point(${box.minLon}::float8, ${box.minLat}::float8), point(${box.maxLon}::float8, ${box.maxLat}::float8))`.execute(
      db,
    );
    result.plan_bbox_berlin = plan.rows.map((r) => r['QUERY PLAN']);

    // ---- HTTP: server in a child process, an open-loop generator here at a fixed rate
    const port = 3390 + Math.floor(Math.random() * 100);
    const server = spawn(
      process.execPath,
      // The server runs with the V8 setting `npm start` uses.
      ['--max-semi-space-size=32', '--import', 'tsx', fileURLToPath(import.meta.url), '--serve', url, String(port)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
      server.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) resolve();
      });
    });
    try {
      const it = points(11);
      const pts = Array.from({ length: 200 }, () => it.next().value as { lat: number; lon: number });
      const scenarios: Record<string, string[]> = {
        // What this machine does with almost no work per request, measured in the same minutes: the floor under
        // the other scenarios' tails (the VM's wake-up and scheduling delays show here first).
        'control: GET /bench/select-1 (one trivial statement)': pts.map(() => '/api/v1/bench/select-1'),
        'GET /locations nearby (10 km, 50 items with prices)': pts.map(
          (p) => `/api/v1/locations?lat=${p.lat.toFixed(5)}&lon=${p.lon.toFixed(5)}`,
        ),
        'GET /locations nearby, filtered (CCS, >= 50 kW, available, 20 items)': pts.map(
          (p) =>
            `/api/v1/locations?lat=${p.lat.toFixed(5)}&lon=${p.lon.toFixed(5)}&standard=IEC_62196_T2_COMBO&min_power_kw=50&available=true&limit=20`,
        ),
        'GET /locations/markers (city viewport, zoom of a phone)': pts.map((p) => {
          const b = viewport(p);
          return `/api/v1/locations/markers?bbox=${bboxParam(b)}&zoom=${phoneZoom(b)}`;
        }),
        'GET /locations/markers (a region, zoom 6: the network overview)': pts.map((p) => {
          const b = region(p);
          return `/api/v1/locations/markers?bbox=${bboxParam(b)}&zoom=6`;
        }),
      };
      const http: Record<string, unknown> = {};
      const cpuMs = () =>
        new Promise<number>((resolve) => {
          const onData = (d: Buffer) => {
            const m = /cpu ([\d.]+)/.exec(d.toString());
            if (m) {
              server.stdout.off('data', onData);
              resolve(Number(m[1]));
            }
          };
          server.stdout.on('data', onData);
          server.kill('SIGUSR2');
        });
      for (const [name, paths] of only === 'db' ? [] : Object.entries(scenarios)) {
        // Warm-up, then the measured run: evenly spaced requests at the target rate (bench/open-loop.ts).
        const baseUrl = `http://127.0.0.1:${port}`;
        await openLoop({ baseUrl, paths, rate, durationSeconds: 3 });
        const cpuBefore = await cpuMs();
        const pgBefore = postgresCpuMs();
        const genBefore = process.cpuUsage();
        const r = await openLoop({ baseUrl, paths, rate, durationSeconds: duration });
        const gen = process.cpuUsage(genBefore);
        const perRequest = (cpu: number) => ms(cpu / Math.max(1, r.sent));
        http[name] = {
          ...r,
          server_cpu_ms_per_request: perRequest((await cpuMs()) - cpuBefore),
          // From /proc (10 ms ticks): every postgres process on the machine, and this process (the generator).
          postgres_cpu_ms_per_request: perRequest(postgresCpuMs() - pgBefore),
          generator_cpu_ms_per_request: perRequest((gen.user + gen.system) / 1000),
        };
        console.error(`  ${name}: ${JSON.stringify(http[name])}`);
      }
      result.http = http;
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  } finally {
    await handle.close();
    if (!opts.keep && !opts.existingUrl) await dropDatabase(baseUrl, url);
    else result.database_url = url;
  }
  result.load_average_at_end = os.loadavg().map((l) => Math.round(l * 10) / 10);
  return result;
}

/** `--serve <url> <port>`: the API with only the network routes, for the HTTP part of the bench. */
async function serve(url: string, port: number): Promise<void> {
  const handle = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 10 });
  const app = await buildApp({
    logLevel: 'warn',
    rateLimitMax: 1_000_000,
    modules: [
      networkRoutes({ db: handle.db }),
      // The control scenario: one trivial statement through the same pool and HTTP stack.
      async (app) => {
        app.get(
          '/bench/select-1',
          async () => (await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0],
        );
      },
    ],
    ready: async () => ({ ok: true }),
  });
  await app.listen({ port, host: '127.0.0.1' });
  console.log('listening');
  // The parent asks for the CPU time used so far, to report CPU milliseconds per request.
  process.on('SIGUSR2', () => {
    const u = process.cpuUsage();
    console.log(`cpu ${(u.user + u.system) / 1000}`);
  });
  process.on('SIGTERM', () => {
    void app.close().then(() => handle.close().then(() => process.exit(0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--serve') {
    await serve(process.argv[3] ?? '', Number(process.argv[4]));
  } else {
    const evses = process.argv[2] ? Number(process.argv[2]) : undefined;
    const existingUrl = process.env.BENCH_DATABASE_URL;
    console.log(JSON.stringify(await run({ evses, keep: process.env.BENCH_KEEP === '1', existingUrl }), null, 2));
  }
}
