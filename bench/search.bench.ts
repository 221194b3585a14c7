// Station search at scale, on PostgreSQL: seeds a generated network of ~500,000 EVSEs into a fresh database, then
// measures (1) the repository's search calls (in-database time incl. the round trip) and (2) the HTTP API at a fixed
// 200 requests/s with autocannon, the server running in a child process so it does not share the event loop.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/search.bench.ts [evses]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { CITIES } from '../src/modules/network/core/demo-geography.ts';
import { generateDemoNetwork } from '../src/modules/network/core/demo-network.ts';
import { networkRoutes } from '../src/modules/network/index.ts';
import {
  markerRows,
  pageConnectors,
  radiusBox,
  type SearchFilter,
  searchLocations,
  upsertLocations,
  upsertParties,
  upsertTariffs,
} from '../src/modules/network/network.repository.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { buildApp } from '../src/platform/http/app.ts';

interface Histogram {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  average: number;
  total: number;
}
// autocannon ships no type declarations; this is the part used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  overallRate: number;
  requests: { path: string }[];
}) => Promise<{ latency: Histogram; requests: Histogram; throughput: Histogram; non2xx: number; errors: number }>;

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

async function createDatabase(baseUrl: string): Promise<string> {
  const name = `lataus_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(baseUrl: string, url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
  await admin.end();
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
  const url = await createDatabase(baseUrl);
  const handle = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 10 });
  const result: Record<string, unknown> = {
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      memory_gib: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
  };
  try {
    await migrate(handle);
    const db = handle.db;

    // ---- seed
    let t0 = performance.now();
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
    await sql`analyze`.execute(db);
    const seedSeconds = (performance.now() - t0) / 1000;
    const size = await sql<{ n: string }>`select pg_size_pretty(pg_database_size(current_database())) as n`.execute(db);
    result.seed = { locations, evses, seconds: Math.round(seedSeconds), database_size: size.rows[0]?.n };
    console.error(`  seed: ${JSON.stringify(result.seed)}`);

    // ---- in-database: repository calls (SQL + one round trip), sequential
    const kinds: Record<string, (p: { lat: number; lon: number }) => Promise<unknown>> = {
      'nearby 10 km, page of 50': (p) =>
        searchLocations(db, { near: { ...p, radius_m: 10_000 } }, { limit: 50, offset: 0 }),
      'nearby 10 km, CCS >= 50 kW available': (p) =>
        searchLocations(
          db,
          { near: { ...p, radius_m: 10_000 }, standards: ['IEC_62196_T2_COMBO'], min_power_w: 50_000, available: true },
          { limit: 50, offset: 0 },
        ),
      'bbox viewport, page of 50 by name': (p) => searchLocations(db, { bbox: viewport(p) }, { limit: 50, offset: 0 }),
      'page aggregates (connectors of 50 locations)': async (p) => {
        const { rows } = await searchLocations(db, { near: { ...p, radius_m: 10_000 } }, { limit: 50, offset: 0 });
        t0 = performance.now(); // time only the page query
        return pageConnectors(db, rows);
      },
      'markers, viewport': (p) => markerRows(db, { bbox: viewport(p) } satisfies SearchFilter, 20_001),
    };
    const inDb: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(kinds)) {
      const it = points(7);
      for (let i = 0; i < 20; i++) await fn(it.next().value as { lat: number; lon: number }); // warm-up
      const times: number[] = [];
      const rows: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const p = it.next().value as { lat: number; lon: number };
        t0 = performance.now();
        const r = (await fn(p)) as { rows?: unknown[]; total?: number } | unknown[];
        times.push(performance.now() - t0);
        rows.push(Array.isArray(r) ? r.length : (r.total ?? 0));
      }
      times.sort((a, b) => a - b);
      rows.sort((a, b) => a - b);
      inDb[name] = {
        p50_ms: ms(percentile(times, 50)),
        p99_ms: ms(percentile(times, 99)),
        max_ms: ms(times.at(-1) ?? 0),
        median_matches: percentile(rows, 50),
      };
      console.error(`  ${name}: ${JSON.stringify(inDb[name])}`);
    }
    result.in_database = inDb;
    const box = radiusBox(52.52, 13.405, 10_000);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers off)
      select l.id from locations l where l.publish and l.evse_total > 0
      and l.geo <@ box(point(${box.minLon}::float8, ${box.minLat}::float8), point(${box.maxLon}::float8, ${box.maxLat}::float8))`.execute(
      db,
    );
    result.plan_bbox_berlin = plan.rows.map((r) => r['QUERY PLAN']);

    // ---- HTTP: server in a child process, autocannon here at a fixed overall rate
    const port = 3390 + Math.floor(Math.random() * 100);
    const server = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', url, String(port)],
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
        'GET /locations nearby (10 km, 50 items with prices)': pts.map(
          (p) => `/api/v1/locations?lat=${p.lat.toFixed(5)}&lon=${p.lon.toFixed(5)}`,
        ),
        'GET /locations nearby, filtered (CCS, >= 50 kW, available, 20 items)': pts.map(
          (p) =>
            `/api/v1/locations?lat=${p.lat.toFixed(5)}&lon=${p.lon.toFixed(5)}&standard=IEC_62196_T2_COMBO&min_power_kw=50&available=true&limit=20`,
        ),
        'GET /locations/markers (city viewport)': pts.map((p) => {
          const b = viewport(p);
          return `/api/v1/locations/markers?bbox=${[b.minLon, b.minLat, b.maxLon, b.maxLat].map((v) => v.toFixed(4)).join(',')}`;
        }),
      };
      const http: Record<string, unknown> = {};
      for (const [name, paths] of Object.entries(scenarios)) {
        // Warm-up, then the measured run.
        await autocannon({
          url: `http://127.0.0.1:${port}`,
          connections: 10,
          duration: 3,
          overallRate: rate,
          requests: paths.map((path) => ({ path })),
        });
        const r = await autocannon({
          url: `http://127.0.0.1:${port}`,
          connections: 20,
          duration,
          overallRate: rate,
          requests: paths.map((path) => ({ path })),
        });
        http[name] = {
          rate_per_s: rate,
          requests: r.requests.total,
          non_2xx: r.non2xx,
          errors: r.errors,
          p50_ms: r.latency.p50,
          p90_ms: r.latency.p90,
          p99_ms: r.latency.p99,
          max_ms: r.latency.max,
          avg_kib: Math.round(r.throughput.average / Math.max(1, r.requests.average) / 102.4) / 10,
        };
        console.error(`  ${name}: ${JSON.stringify(http[name])}`);
      }
      result.http = http;
    } finally {
      server.kill('SIGTERM');
    }
  } finally {
    await handle.close();
    if (!opts.keep) await dropDatabase(baseUrl, url);
    else result.database_url = url;
  }
  return result;
}

/** `--serve <url> <port>`: the API with only the network routes, for the HTTP part of the bench. */
async function serve(url: string, port: number): Promise<void> {
  const handle = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 10 });
  const app = await buildApp({
    logLevel: 'warn',
    rateLimitMax: 1_000_000,
    modules: [networkRoutes({ db: handle.db })],
    ready: async () => ({ ok: true }),
  });
  await app.listen({ port, host: '127.0.0.1' });
  console.log('listening');
  process.on('SIGTERM', () => {
    void app.close().then(() => handle.close().then(() => process.exit(0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--serve') {
    await serve(process.argv[3] ?? '', Number(process.argv[4]));
  } else {
    const evses = process.argv[2] ? Number(process.argv[2]) : undefined;
    console.log(JSON.stringify(await run({ evses, keep: process.env.BENCH_KEEP === '1' }), null, 2));
  }
}
