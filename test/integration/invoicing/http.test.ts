// The invoicing HTTP API through the real app (inject): PDF by download token or admin token, admin list/detail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvoicingModule, linesFromPricedSession } from '../../../src/modules/invoicing/index.ts';
import { loadConfig } from '../../../src/platform/config.ts';
import { type App, buildApp } from '../../../src/platform/http/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { samplePricedSession } from '../../unit/invoicing/sample.ts';

const ADMIN = 'test-admin-token';
let db: TestDatabase;
let app: App;
let number: string;
let token: string;
let creditNumber: string;

beforeAll(async () => {
  db = await openTestDatabase();
  const config = loadConfig({ ADMIN_TOKEN: ADMIN, PUBLIC_URL: 'https://lataus.example' });
  const invoicing = createInvoicingModule({ db: db.db, config, clock: () => new Date('2026-03-14T18:20:11Z') });
  app = await buildApp({ logLevel: 'silent', modules: [invoicing.routes], ready: async () => ({ ok: true }) });
  const { result } = samplePricedSession();
  const r = await db.db.transaction().execute((trx) =>
    invoicing.issue(trx, {
      buyer: { email: 'driver@example.org' },
      lines: linesFromPricedSession(result),
      currency: 'EUR',
      price_proof: { proof: result.breakdown },
    }),
  );
  if (!r.ok) throw new Error(r.error.message);
  number = r.invoice.number;
  token = r.download_token;
  expect(invoicing.receiptUrl(number, token)).toBe(
    `https://lataus.example/api/v1/invoices/${number}.pdf?token=${token}`,
  );
  const c = await db.db.transaction().execute((trx) => invoicing.issueCreditNote(trx, number));
  if (!c.ok) throw new Error(c.error.message);
  creditNumber = c.invoice.number;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const auth = { authorization: `Bearer ${ADMIN}` };

describe('GET /api/v1/invoices/:number.pdf', () => {
  it('serves the PDF to the holder of the download token', async () => {
    const res = await app.inject(`/api/v1/invoices/${number}.pdf?token=${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="${number}.pdf"`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.includes(Buffer.from(`(Invoice ${number})`))).toBe(true); // the document title
  });

  it('answers 404 — not 401/403 — to a wrong, missing or another invoice’s token, and for unknown numbers', async () => {
    const other = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const url of [
      `/api/v1/invoices/${number}.pdf?token=${other}`,
      `/api/v1/invoices/${number}.pdf`,
      `/api/v1/invoices/${creditNumber}.pdf?token=${token}`,
      `/api/v1/invoices/LAT-1999-000001.pdf?token=${token}`,
      `/api/v1/invoices/..%2Fetc.pdf?token=${token}`,
    ]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });

  it('serves any invoice to the admin bearer token; a wrong bearer token is 401', async () => {
    const res = await app.inject({ url: `/api/v1/invoices/${creditNumber}.pdf`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const bad = await app.inject({
      url: `/api/v1/invoices/${number}.pdf?token=${token}`,
      headers: { authorization: 'Bearer nope-nope' },
    });
    expect(bad.statusCode).toBe(401);
    const unknown = await app.inject({ url: '/api/v1/invoices/LAT-1999-000001.pdf', headers: auth });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('admin API', () => {
  it('lists invoices by invoice-date period and kind (admin only)', async () => {
    expect((await app.inject('/api/v1/admin/invoices')).statusCode).toBe(401);
    const all = await app.inject({ url: '/api/v1/admin/invoices', headers: auth });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ total: 2 });
    const period = await app.inject({
      url: '/api/v1/admin/invoices?from=2026-03-01&to=2026-03-31&kind=invoice',
      headers: auth,
    });
    expect(period.json().invoices).toEqual([
      {
        number,
        kind: 'invoice',
        references_number: null,
        issued_at: '2026-03-14T18:20:11.000Z',
        issue_date: '2026-03-14',
        currency: 'EUR',
        buyer_email: 'driver@example.org',
        session_ref: null,
        totals: { net: 891, vat: 109, gross: 1000 },
      },
    ]);
    const april = await app.inject({ url: '/api/v1/admin/invoices?from=2026-04-01', headers: auth });
    expect(april.json()).toEqual({ total: 0, invoices: [] });
    const bad = await app.inject({ url: '/api/v1/admin/invoices?from=2026-3-1', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const reversed = await app.inject({ url: '/api/v1/admin/invoices?from=2026-04-01&to=2026-03-01', headers: auth });
    expect(reversed.statusCode).toBe(400);
  });

  it('shows one invoice with lines, VAT groups and totals; the proof on request', async () => {
    const res = await app.inject({ url: `/api/v1/admin/invoices/${creditNumber}`, headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ number: creditNumber, kind: 'credit_note', references_number: number });
    expect(body.totals).toEqual({ net: -891, vat: -109, gross: -1000 });
    expect(body.lines[1]).toMatchObject({ description: 'Energy', quantity: '-27.65', unit: 'kWh', net: '-6.9125' });
    expect(body.price_proof).toBeUndefined();
    const withProof = await app.inject({ url: `/api/v1/admin/invoices/${number}?proof=true`, headers: auth });
    expect(withProof.json().price_proof).toMatchObject({ time_zone: 'Europe/Berlin' });
    expect((await app.inject({ url: '/api/v1/admin/invoices/LAT-1999-000001', headers: auth })).statusCode).toBe(404);
    expect((await app.inject(`/api/v1/admin/invoices/${number}`)).statusCode).toBe(401);
  });
});
