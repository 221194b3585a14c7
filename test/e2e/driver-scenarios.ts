// Driver journeys with the PAYONE and CPO simulators: ad-hoc charging to the receipt PDF, a declined card,
// OneClick and the virtual card for a registered driver, stopping from the page, and the back office views.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Ctx } from './scenarios.ts';

const mobile = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

const LIVE_TIMEOUT = 60_000;
const BILL_TIMEOUT = 120_000;

const usedEvses = new Set<string>();

interface Target {
  locationId: string;
  evseId: string;
}

/** A station of the CPO simulator as Lataus knows it, with an EVSE no other scenario used. */
async function simTarget(ctx: Ctx, page: Page): Promise<Target> {
  const stations = ctx.simStations();
  if (stations.length === 0) throw new Error('the CPO simulator is not connected');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const st of stations) {
      const res = await page.request.get(
        `${ctx.baseUrl}/api/v1/locations?lat=${st.latitude}&lon=${st.longitude}&radius=200&limit=20`,
      );
      if (res.status() !== 200) continue;
      const body = (await res.json()) as { items: Array<{ id: string; party_id: string }> };
      const loc = body.items.find((l) => l.party_id === 'SIM');
      if (!loc) continue;
      for (const evseId of st.evseIds) {
        if (usedEvses.has(evseId)) continue;
        const offer = await page.request.get(`${ctx.baseUrl}/api/v1/charge/${encodeURIComponent(evseId)}`);
        if (offer.status() !== 200) continue;
        const o = (await offer.json()) as { can_start: boolean };
        if (!o.can_start) continue;
        usedEvses.add(evseId);
        return { locationId: loc.id, evseId };
      }
    }
    await page.waitForTimeout(1000);
  }
  throw new Error('no startable EVSE of the CPO simulator reached Lataus within 30 s');
}

/** Fills the PAYONE simulator's hosted card page and returns to Lataus. */
async function enterCard(page: Page, number: string): Promise<void> {
  await page.getByTestId('card-form').waitFor({ timeout: 15_000 });
  await page.getByTestId('cardholder').fill('Erika Mustermann');
  await page.getByTestId('cardpan').fill(number);
  await page.getByTestId('expiry').fill('12/30');
  await page.getByTestId('cvc').fill('123');
  await page.getByTestId('submit').click();
}

async function waitStatus(page: Page, statuses: string[], timeout: number): Promise<string> {
  const handle = await page.waitForFunction(
    (wanted) => {
      const el = (
        globalThis as unknown as {
          document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };
        }
      ).document.querySelector('[data-testid="live-charge"]');
      const s = el?.getAttribute('data-status');
      return s && wanted.includes(s) ? s : false;
    },
    statuses,
    { timeout, polling: 250 },
  );
  return (await handle.jsonValue()) as string;
}

async function kwhShown(page: Page): Promise<number> {
  const t = (await page.getByTestId('charge-kwh').textContent()) ?? '';
  return Number(
    t
      .replace(/[^\d,.]/g, '')
      .replace(/\./g, '')
      .replace(',', '.'),
  );
}

/** Ad hoc on the /c page: e-mail, card from the hosted page, back with the card shown. */
async function adHocCard(page: Page, email: string, card: string): Promise<void> {
  await page.getByTestId('charge-price').waitFor({ timeout: 15_000 });
  await page.getByTestId('charge-email').fill(email);
  await page.getByTestId('add-card').click();
  await enterCard(page, card);
  await page.getByTestId('card-chosen').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('charge-email').inputValue(), email, 'the e-mail survived the card page');
}

async function stopAndWait(page: Page, ctx: Ctx, shot: string): Promise<void> {
  await page.getByTestId('stop-charge').click();
  const s = await waitStatus(page, ['STOPPING', 'FINISHED', 'CDR_PENDING', 'PRICED', 'PAID'], LIVE_TIMEOUT);
  assert.ok(s, 'the charge leaves CHARGING after Stop');
  await page.getByTestId('stop-charge').waitFor({ state: 'detached', timeout: LIVE_TIMEOUT });
  await ctx.shot(page, shot, true);
}

function uniqueEmail(tag: string): string {
  return `e2e-${tag}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}@example.org`;
}

async function signUp(ctx: Ctx, page: Page, next: string): Promise<string> {
  const email = uniqueEmail('driver');
  await page.goto(`${ctx.baseUrl}/signup?next=${encodeURIComponent(next)}`);
  await page.getByTestId('signup-name').fill('Erika');
  await page.getByTestId('signup-email').fill(email);
  await page.getByTestId('signup-password').fill('correct horse battery');
  await ctx.shot(page, 'signup-mobile');
  await page.getByTestId('signup-submit').click();
  await page.waitForURL((u) => u.pathname === next.split('?')[0], { timeout: 15_000 });
  return email;
}

async function signOutIfSignedIn(ctx: Ctx, page: Page): Promise<void> {
  await page.request
    .post(`${ctx.baseUrl}/api/v1/auth/signout`, { headers: { 'X-Requested-With': 'lataus' } })
    .catch(() => undefined);
}

export const driverScenarios: Record<string, (ctx: Ctx) => Promise<void>> = {
  async 'accounts: sign up, sign out, sign in, password reset through the mail outbox'(ctx) {
    const page = await ctx.page(mobile);
    await signOutIfSignedIn(ctx, page);
    const email = await signUp(ctx, page, '/account');
    await page.getByTestId('account-email').waitFor({ timeout: 15_000 });
    assert.equal((await page.getByTestId('account-email').textContent())?.trim(), email);
    await ctx.shot(page, 'account-new-mobile', true);
    await page.getByTestId('signout').click();
    await page.getByTestId('nav-signin').waitFor({ timeout: 10_000 });

    await page.goto(`${ctx.baseUrl}/signin`);
    await page.getByTestId('signin-email').fill(email);
    await page.getByTestId('signin-password').fill('wrong password here');
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('signin-error').waitFor();
    assert.match((await page.getByTestId('signin-error').textContent()) ?? '', /wrong/);
    await ctx.shot(page, 'signin-error-mobile');
    await page.getByTestId('signin-password').fill('correct horse battery');
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('account-page').waitFor({ timeout: 15_000 });
    await page.getByTestId('signout').click();
    await page.getByTestId('nav-signin').waitFor({ timeout: 10_000 });

    await page.goto(`${ctx.baseUrl}/reset-password`);
    await page.getByTestId('reset-email').fill(email);
    await page.getByTestId('reset-submit').click();
    await page.getByTestId('reset-requested').waitFor();

    // The reset mail lands in the local outbox; the back office shows it with the link.
    const deadline = Date.now() + 20_000;
    let link: string | null = null;
    while (!link && Date.now() < deadline) {
      const list = await page.request.get(`${ctx.baseUrl}/api/v1/admin/mails?to=${encodeURIComponent(email)}`, {
        headers: { Authorization: `Bearer ${ctx.adminToken}` },
      });
      assert.equal(list.status(), 200, 'the mail outbox API answers');
      const items = ((await list.json()) as { items: Array<{ id: string; subject: string }> }).items;
      for (const m of items) {
        const d = await page.request.get(`${ctx.baseUrl}/api/v1/admin/mails/${m.id}`, {
          headers: { Authorization: `Bearer ${ctx.adminToken}` },
        });
        const text = ((await d.json()) as { text: string }).text;
        link = /https?:\/\/\S*\/reset-password\?token=[^\s"<>]+/.exec(text)?.[0] ?? null;
        if (link) break;
      }
      if (!link) await page.waitForTimeout(500);
    }
    assert.ok(link, 'a reset mail with a link is in the outbox');
    const admin = await ctx.page(mobile);
    await admin.goto(`${ctx.baseUrl}/admin/mails`);
    await admin.getByTestId('mail-to').fill(email);
    await admin.getByTestId('mail-row').first().waitFor({ timeout: 10_000 });
    await admin.getByTestId('mail-row').first().locator('a').click();
    await admin.getByTestId('mail').waitFor();
    await ctx.shot(admin, 'admin-mail-mobile', true);
    await admin.close();

    const u = new URL(link);
    await page.goto(`${ctx.baseUrl}${u.pathname}${u.search}`);
    await page.getByTestId('reset-confirm-form').waitFor();
    assert.ok(!page.url().includes('token='), 'the token left the address bar');
    await page.getByTestId('reset-password').fill('a brand new passphrase');
    await page.getByTestId('reset-confirm-submit').click();
    await page.getByTestId('reset-done').waitFor({ timeout: 15_000 });
    await ctx.shot(page, 'reset-done-mobile');
    await page.goto(`${ctx.baseUrl}/signin`);
    await page.getByTestId('signin-email').fill(email);
    await page.getByTestId('signin-password').fill('a brand new passphrase');
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('account-page').waitFor({ timeout: 15_000 });
    await signOutIfSignedIn(ctx, page);
    await page.close();
  },

  async 'ad hoc: station page → card → live charge → stop → receipt PDF'(ctx) {
    const page = await ctx.page(mobile);
    await signOutIfSignedIn(ctx, page);
    const t = await simTarget(ctx, page);
    await page.goto(`${ctx.baseUrl}/stations/${encodeURIComponent(t.locationId)}`);
    const link = page.locator(`[data-testid="charge-here"][href^="/c/${encodeURIComponent(t.evseId)}"]`).first();
    await link.click();
    await page.waitForURL(/\/c\//);
    await page.getByTestId('charge-estimate').waitFor({ timeout: 15_000 });
    const priceText = (await page.getByTestId('charge-price').textContent()) ?? '';
    assert.match(priceText, /€/, 'the price is shown before the start');
    assert.match(priceText, /Typical charge/, 'an estimate for a typical charge is shown');
    assert.match(priceText, /reserve/, 'the hold is explained');
    await ctx.shot(page, 'charge-start-mobile', true);

    await adHocCard(page, uniqueEmail('adhoc'), '4111111111111111');
    await ctx.shot(page, 'charge-card-added-mobile', true);
    // A double tap makes one charge (the idempotency key is kept per attempt).
    const starts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/charges')) starts.push(r.postData() ?? '');
    });
    await page.getByTestId('start-charge').dblclick();
    await page.waitForURL(/\/charges\//, { timeout: 30_000 });
    assert.ok(starts.length >= 1, 'the start was sent');
    const keys = new Set(starts.map((b) => (JSON.parse(b) as { idempotency_key: string }).idempotency_key));
    assert.equal(keys.size, 1, 'every start request of the attempt carries the same idempotency key');

    await waitStatus(page, ['CHARGING'], LIVE_TIMEOUT);
    await page.waitForFunction(
      () => {
        const el = (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
        ).document.querySelector('[data-testid="charge-kwh"]');
        return /[1-9]/.test(el?.textContent ?? '');
      },
      undefined,
      { timeout: LIVE_TIMEOUT, polling: 500 },
    );
    assert.ok((await kwhShown(page)) > 0, 'energy grows without a reload');
    assert.match((await page.getByTestId('charge-cost').textContent()) ?? '', /€/, 'the cost so far is shown');
    await ctx.shot(page, 'charge-live-mobile', true);

    await stopAndWait(page, ctx, 'charge-stopped-mobile');
    const receipt = page.getByTestId('receipt-link');
    await receipt.waitFor({ timeout: BILL_TIMEOUT });
    await ctx.shot(page, 'charge-paid-mobile', true);
    const href = await receipt.getAttribute('href');
    assert.ok(href, 'the receipt link has an address');
    const pdf = await page.request.get(new URL(href, ctx.baseUrl).toString());
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/);
    const bytes = await pdf.body();
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF', 'the receipt is a PDF');
    await page.close();
  },

  async 'ad hoc: a declined card shows the reason and starts nothing'(ctx) {
    const page = await ctx.page(mobile);
    await signOutIfSignedIn(ctx, page);
    const t = await simTarget(ctx, page);
    usedEvses.delete(t.evseId); // nothing will charge there
    await page.goto(`${ctx.baseUrl}/c/${encodeURIComponent(t.evseId)}`);
    await adHocCard(page, uniqueEmail('declined'), '4000000000000002');
    await page.getByTestId('start-charge').click();
    // Either the start answers with the decline, or the live page shows the charge that did not start.
    const reason = page.locator('[data-testid="start-error"], [data-testid="failure-reason"]').first();
    await reason.waitFor({ timeout: LIVE_TIMEOUT });
    const text = (await reason.textContent()) ?? '';
    assert.match(text, /declin|abgelehnt|refused|not accepted/i, `the decline reason is shown (got "${text}")`);
    if (page.url().includes('/charges/')) {
      await waitStatus(page, ['FAILED'], LIVE_TIMEOUT);
      assert.equal(await page.getByTestId('stop-charge').count(), 0, 'nothing to stop');
    }
    const offer = await page.request.get(`${ctx.baseUrl}/api/v1/charge/${encodeURIComponent(t.evseId)}`);
    assert.equal(((await offer.json()) as { evse: { status: string } }).evse.status, 'AVAILABLE', 'no session began');
    await ctx.shot(page, 'charge-declined-mobile', true);
    await page.close();
  },

  async 'registered: sign up, save a card, OneClick start and stop'(ctx) {
    const page = await ctx.page(mobile);
    await signOutIfSignedIn(ctx, page);
    const t = await simTarget(ctx, page);
    await signUp(ctx, page, '/account');
    await page.getByTestId('account-page').waitFor();
    await page.getByTestId('account-add-card').click();
    await enterCard(page, '5500000000000004');
    const saved = page.locator('[data-testid="saved-card"][data-default]');
    await saved.waitFor({ timeout: 20_000 });
    await ctx.shot(page, 'account-mobile', true);

    await page.goto(`${ctx.baseUrl}/c/${encodeURIComponent(t.evseId)}`);
    const oneClick = page.getByTestId('start-oneclick');
    await oneClick.waitFor({ timeout: 15_000 });
    await ctx.shot(page, 'charge-oneclick-mobile', true);
    await oneClick.click();
    await page.waitForURL(/\/charges\//, { timeout: 30_000 });
    await waitStatus(page, ['CHARGING'], LIVE_TIMEOUT);
    await stopAndWait(page, ctx, 'charge-oneclick-stopped-mobile');

    await page.goto(`${ctx.baseUrl}/account`);
    const tx = page.getByTestId('transaction').first();
    await tx.waitFor({ timeout: 15_000 });
    assert.match((await tx.textContent()) ?? '', /finished|priced|paid|charging/);
    await ctx.shot(page, 'account-transactions-mobile', true);
    await page.close();
  },

  async 'registered: the virtual charge card starts charging; stop from the page'(ctx) {
    const page = await ctx.page(mobile);
    await signOutIfSignedIn(ctx, page);
    const t = await simTarget(ctx, page);
    await signUp(ctx, page, '/account');
    const uid = page.getByTestId('virtual-card-uid');
    await uid.waitFor({ timeout: 15_000 });
    assert.match((await page.getByTestId('virtual-card-status').textContent()) ?? '', /Active/);
    // The virtual card is billed to the default card: save one first.
    await page.getByTestId('account-add-card').click();
    await enterCard(page, '4111111111111111');
    await page.locator('[data-testid="saved-card"]').first().waitFor({ timeout: 20_000 });

    await page.goto(`${ctx.baseUrl}/c/${encodeURIComponent(t.evseId)}`);
    await page.getByTestId('start-virtual-card').click();
    await page.waitForURL(/\/charges\//, { timeout: 30_000 });
    await waitStatus(page, ['CHARGING'], LIVE_TIMEOUT);
    await ctx.shot(page, 'charge-virtual-card-mobile', true);
    await page.getByTestId('stop-charge').click();
    const s = await waitStatus(page, ['STOPPING', 'FINISHED', 'CDR_PENDING', 'PRICED', 'PAID'], LIVE_TIMEOUT);
    assert.ok(s);
    await signOutIfSignedIn(ctx, page);
    await page.close();
  },

  async 'back office: payments timeline, charges, partners, disputes, mails'(ctx) {
    const page = await ctx.page(desktop);
    await page.goto(`${ctx.baseUrl}/admin/partners`);
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelector(s: string): { value?: string } | null } }
        ).document.querySelector('[data-testid="admin-token"]')?.value,
      undefined,
      { timeout: 10_000 },
    );
    if (ctx.simStations().length > 0) {
      const partner = page.locator('[data-testid="partner"][data-status="REGISTERED"]').first();
      await partner.waitFor({ timeout: 15_000 });
      const counts = (await partner.getByTestId('partner-counts').textContent()) ?? '';
      assert.match(counts, /locations\s*[1-9]/i, `the partner's locations are counted (${counts})`);
    }
    await ctx.shot(page, 'admin-partners-desktop', true);

    await page.getByTestId('admin-nav-payments').click();
    await page.waitForURL(/\/admin\/payments/);
    const rows = page.getByTestId('payment-row');
    const hasPayments = await rows
      .first()
      .waitFor({ timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    await ctx.shot(page, 'admin-payments-desktop', true);
    if (hasPayments) {
      // Prefer a failed payment: its timeline shows the highlighted step.
      const failed = page.locator('[data-testid="payment-row"][data-state="failed"] a').first();
      await ((await failed.count()) ? failed : rows.first().locator('a').first()).click();
      await page.getByTestId('timeline-event').first().waitFor({ timeout: 10_000 });
      const text = (await page.getByTestId('payment-timeline').textContent()) ?? '';
      assert.match(text, /preauthorization/i, 'the PAYONE preauthorization request is in the timeline');
      assert.doesNotMatch(text, /lataus-sim-portal-key/, 'the portal key is never shown');
      await ctx.shot(page, 'admin-payment-timeline-desktop', true);
    }

    await page.getByTestId('admin-nav-charges').click();
    await page.waitForURL(/\/admin\/charges/);
    await page.waitForTimeout(800);
    await ctx.shot(page, 'admin-charges-desktop', true);

    await page.getByTestId('admin-nav-disputes').click();
    await page.waitForURL(/\/admin\/disputes/);
    await page.waitForTimeout(500);
    await ctx.shot(page, 'admin-disputes-desktop', true);

    await page.getByTestId('admin-nav-mails').click();
    await page.waitForURL(/\/admin\/mails/);
    const mail = page.getByTestId('mail-row').first();
    if (
      await mail
        .waitFor({ timeout: 8_000 })
        .then(() => true)
        .catch(() => false)
    ) {
      await ctx.shot(page, 'admin-mails-desktop', true);
      await mail.locator('a').first().click();
      await page.getByTestId('mail').waitFor({ timeout: 10_000 });
      await ctx.shot(page, 'admin-mail-desktop', true);
    }
    await page.setViewportSize(mobile);
    await page.getByTestId('admin-nav-payments').click();
    await page.waitForTimeout(500);
    await ctx.shot(page, 'admin-payments-mobile', true);
    await page.close();
  },
};
