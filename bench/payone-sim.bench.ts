// PAYONE simulator benchmark: how much CPU the simulator process spends per Server API request and per
// TransactionStatus delivered. The payments and charging benchmarks run the simulator on the same machine as
// Lataus and PostgreSQL, so every ms it spends is taken from what they measure.
//
// `node --import tsx bench/payone-sim.bench.ts` (or `npm run bench -- payone-sim`). PAIRS (default 1000) and
// CONCURRENCY (default 16) set the load; SIM_CPU_PROF=<dir> runs the simulator with --cpu-prof into <dir>.
//
// The simulator runs as a child process with the payments benchmark's settings; a node:http server in this process
// answers TSOK to its notifications. Three phases, each measured from /proc/<pid>/stat (utime + stime of the
// simulator process, clock ticks):
//   1. mixed: N preauthorization + capture pairs with notifications flowing (3 per pair: appointed, capture,
//      paid), as in the payments benchmark;
//   2. api: N pairs with notifications paused (API requests, bookkeeping and settlement timers only);
//   3. notify: the 3·N notifications queued in phase 2 delivered after un-pausing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { md5Hex } from '../simulators/payone/core/keys.ts';
import { cpuMsOf } from './measure.ts';
import { startPayoneProcess } from './payone-process.ts';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: string, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function fieldsOf(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) m.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(opts: { pairs?: number; concurrency?: number } = {}) {
  const pairs = opts.pairs ?? Number(process.env.PAIRS ?? 1000);
  const concurrency = opts.concurrency ?? Number(process.env.CONCURRENCY ?? 16);

  // The merchant: TSOK to every notification.
  let received = 0;
  const merchant = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('TSOK');
    });
  });
  await new Promise<void>((r) => merchant.listen(0, '127.0.0.1', r));
  const notifyUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/payone/transaction-status`;

  const sim = await startPayoneProcess({
    notifyUrl,
    args: ['--paid-delay', '200ms'],
    cpuProfDir: process.env.SIM_CPU_PROF,
  });
  const simUrl = sim.url;
  const pid = sim.pid;
  const setFaults = (f: Record<string, unknown>) =>
    post(`${simUrl}/__sim/faults`, JSON.stringify(f), 'application/json');
  await setFaults({ latencyMs: 0 }); // startPayoneProcess waited until it answers

  const standard = {
    mid: '10000',
    aid: '10001',
    portalid: '2000000',
    key: md5Hex('lataus-sim-portal-key'),
    mode: 'test',
    api_version: '3.11',
    encoding: 'UTF-8',
    solution_name: 'lataus',
  };
  const apiUrl = `${simUrl}/post-gateway/`;
  const formType = 'application/x-www-form-urlencoded; charset=UTF-8';
  let seq = 0;
  const runId = Date.now().toString(36);
  const pair = async () => {
    const reference = `b${runId}${(seq++).toString(36)}`;
    const pre = await post(
      apiUrl,
      new URLSearchParams({
        request: 'preauthorization',
        ...standard,
        clearingtype: 'cc',
        reference,
        amount: '5000',
        currency: 'EUR',
        pseudocardpan: '9410010000000411111',
        lastname: 'Lataus customer',
        country: 'DE',
        customerid: `cust-${seq % 50}`,
      }).toString(),
      formType,
    );
    const f = fieldsOf(pre.text);
    if (f.get('status') !== 'APPROVED') throw new Error(`preauthorization: ${pre.text}`);
    const cap = await post(
      apiUrl,
      new URLSearchParams({
        request: 'capture',
        ...standard,
        txid: f.get('txid')!,
        sequencenumber: '1',
        amount: '4230',
        currency: 'EUR',
        capturemode: 'completed',
      }).toString(),
      formType,
    );
    if (fieldsOf(cap.text).get('status') !== 'APPROVED') throw new Error(`capture: ${cap.text}`);
  };
  const pairsConcurrently = async (n: number) => {
    let left = n;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left > 0) {
          left--;
          await pair();
        }
      }),
    );
  };
  const waitForNotifications = async (count: number) => {
    const until = Date.now() + 120_000;
    while (received < count) {
      if (Date.now() > until) throw new Error(`only ${received} of ${count} notifications arrived`);
      await sleep(20);
    }
  };

  // Warm-up (JIT, connections), not measured.
  await pairsConcurrently(200);
  await waitForNotifications(600);
  await sleep(300);

  // 1. mixed
  let expected = received + 3 * pairs;
  let cpu0 = cpuMsOf(pid);
  let t0 = performance.now();
  await pairsConcurrently(pairs);
  await waitForNotifications(expected);
  const mixedCpu = cpuMsOf(pid) - cpu0;
  const mixedWall = performance.now() - t0;

  // 2. api only (notifications held back; settlement timers fire and queue the paid notifications)
  await setFaults({ notificationsPaused: true });
  await sleep(300);
  cpu0 = cpuMsOf(pid);
  t0 = performance.now();
  await pairsConcurrently(pairs);
  const apiWall = performance.now() - t0;
  await sleep(400); // paid delay (200 ms): every settlement has run
  const apiCpu = cpuMsOf(pid) - cpu0;

  // 3. notifications only
  expected = received + 3 * pairs;
  cpu0 = cpuMsOf(pid);
  t0 = performance.now();
  await setFaults({ notificationsPaused: false });
  await waitForNotifications(expected);
  const notifyCpu = cpuMsOf(pid) - cpu0;
  const notifyWall = performance.now() - t0;

  await sim.close();
  await new Promise((r) => merchant.close(r));
  agent.destroy();

  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    pairs,
    concurrency,
    clock_tick_ms: 10,
    mixed: {
      sim_cpu_ms: mixedCpu,
      cpu_ms_per_pair: round(mixedCpu / pairs),
      cpu_ms_per_operation: round(mixedCpu / (2 * pairs)),
      wall_ms: Math.round(mixedWall),
    },
    api_only: {
      sim_cpu_ms: apiCpu,
      cpu_ms_per_request: round(apiCpu / (2 * pairs)),
      pairs_per_s: Math.round((pairs * 1000) / apiWall),
    },
    notifications_only: {
      sim_cpu_ms: notifyCpu,
      cpu_ms_per_notification: round(notifyCpu / (3 * pairs)),
      per_s: Math.round((3 * pairs * 1000) / notifyWall),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
