// Registration both ways over real HTTP, token A/B/C rules, token rotation (PUT), unregistering (DELETE),
// version negotiation and the Authorization header forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../src/ocpi/core/auth.ts';
import { type FakeCpo, startFakeCpo } from './fake-cpo.ts';
import { adminHeader, type Harness, startLataus, tokenHeader } from './harness.ts';

let h: Harness;
let cpo: FakeCpo;
let cpo2: FakeCpo;

beforeAll(async () => {
  h = await startLataus();
  cpo = await startFakeCpo({ country_code: 'NL', party_id: 'ABC' });
  cpo2 = await startFakeCpo({ country_code: 'BE', party_id: 'BEC' });
});
afterAll(async () => {
  await cpo?.close();
  await cpo2?.close();
  await h?.close();
});

describe('versions', () => {
  it('answers 401 without a token and lists 2.2.1 with our endpoints', async () => {
    const anon = await h.app.inject({ method: 'GET', url: '/ocpi/versions' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json()).toMatchObject({ status_code: 2000 });
    expect(anon.json().timestamp).toMatch(/Z$/);
  });
});

describe('we register with a CPO (their token A → our B → their C)', () => {
  let partnerId: string;
  it('onboards from the versions URL and token A', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/partners',
      headers: adminHeader,
      payload: { action: 'register', versions_url: cpo.versionsUrl, token: cpo.tokenA },
    });
    expect(r.statusCode, r.body).toBe(201);
    const p = r.json().partner;
    partnerId = p.id;
    expect(p.status).toBe('REGISTERED');
    expect(p.version).toBe('2.2.1');
    expect(p.parties).toEqual([{ country_code: 'NL', party_id: 'ABC', role: 'CPO' }]);
    expect(p.sync.map((s: { module: string; status: string }) => `${s.module}:${s.status}`)).toEqual([
      'cdrs:QUEUED',
      'locations:QUEUED',
      'sessions:QUEUED',
      'tariffs:QUEUED',
    ]);
    expect(JSON.stringify(r.json())).not.toContain(cpo.ourToken()!); // tokens are never shown
  });

  it('the CPO calls us with token B (base64 and plain); its token A means nothing to us', async () => {
    const b = cpo.theirToken()!;
    const r1 = await h.app.inject({ method: 'GET', url: '/ocpi/2.2.1', headers: tokenHeader(b) });
    expect(r1.statusCode).toBe(200);
    expect(r1.json().data.endpoints).toContainEqual({
      identifier: 'locations',
      role: 'RECEIVER',
      url: `${h.url}/ocpi/2.2.1/locations`,
    });
    const plain = await h.app.inject({
      method: 'GET',
      url: '/ocpi/versions',
      headers: { authorization: `Token ${b}` },
    });
    expect(plain.statusCode).toBe(200);
    const a = await h.app.inject({ method: 'GET', url: '/ocpi/versions', headers: tokenHeader(cpo.tokenA) });
    expect(a.statusCode).toBe(401);
  });

  it('GET credentials returns ours with the token presented', async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: '/ocpi/2.2.1/credentials',
      headers: tokenHeader(cpo.theirToken()!),
    });
    expect(r.json().data).toMatchObject({
      token: cpo.theirToken(),
      url: `${h.url}/ocpi/versions`,
      roles: [{ role: 'EMSP', country_code: 'DE', party_id: 'LAT' }],
    });
  });

  it('POST credentials again is 405 (already registered)', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/ocpi/2.2.1/credentials',
      headers: tokenHeader(cpo.theirToken()!),
      payload: { token: 'x', url: cpo.versionsUrl, roles: [] },
    });
    expect(r.statusCode).toBe(405);
  });

  it('rotates tokens on our initiative (PUT to their credentials)', async () => {
    const oldB = cpo.theirToken()!;
    const oldC = cpo.ourToken()!;
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/partners/${partnerId}/rotate-token`,
      headers: adminHeader,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(cpo.theirToken()).not.toBe(oldB);
    expect(cpo.ourToken()).not.toBe(oldC);
    const ok = await h.app.inject({ method: 'GET', url: '/ocpi/versions', headers: tokenHeader(cpo.theirToken()!) });
    expect(ok.statusCode).toBe(200);
    // the previous token only keeps working for a short grace period
    const row = await h.db.db
      .withTables<{ ocpi_partner_tokens: { token_hash: string; expires_at: Date | null } }>()
      .selectFrom('ocpi_partner_tokens')
      .select('expires_at')
      .where('token_hash', '=', hashToken(oldB))
      .executeTakeFirst();
    expect(row?.expires_at).toBeInstanceOf(Date);
  });

  it('the CPO rotates (PUT credentials): new token for both, the old one is dead', async () => {
    const old = cpo.theirToken()!;
    const r = await cpo.callLataus('PUT', `${h.url}/ocpi/2.2.1/credentials`, {
      token: cpo.ourToken(),
      url: cpo.versionsUrl,
      roles: [{ role: 'CPO', country_code: 'NL', party_id: 'ABC', business_details: { name: 'Fake CPO' } }],
    });
    expect(r.status).toBe(200);
    const fresh = (r.json.data as { token: string }).token;
    expect(fresh).not.toBe(old);
    h.ctx.auth.invalidate();
    expect((await h.app.inject({ method: 'GET', url: '/ocpi/versions', headers: tokenHeader(old) })).statusCode).toBe(
      401,
    );
    expect((await h.app.inject({ method: 'GET', url: '/ocpi/versions', headers: tokenHeader(fresh) })).statusCode).toBe(
      200,
    );
  });

  it('unregisters (DELETE at the CPO) from the back office', async () => {
    const token = cpo.theirToken()!;
    const r = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/partners/${partnerId}`,
      headers: adminHeader,
    });
    expect(r.json().partner.status).toBe('UNREGISTERED');
    expect(cpo.ourToken()).toBeNull(); // the CPO got our DELETE
    expect((await h.app.inject({ method: 'GET', url: '/ocpi/versions', headers: tokenHeader(token) })).statusCode).toBe(
      401,
    );
  });

  it('fails clearly when the CPO has no mutual version or is unreachable', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/partners',
      headers: adminHeader,
      payload: { action: 'register', versions_url: 'http://127.0.0.1:9/versions', token: 'whatever' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ ocpi_status: 3001 });
  });
});

describe('a CPO registers with us (our token A → their B → our C)', () => {
  let tokenA: string;
  let partnerId: string;
  it('invites: generates token A and shows our versions URL', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/partners',
      headers: adminHeader,
      payload: { action: 'invite', name: 'Brussels CPO' },
    });
    expect(r.statusCode).toBe(201);
    tokenA = r.json().token_a;
    partnerId = r.json().partner.id;
    expect(r.json().versions_url).toBe(`${h.url}/ocpi/versions`);
    expect(r.json().partner.status).toBe('PENDING');
  });

  it('token A reaches versions and credentials only (401 elsewhere)', async () => {
    expect(
      (await h.app.inject({ method: 'GET', url: '/ocpi/versions', headers: tokenHeader(tokenA) })).statusCode,
    ).toBe(200);
    const r = await h.app.inject({ method: 'GET', url: '/ocpi/2.2.1/tokens', headers: tokenHeader(tokenA) });
    expect(r.statusCode).toBe(401);
  });

  it('the CPO POSTs its credentials; we fetch its endpoints with B and answer with C', async () => {
    const r = await cpo2.registerWith(`${h.url}/ocpi/versions`, tokenA);
    expect(r.status_code).toBe(1000);
    const tokenC = cpo2.theirToken()!;
    expect(tokenC).not.toBe(tokenA);
    const p = (
      await h.app.inject({ method: 'GET', url: `/api/v1/admin/partners/${partnerId}`, headers: adminHeader })
    ).json().partner;
    expect(p.status).toBe('REGISTERED');
    expect(p.parties).toEqual([{ country_code: 'BE', party_id: 'BEC', role: 'CPO' }]);
    expect(
      (await h.app.inject({ method: 'GET', url: '/ocpi/versions', headers: tokenHeader(tokenA) })).statusCode,
    ).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/ocpi/2.2.1/tokens', headers: tokenHeader(tokenC) })).statusCode,
    ).toBe(200);
  });

  it('suspending answers 403 on functional modules; resuming restores', async () => {
    const token = cpo2.theirToken()!;
    await h.app.inject({ method: 'POST', url: `/api/v1/admin/partners/${partnerId}/suspend`, headers: adminHeader });
    expect(
      (await h.app.inject({ method: 'GET', url: '/ocpi/2.2.1/tokens', headers: tokenHeader(token) })).statusCode,
    ).toBe(403);
    await h.app.inject({ method: 'POST', url: `/api/v1/admin/partners/${partnerId}/resume`, headers: adminHeader });
    expect(
      (await h.app.inject({ method: 'GET', url: '/ocpi/2.2.1/tokens', headers: tokenHeader(token) })).statusCode,
    ).toBe(200);
  });

  it('the CPO unregisters (DELETE); DELETE again is 405-or-401 and PUT is refused', async () => {
    const token = cpo2.theirToken()!;
    const del = await h.app.inject({ method: 'DELETE', url: '/ocpi/2.2.1/credentials', headers: tokenHeader(token) });
    expect(del.statusCode).toBe(200);
    expect(del.json().status_code).toBe(1000);
    const again = await h.app.inject({ method: 'DELETE', url: '/ocpi/2.2.1/credentials', headers: tokenHeader(token) });
    expect(again.statusCode).toBe(401); // the token died with the registration
  });

  it('PUT/DELETE credentials before registration are 405', async () => {
    const inv = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/admin/partners',
        headers: adminHeader,
        payload: { action: 'invite', name: 'X' },
      })
    ).json();
    const put = await h.app.inject({
      method: 'PUT',
      url: '/ocpi/2.2.1/credentials',
      headers: tokenHeader(inv.token_a),
      payload: { token: 'abc', url: 'http://example.com/versions', roles: [] },
    });
    expect(put.statusCode).toBe(405);
    const del = await h.app.inject({
      method: 'DELETE',
      url: '/ocpi/2.2.1/credentials',
      headers: tokenHeader(inv.token_a),
    });
    expect(del.statusCode).toBe(405);
  });
});

describe('the same party registers again (a CPO re-onboarded, a restarted simulator)', () => {
  const invite = async (name: string) =>
    (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/admin/partners',
        headers: adminHeader,
        payload: { action: 'invite', name },
      })
    ).json() as { token_a: string; partner: { id: string } };

  it('the new registration supersedes the old one: one connection per party, the old token is dead', async () => {
    const first = await startFakeCpo({ country_code: 'FI', party_id: 'FIN' });
    const second = await startFakeCpo({ country_code: 'FI', party_id: 'FIN' });
    try {
      const inv1 = await invite('Helsinki CPO');
      expect((await first.registerWith(`${h.url}/ocpi/versions`, inv1.token_a)).status_code).toBe(1000);
      const oldToken = first.theirToken()!;
      const inv2 = await invite('Helsinki CPO (new instance)');
      expect((await second.registerWith(`${h.url}/ocpi/versions`, inv2.token_a)).status_code).toBe(1000);

      const partner = async (id: string) =>
        (await h.app.inject({ method: 'GET', url: `/api/v1/admin/partners/${id}`, headers: adminHeader })).json()
          .partner;
      const old = await partner(inv1.partner.id);
      const now = await partner(inv2.partner.id);
      expect(old.status).toBe('UNREGISTERED');
      expect(old.parties).toEqual([]);
      expect(now.status).toBe('REGISTERED');
      expect(now.parties).toEqual([{ country_code: 'FI', party_id: 'FIN', role: 'CPO' }]);
      // The old instance can no longer push for the party; the new one can.
      const tokensList = (token: string) =>
        h.app.inject({ method: 'GET', url: '/ocpi/2.2.1/tokens', headers: tokenHeader(token) });
      expect((await tokensList(oldToken)).statusCode).toBe(401);
      expect((await tokensList(second.theirToken()!)).statusCode).toBe(200);
      const events = (
        await h.app.inject({ method: 'GET', url: `/api/v1/admin/partners/${inv1.partner.id}`, headers: adminHeader })
      ).json();
      expect(JSON.stringify(events)).toContain('superseded');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
