import { afterEach, describe, expect, it } from 'vitest';
import { type RunningCpoSimulator, startCpoSimulator } from '../../../simulators/cpo/server.ts';
import { type FakeEmsp, startFakeEmsp } from './fake-emsp.ts';

const b64 = (t: string) => Buffer.from(t, 'utf8').toString('base64');

let sim: RunningCpoSimulator | null = null;
let emsp: FakeEmsp | null = null;

afterEach(async () => {
  await sim?.close();
  await emsp?.close();
  sim = null;
  emsp = null;
});

async function get(url: string, token: string | null) {
  const res = await fetch(url, { headers: token === null ? {} : { Authorization: `Token ${b64(token)}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('CPO simulator registration', () => {
  it('serves versions and version details with token A; 401 without or with a bad token', async () => {
    sim = await startCpoSimulator({ port: 0, locations: 3, ownTokenA: 'sim-token-a' });
    expect((await get(sim.versionsUrl, null)).status).toBe(401);
    expect((await get(sim.versionsUrl, 'wrong')).status).toBe(401);
    const versions = await get(sim.versionsUrl, 'sim-token-a');
    expect(versions.status).toBe(200);
    expect(versions.body.status_code).toBe(1000);
    expect(typeof versions.body.timestamp).toBe('string');
    const [v] = versions.body.data as { version: string; url: string }[];
    expect(v?.version).toBe('2.2.1');
    const details = await get(v?.url as string, 'sim-token-a');
    const ids = (details.body.data as { endpoints: { identifier: string; role: string }[] }).endpoints.map(
      (e) => `${e.identifier}:${e.role}`,
    );
    expect(ids).toEqual(
      expect.arrayContaining([
        'credentials:SENDER',
        'locations:SENDER',
        'tariffs:SENDER',
        'sessions:SENDER',
        'cdrs:SENDER',
        'tokens:RECEIVER',
        'commands:RECEIVER',
      ]),
    );
    // Token A is only good for versions and credentials.
    expect((await get(`${sim.url}/ocpi/cpo/2.2.1/locations`, 'sim-token-a')).status).toBe(401);
    // Raw (2.1.1-style) tokens are accepted too.
    const raw = await fetch(sim.versionsUrl, { headers: { Authorization: 'Token sim-token-a' } });
    expect(raw.status).toBe(200);
  });

  it('the eMSP registers with the simulator (token A → B/C) and then receives tariffs and locations', async () => {
    sim = await startCpoSimulator({ port: 0, locations: 5 });
    emsp = await startFakeEmsp();
    const res = await emsp.registerWith(sim.versionsUrl, sim.tokenA);
    expect(res.http).toBe(200);
    expect(res.status_code).toBe(1000);
    const creds = res.data as { token: string; url: string; roles: { role: string; party_id: string }[] };
    expect(creds.url).toBe(sim.versionsUrl);
    expect(creds.roles[0]).toMatchObject({ role: 'CPO', country_code: 'DE', party_id: 'SIM' });
    expect(creds.token).not.toBe(sim.tokenA);
    // The simulator called our versions with our token B during the POST.
    const tokenB = emsp.tokenIn as string;
    expect(emsp.received.some((r) => r.url === '/ocpi/versions' && r.auth === `Token ${b64(tokenB)}`)).toBe(true);
    // Token A is dead now; token C works on modules.
    expect((await get(sim.versionsUrl, sim.tokenA)).status).toBe(401);
    expect((await get(`${sim.url}/ocpi/cpo/2.2.1/locations`, creds.token)).status).toBe(200);
    // A second POST is refused with 405.
    const again = await emsp.call('POST', `${sim.url}/ocpi/cpo/2.2.1/credentials`, {
      token: 'x',
      url: emsp.versionsUrl,
      roles: [{ role: 'EMSP', party_id: 'EMP', country_code: 'NL', business_details: { name: 'x' } }],
    });
    expect(again.status).toBe(405);
    await emsp.waitFor(() => emsp?.locations.size === 5);
    await sim.idle();
    const state = sim.state() as { tariffs: number; push_log: { kind: string; method: string; http_status: number }[] };
    expect(emsp.tariffs.size).toBe(state.tariffs);
    const puts = state.push_log.filter((p) => p.method === 'PUT');
    expect(puts.every((p) => p.http_status < 300)).toBe(true);
    // Pushes carry token B and the routing headers.
    const put = emsp.received.find((r) => r.method === 'PUT' && r.url.includes('/locations/DE/SIM/'));
    expect(put?.auth).toBe(`Token ${b64(tokenB)}`);
    expect(put?.headers['ocpi-from-party-id']).toBe('SIM');
    expect(put?.headers['ocpi-to-party-id']).toBe('EMP');
    expect(put?.headers['x-request-id']).toBeTruthy();
    // Tariffs are pushed before the locations that reference them.
    const firstLocation = emsp.received.findIndex((r) => r.url.includes('/locations/'));
    const lastTariff = emsp.received.findLastIndex((r) => r.url.includes('/tariffs/'));
    expect(lastTariff).toBeLessThan(firstLocation + 8);
  });

  it('registers with an eMSP using its token A (we are the Sender), then pushes', async () => {
    emsp = await startFakeEmsp();
    sim = await startCpoSimulator({ port: 0, locations: 4, emspVersionsUrl: null });
    const r = await sim.registerWith(emsp.versionsUrl, emsp.tokenA);
    expect(r).toEqual({ ok: true, message: 'registered' });
    const peer = emsp.peer;
    expect(peer).not.toBeNull();
    // The eMSP calls us with token B (minted by the simulator); we call it with token C (minted by the eMSP).
    expect((await get(`${sim.url}/ocpi/cpo/2.2.1/tariffs`, peer?.token as string)).status).toBe(200);
    await emsp.waitFor(() => emsp?.locations.size === 4);
    const push = emsp.received.find((x) => x.method === 'PUT');
    expect(push?.auth).toBe(`Token ${b64(emsp.tokenIn as string)}`);
    const state = sim.state() as { registered: boolean; peer: { direction: string } };
    expect(state.registered).toBe(true);
    expect(state.peer.direction).toBe('WE_REGISTERED');
  });

  it('credentials PUT rotates the token, DELETE unregisters (405 when not registered)', async () => {
    sim = await startCpoSimulator({ port: 0, locations: 1, push: false });
    emsp = await startFakeEmsp();
    await emsp.registerWith(sim.versionsUrl, sim.tokenA);
    const credUrl = `${sim.url}/ocpi/cpo/2.2.1/credentials`;
    const oldToken = emsp.peer?.token as string;
    const got = await emsp.call('GET', credUrl);
    expect((got.body.data as { token: string }).token).toBe(oldToken);
    const put = await emsp.call('PUT', credUrl, {
      token: emsp.tokenIn,
      url: emsp.versionsUrl,
      roles: [{ role: 'EMSP', party_id: 'EMP', country_code: 'NL', business_details: { name: 'Fake eMSP' } }],
    });
    expect(put.status).toBe(200);
    const newToken = (put.body.data as { token: string }).token;
    expect(newToken).not.toBe(oldToken);
    expect((await get(credUrl, oldToken)).status).toBe(401);
    expect((await get(credUrl, newToken)).status).toBe(200);
    const del = await fetch(credUrl, { method: 'DELETE', headers: { Authorization: `Token ${b64(newToken)}` } });
    expect(del.status).toBe(200);
    // Token A works again for a new registration; DELETE without registration → 405.
    const del2 = await fetch(credUrl, { method: 'DELETE', headers: { Authorization: `Token ${b64(sim.tokenA)}` } });
    expect(del2.status).toBe(405);
  });

  it('answers 3001 when it cannot reach the registering eMSP', async () => {
    sim = await startCpoSimulator({ port: 0, locations: 1, push: false });
    const res = await fetch(`${sim.url}/ocpi/cpo/2.2.1/credentials`, {
      method: 'POST',
      headers: { Authorization: `Token ${b64(sim.tokenA)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        token: 'tok-b',
        url: 'http://127.0.0.1:9/ocpi/versions',
        roles: [{ role: 'EMSP', party_id: 'EMP', country_code: 'NL', business_details: { name: 'x' } }],
      }),
    });
    const body = (await res.json()) as { status_code: number };
    expect(body.status_code).toBe(3001);
    // Invalid JSON → HTTP 400 with an OCPI envelope.
    const bad = await fetch(`${sim.url}/ocpi/cpo/2.2.1/credentials`, {
      method: 'POST',
      headers: { Authorization: `Token ${b64(sim.tokenA)}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { status_code: number }).status_code).toBe(2001);
  });
});
