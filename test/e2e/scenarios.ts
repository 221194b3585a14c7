// Driver and back-office journeys, each a small async function against a real browser page.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { driverScenarios } from './driver-scenarios.ts';

// The test files are type-checked without the DOM library (the project's Node tsconfig), so code that runs in the
// page reaches browser globals through this small typed view of globalThis.
interface El {
  getAttribute(name: string): string | null;
  textContent: string | null;
  value?: string;
}
interface MapView {
  getLayer(id: string): unknown;
  queryRenderedFeatures(o: { layers: string[] }): unknown[];
  loaded(): boolean;
  once(event: string, cb: () => void): void;
  getSource(id: string): unknown;
  jumpTo(o: { center: [number, number]; zoom: number }): void;
  project(lngLat: [number, number]): { x: number; y: number };
  getZoom(): number;
  isMoving(): boolean;
  getCanvas(): { clientWidth: number; clientHeight: number };
}
interface BrowserGlobal {
  __latausMap?: MapView;
  document: { querySelector(selector: string): El | null };
  location: { search: string };
}
interface PointFeature {
  geometry: { coordinates: [number, number] };
  properties: Record<string, unknown>;
}

export interface Ctx {
  baseUrl: string;
  /** Bearer token of the back office API. */
  adminToken: string;
  /** The PAYONE simulator's base URL (hosted card page), when the runner started it. */
  payoneUrl: string | null;
  /** Stations of the CPO simulator with available EVSEs (empty when it is not connected). */
  simStations(): Array<{ ocpiId: string; latitude: number; longitude: number; evseIds: string[] }>;
  /** Opens a fresh page with the given viewport. */
  page(viewport: { width: number; height: number }): Promise<Page>;
  /** Saves a screenshot as test-results/e2e/<name>.png. */
  shot(page: Page, name: string, fullPage?: boolean): Promise<void>;
}

export const mobile = { width: 390, height: 844 };
export const desktop = { width: 1280, height: 800 };

async function numberAttr(page: Page, selector: string, attr: string): Promise<number> {
  const el = page.locator(selector).first();
  await el.waitFor({ state: 'attached', timeout: 30_000 });
  return Number(await el.getAttribute(attr));
}

/** Waits until the list has rendered the answer it was waiting for. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const el = (globalThis as unknown as BrowserGlobal).document.querySelector('[data-testid="result-count"]');
    return el !== null && !el.textContent?.includes('updating');
  });
}

/** Waits until MapLibre has drawn station circles (clusters or single stations) and returns how many. */
async function renderedStations(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () =>
      new Promise<number | false>((resolve) => {
        const map = (globalThis as unknown as BrowserGlobal).__latausMap;
        if (!map?.getLayer('station-points')) return resolve(false);
        const count = () => map.queryRenderedFeatures({ layers: ['station-clusters', 'station-points'] }).length;
        if (map.loaded() && count() > 0) return resolve(count());
        map.once('idle', () => resolve(count() || false));
        setTimeout(() => resolve(false), 2_000);
      }),
    undefined,
    { timeout: 45_000, polling: 250 },
  );
  return (await handle.jsonValue()) as number;
}

/** Waits until the map stands still and shows the markers fetched for its zoom level; returns that zoom level. */
async function mapSettled(page: Page): Promise<number> {
  // Synchronous on purpose: a predicate returning a promise counts as truthy before it resolves.
  const handle = await page.waitForFunction(
    () => {
      const g = globalThis as unknown as BrowserGlobal;
      const map = g.__latausMap;
      const el = g.document.querySelector('[data-testid="map"]');
      if (!map || !el || map.isMoving() || !map.loaded()) return false;
      const zoom = Math.round(map.getZoom() * 10) / 10;
      const ready = el.getAttribute('data-markers') === 'ready' && Number(el.getAttribute('data-marker-zoom')) === zoom;
      return ready ? { zoom } : false;
    },
    undefined,
    { timeout: 30_000, polling: 250 },
  );
  return ((await handle.jsonValue()) as { zoom: number }).zoom;
}

/**
 * Goes near a station the map shows (a single one; else the first of the list: a cluster's mean position need not be
 * near any station), then clicks the circle closest to the map's centre: a cluster (the map zooms in — checked)
 * until single stations show, then a station.
 */
async function clickAStation(page: Page, baseUrl: string): Promise<void> {
  const first = (await (await page.request.get(`${baseUrl}/api/v1/locations?limit=1`)).json()) as {
    items: { coordinates: { latitude: number; longitude: number } }[];
  };
  const fallback = first.items[0]?.coordinates;
  assert.ok(fallback, 'the list has a station');
  await page.evaluate(
    async (c) => {
      const map = (globalThis as unknown as BrowserGlobal).__latausMap!;
      const source = map.getSource('stations') as { getData(): Promise<{ features: PointFeature[] }> };
      const single = (await source.getData()).features.find((f) => f.properties.server_cluster !== true);
      map.jumpTo({ center: single?.geometry.coordinates ?? [c.longitude, c.latitude], zoom: 9 });
    },
    { latitude: fallback.latitude, longitude: fallback.longitude },
  );
  const box = await page.getByTestId('map').boundingBox();
  assert.ok(box, 'map container has a size');
  const steps: string[] = [];
  for (let step = 0; step < 10; step++) {
    const zoom = await mapSettled(page);
    const target = await page.evaluate(() => {
      const map = (globalThis as unknown as BrowserGlobal).__latausMap!;
      const { clientWidth: w, clientHeight: h } = map.getCanvas();
      const nearest = (layer: string) => {
        let best: { x: number; y: number; d: number } | null = null;
        for (const f of map.queryRenderedFeatures({ layers: [layer] }) as PointFeature[]) {
          const p = map.project(f.geometry.coordinates);
          const d = Math.hypot(p.x - w / 2, p.y - h / 2);
          if (p.x > 20 && p.y > 20 && p.x < w - 20 && p.y < h - 20 && (!best || d < best.d)) best = { ...p, d };
        }
        return best;
      };
      const station = nearest('station-points');
      if (station) return { kind: 'station', x: station.x, y: station.y };
      const cluster = nearest('station-clusters');
      return cluster ? { kind: 'cluster', x: cluster.x, y: cluster.y } : null;
    });
    assert.ok(target, `the map shows stations or clusters at zoom ${zoom}`);
    steps.push(`${target.kind} at zoom ${zoom}`);
    await page.mouse.click(box.x + target.x, box.y + target.y);
    if (target.kind === 'station') return;
    await page.waitForFunction(
      (before) => ((globalThis as unknown as BrowserGlobal).__latausMap?.getZoom() ?? 0) > before + 0.5,
      zoom,
      { timeout: 10_000 },
    );
  }
  assert.fail(`clicking clusters did not lead to a single station: ${steps.join(', ')}`);
}

export const scenarios: Record<string, (ctx: Ctx) => Promise<void>> = {
  async 'map loads with station markers'(ctx) {
    for (const [label, vp] of [
      ['desktop', desktop],
      ['mobile', mobile],
    ] as const) {
      const page = await ctx.page(vp);
      await page.goto(`${ctx.baseUrl}/`);
      const markerCount = await numberAttr(page, '[data-testid="map"][data-marker-count]', 'data-marker-count');
      assert.ok(markerCount > 0, `the map received station markers (got ${markerCount})`);
      await page.locator('[data-testid="map"][data-map-ready="true"]').waitFor({ timeout: 30_000 });
      const drawn = await renderedStations(page);
      assert.ok(drawn > 0, `the map drew station circles (got ${drawn})`);
      // The whole demo network (~2,000 stations) is in view: the server sent it as grid clusters.
      const fromServer = await page.evaluate(async () => {
        const map = (globalThis as unknown as BrowserGlobal).__latausMap!;
        const source = map.getSource('stations') as { getData(): Promise<{ features: PointFeature[] }> };
        return (await source.getData()).features.filter((f) => f.properties.server_cluster === true).length;
      });
      assert.ok(fromServer > 0, 'the opening view shows clusters made by the server');
      await page.waitForTimeout(300);
      await ctx.shot(page, `map-${label}`);

      await clickAStation(page, ctx.baseUrl);
      const sheet = page.getByTestId('station-sheet');
      await sheet.getByTestId('availability').waitFor({ timeout: 15_000 });
      assert.match((await sheet.textContent()) ?? '', /of \d+ available/);
      await ctx.shot(page, `map-station-${label}`);
      await page.close();
    }
  },

  async 'search narrows the list'(ctx) {
    for (const [label, vp] of [
      ['desktop', desktop],
      ['mobile', mobile],
    ] as const) {
      const page = await ctx.page(vp);
      await page.goto(`${ctx.baseUrl}/list`);
      const all = await numberAttr(page, '[data-testid="result-count"]', 'data-total');
      assert.ok(all > 0, `the list shows stations (got ${all})`);
      await page.getByTestId('station-card').first().waitFor();

      await page.getByTestId('filters-toggle').click();
      const filtered = page.waitForResponse((r) => /\/api\/v1\/locations\?.*min_power_kw=150/.test(r.url()));
      await page.getByTestId('filter-power-150').click();
      await filtered;
      await settled(page);
      const fast = await numberAttr(page, '[data-testid="result-count"]', 'data-total');
      assert.ok(fast < all, `min power 150 kW narrows the list (${all} → ${fast})`);
      assert.match(page.url(), /min_power_kw=150/, 'the filter is kept in the URL');
      if (fast > 0) {
        const powers = await page.getByTestId('station-card').locator('.pill-power').allTextContents();
        for (const p of powers) {
          const kw = Number(p.replace(/[^\d,.]/g, '').replace(',', '.'));
          assert.ok(kw >= 150, `every card offers at least 150 kW (saw "${p}")`);
        }
      }
      await page.getByTestId('filters-toggle').click();
      await ctx.shot(page, `list-${label}`);

      // A free-text search for the first card's city narrows further (or keeps) the set.
      const firstAddress = (await page.getByTestId('station-card').first().locator('.address').textContent()) ?? '';
      const city = firstAddress
        .split(',')
        .pop()!
        .trim()
        .replace(/^\d+\s+/, '');
      const searched = page.waitForResponse((r) => /\/api\/v1\/locations\?.*q=/.test(r.url()));
      await page.getByTestId('search-input').fill(city);
      await searched;
      await settled(page);
      const byCity = await numberAttr(page, '[data-testid="result-count"]', 'data-total');
      assert.ok(byCity > 0 && byCity <= fast, `searching "${city}" keeps a narrower set (${fast} → ${byCity})`);
      await page.close();
    }
  },

  async 'near me lists the closest stations first'(ctx) {
    const page = await ctx.page(mobile);
    await page.goto(`${ctx.baseUrl}/list`);
    await page.getByTestId('station-card').first().waitFor();
    const near = page.waitForResponse((r) => /\/api\/v1\/locations\?.*lat=/.test(r.url()));
    await page.getByTestId('near-me').click();
    await near;
    await settled(page);
    const count = await page.getByTestId('result-count').textContent();
    assert.match(count ?? '', /within 50 km of you/);
    const distances = await page.getByTestId('station-card').locator('.distance').allTextContents();
    assert.ok(distances.length > 0, 'cards show a distance');
    const metres = distances.map((d) => {
      const n = Number(d.replace(/[^\d,.]/g, '').replace(',', '.'));
      return d.includes('km') ? n * 1000 : n;
    });
    for (let i = 1; i < metres.length; i++) assert.ok(metres[i]! >= metres[i - 1]!, `sorted by distance: ${distances}`);
    await ctx.shot(page, 'list-near-me-mobile');
    await page.close();
  },

  async 'station page shows prices incl. VAT and opening hours'(ctx) {
    const page = await ctx.page(mobile);
    // Find a priced station with opening hours through the public API, then open its page by deep link.
    const res = await page.request.get(`${ctx.baseUrl}/api/v1/locations?limit=200`);
    assert.equal(res.status(), 200);
    const body = (await res.json()) as {
      items: Array<{ id: string; price: unknown; opening_hours: { twentyfourseven: boolean } | null }>;
    };
    const priced = body.items.filter((l) => l.price && l.opening_hours);
    const pick = priced.find((l) => !l.opening_hours?.twentyfourseven) ?? priced[0];
    assert.ok(pick, 'the network has a priced station with opening hours');

    await page.goto(`${ctx.baseUrl}/stations/${encodeURIComponent(pick.id)}`);
    await page.getByTestId('station-name').waitFor({ timeout: 15_000 });
    const priceText = (await page.getByTestId('price').first().textContent()) ?? '';
    assert.match(priceText, /€/, 'a price in euros is shown');
    assert.match(priceText, /incl\. [\d,.]+ % VAT/, 'the price states its VAT rate');
    const evses = await page.getByTestId('evse').count();
    assert.ok(evses > 0, 'charge points are listed');
    const connectorText = (await page.getByTestId('connector').first().textContent()) ?? '';
    assert.match(connectorText, /kW/);
    assert.match(connectorText, /€/, 'each connector shows its price before any start');
    const hours = (await page.getByTestId('opening-hours').textContent()) ?? '';
    assert.match(hours, /Monday|24 hours/, 'opening hours are shown');
    await ctx.shot(page, 'station-mobile', true);

    // Reloading the deep link still works (the server answers index.html for client routes).
    await page.reload();
    await page.getByTestId('station-name').waitFor({ timeout: 15_000 });
    await page.setViewportSize(desktop);
    await ctx.shot(page, 'station-desktop', true);

    await page.goto(`${ctx.baseUrl}/stations/does-not-exist-${Date.now()}`);
    await page.getByTestId('not-found').waitFor({ timeout: 15_000 });
    await page.close();
  },

  async 'back office creates a provider and imports stations'(ctx) {
    const page = await ctx.page(desktop);
    await page.goto(`${ctx.baseUrl}/admin/providers`);
    const token = page.getByTestId('admin-token');
    if (process.env.ADMIN_TOKEN) await token.fill(process.env.ADMIN_TOKEN);
    await page.waitForFunction(
      () => (globalThis as unknown as BrowserGlobal).document.querySelector('[data-testid="admin-token"]')?.value,
      undefined,
      { timeout: 10_000 },
    );

    const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
    const partyId = `Q${Array.from({ length: 2 }, () => letters[Math.floor(Math.random() * letters.length)]).join('')}`;
    const key = `DE*${partyId}`;
    await page.getByTestId('provider-country').fill('DE');
    await page.getByTestId('provider-party').fill(partyId);
    await page.getByTestId('provider-name').fill(`E2E Stadtwerke ${partyId}`);
    await page.getByTestId('provider-website').fill('https://example.org');
    await page.getByTestId('provider-submit').click();
    await page.getByTestId('provider-created').waitFor({ timeout: 15_000 });
    await page.locator(`[data-testid="provider-row"][data-provider="${key}"]`).waitFor({ timeout: 15_000 });

    const header =
      'id,name,address,city,postal_code,country,latitude,longitude,time_zone,evse_uid,evse_id,connector_id,standard,format,power_type,max_voltage,max_amperage,max_electric_power,tariff_id';
    const good = [
      header,
      `E2E1,Marktplatz Süd,Marktplatz 3,Musterstadt,12345,DEU,52.5210,13.4100,Europe/Berlin,E2E1-1,DE*${partyId}*E1*1,1,IEC_62196_T2,SOCKET,AC_3_PHASE,400,32,22000,`,
      `E2E2,Bahnhof Nord,Bahnhofstraße 9,Musterstadt,12345,DEU,52.5300,13.4200,Europe/Berlin,E2E2-1,DE*${partyId}*E2*1,1,IEC_62196_T2_COMBO,CABLE,DC,920,250,150000,`,
    ].join('\n');
    await page.getByTestId('import-provider').selectOption(key);
    await page.getByTestId('import-kind-csv').check();
    await page.getByTestId('import-content').fill(good);
    await page.getByTestId('import-submit').click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 20_000 });
    assert.equal(Number(await result.getAttribute('data-imported')), 2, 'two locations were imported');
    await page.waitForFunction(
      (k) =>
        (globalThis as unknown as BrowserGlobal).document
          .querySelector(`[data-provider="${k}"] [data-testid="provider-location-count"]`)
          ?.textContent?.trim() === '2',
      key,
      { timeout: 10_000 },
    );
    await ctx.shot(page, 'admin-import-ok-desktop', true);

    const broken = [
      header,
      `E2E3,Kaputt,Weg 1,Musterstadt,12345,DEU,not-a-number,13.4100,Europe/Berlin,E2E3-1,DE*${partyId}*E3*1,1,IEC_62196_T2,SOCKET,AC_3_PHASE,400,32,22000,`,
    ].join('\n');
    await page.getByTestId('import-content').fill(broken);
    await page.getByTestId('import-submit').click();
    const rejected = page.getByTestId('import-rejected');
    await rejected.waitFor({ timeout: 20_000 });
    const rows = page.getByTestId('rejected-row');
    assert.ok((await rows.count()) >= 1, 'the rejected row is listed');
    const rowText = (await rows.first().textContent()) ?? '';
    assert.match(rowText, /latitude/i, `the rejected row names the bad field (got "${rowText}")`);
    const rowNumber = Number(await rows.first().getAttribute('data-row'));
    assert.ok(rowNumber === 1 || rowNumber === 2, `the rejected row number points at the data row (got ${rowNumber})`);
    await ctx.shot(page, 'admin-import-rejected-desktop', true);
    await page.setViewportSize(mobile);
    await ctx.shot(page, 'admin-mobile', true);
    await page.close();
  },
  // Charging journeys and the back office with the PAYONE and CPO simulators .
  ...driverScenarios,
};
