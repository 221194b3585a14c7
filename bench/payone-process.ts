// The PAYONE simulator as a child process for the benchmarks (its CPU is then not counted as Lataus's). Resolves once
// it answers; `close` stops it (SIGINT when profiling, so --cpu-prof writes its profile on a clean exit).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../test/helpers/net.ts';

export interface PayoneProcess {
  url: string;
  /** The Server API endpoint (PAYONE_API_URL). */
  apiUrl: string;
  pid: number;
  close(): Promise<void>;
}

export async function startPayoneProcess(opts: {
  notifyUrl: string;
  /** Further simulator flags (delays, notification schedule). */
  args?: string[];
  /** A V8 CPU profile of the simulator goes here. */
  cpuProfDir?: string | undefined;
}): Promise<PayoneProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
      '--import',
      'tsx',
      path.join(import.meta.dirname, '../simulators/payone/main.ts'),
      '--port',
      String(port),
      '--quiet',
      '--notify-url',
      opts.notifyUrl,
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/__sim/state`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 100) {
      child.kill('SIGTERM');
      throw new Error('the PAYONE simulator process did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    apiUrl: `${url}/post-gateway/`,
    pid: child.pid!,
    close: async () => {
      child.kill(opts.cpuProfDir ? 'SIGINT' : 'SIGTERM');
      await exited;
    },
  };
}
