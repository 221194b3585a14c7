import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../../src/platform/db/lockfile.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lataus-lock-'));

describe('data folder lock', () => {
  it('refuses a second holder while the first is alive, with a clear error', async () => {
    const dir = tmp();
    // Another live process holds the lock.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    fs.writeFileSync(path.join(dir, 'lataus.lock'), String(other.pid));
    try {
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(/in use by another Lataus process/);
    } finally {
      other.kill();
    }
  });

  it('takes over a stale lock of a process that is gone, and releases it', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'lataus.lock'), '999999999');
    const release = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'lataus.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(fs.existsSync(path.join(dir, 'lataus.lock'))).toBe(false);
  });
});
