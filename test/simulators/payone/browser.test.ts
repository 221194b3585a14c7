// A driver in a real browser (Debian's chromium via playwright-core): hosted card page, then 3-D Secure page.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPayoneSimulator, startPayoneSimulator } from '../../../simulators/payone/server.ts';
import { callApi, preauthParams, startReceiver } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('browser: hosted card page and 3-D Secure page', () => {
  let sim: RunningPayoneSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let shop: Server;
  let shopUrl: string;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    sim = await startPayoneSimulator({ port: 0, notifyUrl: receiver.url, paidDelayMs: 0, quiet: true });
    // The merchant's return page: shows what came back in its query.
    shop = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><p data-testid="returned">${req.url}</p>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'payone-sim-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    await sim?.close();
    await receiver?.close();
    await new Promise<void>((resolve) => shop.close(() => resolve()));
  });

  it('a driver enters a card, sees validation, and the shop gets the pseudo PAN; then passes 3-D Secure', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const successurl = `${shopUrl}/card-added?session=s1`;
    await page.goto(
      `${sim.url}/hosted/card?successurl=${encodeURIComponent(successurl)}&backurl=${encodeURIComponent(`${shopUrl}/back`)}`,
    );
    await page.getByTestId('cardpan').fill('4000 0000 0000 3221');
    await page.getByTestId('expiry').fill('12/30');
    await page.getByTestId('cvc').fill('123');
    await page.getByTestId('submit').click();
    await expect.poll(() => page.getByTestId('error-cardpan').textContent()).toContain('not valid');
    await page.getByTestId('cardpan').fill('4000 0000 0000 3220');
    await page.getByTestId('cvc').fill('123');
    await page.getByTestId('submit').click();
    await page.getByTestId('returned').waitFor();
    const returned = new URL(`${shopUrl}${await page.getByTestId('returned').textContent()}`);
    expect(Object.fromEntries(returned.searchParams)).toMatchObject({
      session: 's1',
      pseudocardpan: '9410010000000403220',
      truncatedcardpan: '400000xxxxxx3220',
      cardtype: 'V',
      cardexpiredate: '3012',
    });

    const pre = await callApi(
      sim.apiUrl,
      preauthParams({
        pseudocardpan: returned.searchParams.get('pseudocardpan')!,
        successurl: `${shopUrl}/paid`,
        errorurl: `${shopUrl}/error`,
        backurl: `${shopUrl}/back`,
      }),
    );
    expect(pre.fields.get('status')).toBe('REDIRECT');
    await page.goto(pre.fields.get('redirecturl')!);
    await expect.poll(() => page.getByTestId('acs-summary').textContent()).toContain('50.00 EUR');
    await page.getByTestId('acs-approve').click();
    await page.getByTestId('returned').waitFor();
    expect(await page.getByTestId('returned').textContent()).toBe('/paid');
    expect(receiver.received.map((n) => n.fields.get('txaction'))).toEqual(['appointed']);
  }, 60_000);
});
