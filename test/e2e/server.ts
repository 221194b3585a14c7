// Starting what the browser tests talk to: a fresh build of the web app and the real server on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/net.ts';

// Vite's build sets NODE_ENV=production in this process; the server must get the value the caller gave.
const callerNodeEnv = process.env.NODE_ENV;

/** Builds the web app into a fresh folder so the test never runs against a stale dist-web. */
export async function buildWeb(): Promise<string> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'lataus-e2e-web-'));
  const { build } = await import('vite');
  await build({
    configFile: path.resolve('vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export async function waitForReady(baseUrl: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${baseUrl}/ready`);
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server not ready after ${timeoutMs} ms (${last})`);
}

export interface StartedServer {
  baseUrl: string;
  stop(): Promise<void>;
  log(): string;
}

/** `node --import tsx src/main.ts` with a fresh DATA_DIR; the server seeds its demo network on first start. */
export async function startServer(
  staticRoot: string,
  opts: { port?: number; env?: Record<string, string> } = {},
): Promise<StartedServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lataus-e2e-data-'));
  const output: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (callerNodeEnv === undefined) delete env.NODE_ENV;
  else env.NODE_ENV = callerNodeEnv;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      STATIC_ROOT: staticRoot,
      BUILD_WEB: 'false',
      LOG_LEVEL: process.env.E2E_SERVER_LOG_LEVEL ?? 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForReady(baseUrl, Number(process.env.E2E_READY_TIMEOUT_MS ?? 180_000), child);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- server output ---\n${output.join('')}`);
  }
  return { baseUrl, stop, log: () => output.join('') };
}

export { freePort };
