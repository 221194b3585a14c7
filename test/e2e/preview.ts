// Screenshots of the driver pages with canned API answers, for checking the look without a backend:
// `node --import tsx test/e2e/preview.ts` builds the web app and serves it and the fake API through Playwright's
// request routing (no server). Screenshots go to test-results/preview/.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page, type Route } from 'playwright-core';
import { buildWeb } from './server.ts';

const origin = 'http://lataus.preview';
const out = path.resolve('test-results/preview');

const price = {
  currency: 'EUR',
  tariff_id: 'T1',
  energy_per_kwh: { excl_vat: '0.4500', incl_vat: '0.5355', vat: '19' },
  time_per_hour: null,
  flat: { excl_vat: '0.84', incl_vat: '1.00', vat: '19' },
  parking_per_hour: { excl_vat: '5.04', incl_vat: '6.00', vat: '19' },
  min_price: null,
  max_price: null,
  varies: ['time_of_day'],
  alt_text: null,
};
const offer = {
  evse: {
    evse_id: 'DE*SIM*E000001*1',
    status: 'AVAILABLE',
    connectors: [
      { id: '1', standard: 'IEC_62196_T2', power_type: 'AC_3_PHASE', max_power_kw: 22 },
      { id: '2', standard: 'IEC_62196_T2_COMBO', power_type: 'DC', max_power_kw: 150 },
    ],
  },
  location: {
    id: 'L1',
    name: 'Marktplatz Süd',
    address: 'Marktplatz 3',
    city: 'Musterstadt',
    time_zone: 'Europe/Berlin',
  },
  price,
  markup: { percent: '10', fee: { excl_vat: '0.42', incl_vat: '0.50', vat: '19' } },
  estimate: {
    assumption: 'Assuming 30 kWh in 1 hour at 22 kW, started now.',
    total: { excl_vat: '13.58', incl_vat: '16.16' },
    lines: ['Energy 30 kWh × 0,5891 € = 17,67 €', 'Start fee 1,10 €', 'Service fee 0,50 €'],
  },
  hold: { amount_minor: 5000, currency: 'EUR' },
  can_start: true,
  reason: null,
};
const charge = (status: string, extra: Record<string, unknown> = {}) => ({
  id: '6f1c2a8e-0c55-4f7e-9a51-5a4f0e1f2b3c',
  status,
  status_text: null,
  failure_reason: null,
  evse_id: 'DE*SIM*E000001*1',
  connector_id: '1',
  location_name: 'Marktplatz Süd',
  address: 'Marktplatz 3, Musterstadt',
  started_at: new Date(Date.now() - 754_000).toISOString(),
  stopped_at: null,
  kwh: '4.312',
  duration_s: 754,
  cost_so_far: { incl_vat: '3.41', currency: 'EUR', at_least: true },
  final: null,
  payment: { state: 'pre_authorized', held_minor: 5000, captured_minor: 0 },
  receipt_url: null,
  pay_again_url: null,
  updated_at: new Date().toISOString(),
  ...extra,
});
const paid = charge('PAID', {
  stopped_at: new Date().toISOString(),
  kwh: '18.204',
  duration_s: 3120,
  cost_so_far: null,
  final: { excl_vat: '10.13', incl_vat: '12.06', currency: 'EUR' },
  payment: { state: 'paid', held_minor: 0, captured_minor: 1206 },
  receipt_url: '/api/v1/invoices/x.pdf',
});
const failed = charge('FAILED', {
  failure_reason: 'Your bank declined the card (authorization declined). Nothing was charged.',
  kwh: '0',
  duration_s: 0,
  cost_so_far: null,
  payment: null,
  started_at: null,
});
const paymentFailed = charge('PAYMENT_FAILED', {
  stopped_at: new Date().toISOString(),
  kwh: '9.1',
  final: { excl_vat: '5.10', incl_vat: '6.07', currency: 'EUR' },
  cost_so_far: null,
  failure_reason: 'The card was declined when we took the payment.',
  pay_again_url: '/pay-again/x',
  payment: { state: 'failed', held_minor: 0, captured_minor: 0 },
});

let current: unknown = charge('CHARGING');
let signedIn = false;

const api: Record<string, () => unknown> = {
  'GET /api/v1/config': () => ({ map_style_url: null, admin_token_hint: 'x', currency_locale: 'de-DE' }),
  'GET /api/v1/charge/': () => offer,
  'GET /api/v1/charges/': () => current,
  'GET /api/v1/me': () =>
    signedIn ? { driver_id: 'd', email: 'erika@example.org', name: 'Erika', created_at: '' } : null,
  'GET /api/v1/me/cards': () => ({
    items: [
      { id: 'c1', masked_pan: '550000XXXXXX0004', brand: 'M', expiry: '3012', is_default: true, created_at: '' },
      { id: 'c2', masked_pan: '411111XXXXXX1111', brand: 'V', expiry: '2811', is_default: false, created_at: '' },
    ],
  }),
  'GET /api/v1/me/virtual-card': () => ({
    uid: 'LAT0000A1B2',
    contract_id: 'DE-LAT-C0000A1B2-7',
    type: 'APP_USER',
    valid: true,
    pushed_to: ['CPO simulator'],
  }),
  'GET /api/v1/me/charges': () => ({ items: [charge('CHARGING'), paid, paymentFailed, failed] }),
};

async function handle(route: Route, webRoot: string): Promise<void> {
  const url = new URL(route.request().url());
  const key = `${route.request().method()} ${url.pathname}`;
  if (url.pathname.startsWith('/api/')) {
    const match = Object.keys(api)
      .filter((k) => key === k || (k.endsWith('/') && key.startsWith(k)))
      .sort((a, b) => b.length - a.length)[0];
    const body = match ? api[match]!() : null;
    if (body === null)
      return route.fulfill({ status: 401, contentType: 'application/json', body: '{"title":"no","status":401}' });
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  }
  const file = path.join(webRoot, url.pathname === '/' ? 'index.html' : url.pathname);
  try {
    const body = await readFile(file);
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : undefined;
    return route.fulfill({ status: 200, body, ...(type ? { contentType: type } : {}) });
  } catch {
    return route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: await readFile(path.join(webRoot, 'index.html')),
    });
  }
}

async function shot(page: Page, name: string, url: string, wait: string): Promise<void> {
  await page.goto(`${origin}${url}`);
  await page.getByTestId(wait).first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
}

async function main() {
  await mkdir(out, { recursive: true });
  const webRoot = await buildWeb();
  const userDir = await mkdtemp(path.join(os.tmpdir(), 'lataus-preview-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
    viewport: { width: 390, height: 844 },
    locale: 'en-GB',
  });
  try {
    await ctx.route('**/*', (r) => handle(r, webRoot));
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.log('page error:', e.message));
    await shot(page, 'start', '/c/DE*SIM*E000001*1', 'charge-price');
    await shot(
      page,
      'start-card',
      '/c/DE*SIM*E000001*1?pseudocardpan=9410010000000411111&truncatedcardpan=411111XXXXXX1111&cardtype=V&cardexpiredate=3012',
      'card-chosen',
    );
    current = charge('CHARGING');
    await shot(page, 'live', '/charges/x?t=y', 'charge-kwh');
    current = charge('CDR_PENDING', { stopped_at: new Date().toISOString() });
    await shot(page, 'cdr-pending', '/charges/x?t=y', 'charge-kwh');
    current = paid;
    await shot(page, 'paid', '/charges/x?t=y', 'receipt-link');
    current = failed;
    await shot(page, 'failed', '/charges/x?t=y', 'failure-reason');
    current = paymentFailed;
    await shot(page, 'payment-failed', '/charges/x?t=y', 'pay-again');
    await shot(page, 'signin', '/signin', 'signin-form');
    signedIn = true;
    await shot(page, 'start-signed-in', '/c/DE*SIM*E000001*1', 'start-oneclick');
    await shot(page, 'account', '/account', 'transaction');
    console.log(`preview: screenshots in ${out}`);
  } finally {
    await ctx.close();
    await rm(webRoot, { recursive: true, force: true });
    await rm(userDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
