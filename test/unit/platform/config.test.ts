import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/platform/config.ts';

describe('configuration', () => {
  it('has working defaults for a zero-setup start', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.SEED).toBe('demo');
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.adminTokenIsDefault).toBe(true);
  });

  it('names every bad variable and its value', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SEED: 'lots', PAYONE_API_URL: 'ftp://payone.example/' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT');
    expect(msg).toContain('"eighty"');
    expect(msg).toContain('DATABASE_URL');
    expect(msg).toContain('SEED');
    expect(msg).toContain('PAYONE_API_URL');
  });

  it('requires an admin token in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'a-long-secret' })).toThrow(/SESSION_SECRET/);
    const prod = loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'a-long-secret', SESSION_SECRET: 's'.repeat(32) });
    expect(prod.adminTokenIsDefault).toBe(false);
  });
});
