import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { AppError } from '../../../src/platform/http/errors.ts';

const echo: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/echo', { schema: { querystring: z.object({ n: z.coerce.number().int().min(1).max(10) }) } }, async (req) => ({
    n: req.query.n,
  }));
  r.post('/echo', { schema: { body: z.object({ name: z.string().min(1) }) } }, async (req) => req.body);
  r.get('/missing', async () => {
    throw new AppError('NOT_FOUND', 'Location X does not exist', { id: 'X' });
  });
  r.get('/boom', async () => {
    throw new Error('secret internals');
  });
};

describe('HTTP platform', () => {
  let app: App;
  const web = fs.mkdtempSync(path.join(os.tmpdir(), 'lataus-web-'));
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Lataus</title>');
  let ready = false;

  beforeAll(async () => {
    app = await buildApp({
      logLevel: 'silent',
      modules: [echo],
      bodyLimit: 1024,
      rateLimitMax: 50,
      staticRoot: web,
      ready: async () => (ready ? { ok: true } : { ok: false, detail: 'seeding' }),
    });
  });
  afterAll(() => app.close());

  const isProblem = (res: { headers: Record<string, unknown>; json(): Record<string, unknown> }, code: string) => {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body.code).toBe(code);
    expect(body).toHaveProperty('title');
    expect(body).toHaveProperty('detail');
    expect(body).toHaveProperty('request_id');
    return body;
  };

  it('validates query parameters and names the bad one', async () => {
    const res = await app.inject({ url: '/api/v1/echo?n=99' });
    expect(res.statusCode).toBe(400);
    const body = isProblem(res, 'VALIDATION_FAILED');
    expect(String(body.detail)).toContain('n');
    expect(body.errors).toEqual([expect.objectContaining({ path: 'n' })]);
    expect((await app.inject({ url: '/api/v1/echo?n=3' })).json()).toEqual({ n: 3 });
  });

  it('maps expected failures, unknown routes, bad JSON and oversized bodies to problem+json', async () => {
    const nf = await app.inject({ url: '/api/v1/missing' });
    expect(nf.statusCode).toBe(404);
    expect(isProblem(nf, 'NOT_FOUND').id).toBe('X');
    expect((await app.inject({ url: '/api/v1/nope' })).statusCode).toBe(404);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(bad.statusCode).toBe(400);
    isProblem(bad, 'BAD_REQUEST');
    const big = await app.inject({ method: 'POST', url: '/api/v1/echo', payload: { name: 'x'.repeat(2000) } });
    expect(big.statusCode).toBe(413);
    isProblem(big, 'PAYLOAD_TOO_LARGE');
  });

  it('never leaks internals of unexpected errors', async () => {
    const res = await app.inject({ url: '/api/v1/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internals');
    isProblem(res, 'INTERNAL');
  });

  it('echoes the caller request id, or makes one', async () => {
    const res = await app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect((await app.inject({ url: '/health' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is ready only when the readiness check says so', async () => {
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
  });

  it('serves the web app for client-side routes (deep links) but not for unknown API paths', async () => {
    const deep = await app.inject({ url: '/stations/LOC1' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<title>Lataus</title>');
    expect((await app.inject({ url: '/api/v1/stations/LOC1' })).headers['content-type']).toMatch(/problem\+json/);
  });

  it('publishes an OpenAPI document and its UI', async () => {
    const doc = (await app.inject({ url: '/api/docs/json' })).json();
    expect(doc.paths['/api/v1/echo']).toBeDefined();
    expect((await app.inject({ url: '/api/docs/' })).statusCode).toBe(200);
  });

  it('limits the request rate with 429 problem+json', async () => {
    let last = 0;
    let res: Awaited<ReturnType<App['inject']>> | undefined;
    for (let i = 0; i < 60 && last !== 429; i++) {
      res = await app.inject({ url: '/api/v1/echo?n=1' });
      last = res.statusCode;
    }
    expect(last).toBe(429);
    isProblem(res!, 'RATE_LIMITED');
  });
});
