// Browser tests: `npm run e2e`. Uses BASE_URL when set; otherwise builds the web app, starts the server on a free
// port with a fresh DATA_DIR (it seeds the demo network), runs every scenario in Debian's chromium and stops it.
// E2E_ONLY=<text> runs matching scenarios.
// Screenshots go to test-results/e2e/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { RunningCpoSimulator } from '../../simulators/cpo/server.ts';
import type { RunningPayoneSimulator } from '../../simulators/payone/server.ts';
import { type Ctx, scenarios } from './scenarios.ts';
import { buildWeb, freePort, type StartedServer, startServer } from './server.ts';
import { simStations, startCpo, startPayone } from './simulators.ts';

const shotsDir = path.resolve('test-results/e2e');

async function main(): Promise<number> {
  await mkdir(shotsDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  let server: StartedServer | null = null;
  let baseUrl = process.env.BASE_URL?.replace(/\/$/, '');
  let failures = 0;
  let context: BrowserContext | null = null;
  const adminToken = process.env.ADMIN_TOKEN ?? 'lataus-dev-admin';
  let payone: RunningPayoneSimulator | null = null;
  let cpo: RunningCpoSimulator | null = null;

  try {
    if (!baseUrl) {
      const started = Date.now();
      const staticRoot = await buildWeb();
      cleanups.push(() => rm(staticRoot, { recursive: true, force: true }));
      // PAYONE simulator first (Lataus needs its URL), then Lataus, then the CPO simulator (it registers with Lataus).
      const port = await freePort();
      const lataus = `http://127.0.0.1:${port}`;
      const pay = await startPayone(lataus);
      payone = pay;
      cleanups.push(() => pay.close());
      server = await startServer(staticRoot, {
        port,
        env: {
          PUBLIC_URL: lataus,
          PAYONE_API_URL: pay.apiUrl,
          PAYONE_CARD_PAGE_URL: `${pay.url}/hosted/card`,
          CHARGE_START_TIMEOUT_SECONDS: '30',
        },
      });
      cleanups.push(server.stop);
      baseUrl = server.baseUrl;
      try {
        const sim = await startCpo(lataus, adminToken);
        cpo = sim;
        cleanups.push(() => sim.close());
      } catch (e) {
        console.log(`e2e: CPO simulator not connected (${(e as Error).message.slice(0, 300)})`);
      }
      console.log(`e2e: ${baseUrl} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (PAYONE sim ${pay.url})`);
    } else {
      console.log(`e2e: using BASE_URL ${baseUrl}`);
    }

    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'lataus-e2e-chromium-'));
    cleanups.push(() => rm(userDataDir, { recursive: true, force: true }));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
      viewport: { width: 1280, height: 800 },
      locale: 'en-GB',
      // "Near me" finds the driver in central Paris.
      geolocation: { latitude: 48.8566, longitude: 2.3522 },
      permissions: ['geolocation'],
      timezoneId: 'Europe/Berlin',
    });
    // tsx compiles this file with esbuild's keepNames, so functions sent to page.evaluate may call __name().
    await context.addInitScript('globalThis.__name = (f) => f;');
    const ctxRef = context;
    const pageErrors: string[] = [];
    const ctx: Ctx = {
      baseUrl: baseUrl!,
      adminToken,
      payoneUrl: payone?.url ?? null,
      simStations: () => simStations(cpo),
      async page(viewport) {
        const page = await ctxRef.newPage();
        await page.setViewportSize(viewport);
        page.setDefaultTimeout(20_000);
        page.on('pageerror', (e) => pageErrors.push(e.message));
        return page;
      },
      async shot(page: Page, name: string, fullPage = false) {
        if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
        await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage });
      },
    };
    // The persistent context opens with one blank page; close it so scenarios own their pages.
    for (const p of context.pages()) await p.close();

    const only = process.env.E2E_ONLY?.toLowerCase();
    for (const [name, run] of Object.entries(scenarios)) {
      if (only && !name.toLowerCase().includes(only)) continue;
      const t0 = Date.now();
      pageErrors.length = 0;
      try {
        await run(ctx);
        if (pageErrors.length) throw new Error(`uncaught errors in the page: ${pageErrors.join(' | ')}`);
        console.log(`PASS  ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failures++;
        console.log(`FAIL  ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n      ${(e as Error).message}`);
        for (const p of context.pages()) {
          await p
            .screenshot({ path: path.join(shotsDir, `failed-${name.replace(/\W+/g, '-')}.png`) })
            .catch(() => undefined);
          await p.close().catch(() => undefined);
        }
      }
    }
  } catch (e) {
    failures++;
    console.log(`FAIL  setup\n      ${(e as Error).message}`);
  } finally {
    await context?.close().catch(() => undefined);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
  console.log(failures ? `e2e: ${failures} failed` : 'e2e: all passed');
  return failures ? 1 : 0;
}

main().then((code) => process.exit(code));
