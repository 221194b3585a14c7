// The CLI entry as other engineers run it: a child process, configured by flags, stopped by SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { callApi, preauthParams } from './helpers.ts';

describe('npm run sim:payone', () => {
  it('starts from flags, answers the Server API, and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'simulators/payone/main.ts', '--port', '0', '--no-notify', '--quiet'],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const until = Date.now() + 30_000;
    while (!/listening on (http:\/\/\S+) /.test(output)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`simulator did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (http:\/\/\S+) /.exec(output)![1]!;
    const res = await callApi(`${url}/post-gateway/`, preauthParams());
    expect(res.fields.get('status')).toBe('APPROVED');
    const state = (await (await fetch(`${url}/__sim/state`)).json()) as { notifications: Array<{ status: string }> };
    expect(state.notifications.map((n) => n.status)).toEqual(['skipped']);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toContain('SIGTERM, stopping');
  });

  it('rejects unknown flags with exit code 2 and the usage text', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulators/payone/main.ts', '--bogus'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: npm run sim:payone');
  });
});
