import { afterEach, describe, expect, it } from 'vitest';
import { nextLink } from '../../../simulators/cpo/core/ocpi.ts';
import { type RunningCpoSimulator, startCpoSimulator } from '../../../simulators/cpo/server.ts';
import { type FakeEmsp, startFakeEmsp } from './fake-emsp.ts';

let sim: RunningCpoSimulator | null = null;
let emsp: FakeEmsp | null = null;

afterEach(async () => {
  await sim?.close();
  await emsp?.close();
  sim = null;
  emsp = null;
});

async function connected(opts: Parameters<typeof startCpoSimulator>[0] = {}) {
  sim = await startCpoSimulator({ port: 0, locations: 6, ...opts });
  emsp = await startFakeEmsp();
  await emsp.registerWith(sim.versionsUrl, sim.tokenA);
  await emsp.waitFor(() => (opts.push === false ? true : emsp?.locations.size === (opts.locations ?? 6)));
  await sim.idle();
  return { sim, emsp };
}

describe('status PATCHes', () => {
  it('POST /__sim/status forces a status change that is PATCHed at the EVSE URL with last_updated', async () => {
    const { sim, emsp } = await connected();
    const res = await fetch(`${sim.url}/__sim/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ location_id: 'LOC000002', evse_uid: 'LOC000002-1', status: 'OUTOFORDER' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ location_id: 'LOC000002', evse_uid: 'LOC000002-1', status: 'OUTOFORDER' });
    await sim.idle();
    const patch = emsp.received.find((r) => r.method === 'PATCH');
    expect(patch?.url).toBe('/ocpi/2.2.1/locations/DE/SIM/LOC000002/LOC000002-1');
    expect(patch?.body).toEqual({ status: 'OUTOFORDER', last_updated: expect.any(String) });
    const loc = emsp.locations.get('DE/SIM/LOC000002') as { evses: { uid: string; status: string }[] };
    expect(loc.evses.find((e) => e.uid === 'LOC000002-1')?.status).toBe('OUTOFORDER');
    // The simulator's own copy (served for pull) changed too, with last_updated propagated to the location.
    const own = sim.sim.locations.get('LOC000002');
    expect(own?.evses?.[0]?.status).toBe('OUTOFORDER');
    expect(own?.last_updated).toBe(own?.evses?.[0]?.last_updated);
  });

  it('pushes random status changes at the configured rate', async () => {
    const { sim, emsp } = await connected({ statusRate: 40, tickMs: 20 });
    await emsp.waitFor(() => emsp?.received.filter((r) => r.method === 'PATCH').length >= 8, 5000);
    const patches = emsp.received.filter((r) => r.method === 'PATCH');
    for (const p of patches) {
      expect(p.url).toMatch(/^\/ocpi\/2\.2\.1\/locations\/DE\/SIM\/LOC\d{6}\/LOC\d{6}-\d+$/);
      expect(p.answered?.status_code).toBe(1000);
    }
    expect((sim.state() as { counters: { statusChanges: number } }).counters.statusChanges).toBeGreaterThanOrEqual(8);
  });
});

describe('Sender GET lists (pull)', () => {
  it('paginates locations with Link, X-Total-Count and X-Limit, and filters on last_updated', async () => {
    const { sim, emsp } = await connected({ locations: 23, pageLimit: 10, push: false });
    const first = await emsp.call('GET', `${sim.url}/ocpi/cpo/2.2.1/locations?limit=50`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-total-count')).toBe('23');
    expect(first.headers.get('x-limit')).toBe('10');
    expect((first.body.data as unknown[]).length).toBe(10);
    const ids: string[] = [];
    let url: string | null = `${sim.url}/ocpi/cpo/2.2.1/locations`;
    let pages = 0;
    while (url) {
      const page = await emsp.call('GET', url);
      ids.push(...(page.body.data as { id: string }[]).map((l) => l.id));
      url = nextLink(page.headers.get('link'));
      pages++;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual([...sim.sim.locations.keys()]);
    // date_from (inclusive) / date_to (exclusive) filter on last_updated, and are repeated in the next link.
    const all = [...sim.sim.locations.values()].map((l) => l.last_updated).sort();
    const from = all[5] as string;
    const filtered = await emsp.call('GET', `${sim.url}/ocpi/cpo/2.2.1/locations?date_from=${from}&limit=5`);
    const expected = all.filter((t) => t >= from).length;
    expect(filtered.headers.get('x-total-count')).toBe(String(expected));
    const link = nextLink(filtered.headers.get('link'));
    expect(link).toContain(`date_from=${encodeURIComponent(from)}`);
    expect(link).toContain('offset=5');
    const to = await emsp.call('GET', `${sim.url}/ocpi/cpo/2.2.1/locations?date_to=${from}`);
    expect(Number(to.headers.get('x-total-count'))).toBe(all.filter((t) => t < from).length);
    // Bad parameters → 2001.
    const bad = await emsp.call('GET', `${sim.url}/ocpi/cpo/2.2.1/locations?date_from=yesterday`);
    expect(bad.body.status_code).toBe(2001);
  });

  it('last_updated follows the wall clock even at --speed > 1, so a pull up to now sees every change', async () => {
    const { sim, emsp } = await connected({ locations: 4, speed: 3600 });
    await new Promise((r) => setTimeout(r, 300)); // the simulated clock is now ~18 minutes ahead
    await fetch(`${sim.url}/__sim/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ location_id: 'LOC000003', status: 'BLOCKED' }),
    });
    const loc = sim.sim.locations.get('LOC000003');
    expect(Date.parse(loc?.last_updated as string)).toBeLessThanOrEqual(Date.now());
    const upToNow = new Date(Date.now() + 1000).toISOString();
    const page = await emsp.call('GET', `${sim.url}/ocpi/cpo/2.2.1/locations?date_to=${upToNow}`);
    expect(page.headers.get('x-total-count')).toBe('4');
  });

  it('serves single objects, tariffs, and requires date_from on sessions', async () => {
    const { sim, emsp } = await connected({ locations: 2, push: false });
    const base = `${sim.url}/ocpi/cpo/2.2.1`;
    const loc = await emsp.call('GET', `${base}/locations/LOC000001`);
    expect((loc.body.data as { id: string }).id).toBe('LOC000001');
    const evse = await emsp.call('GET', `${base}/locations/LOC000001/LOC000001-1`);
    expect((evse.body.data as { uid: string }).uid).toBe('LOC000001-1');
    const conn = await emsp.call('GET', `${base}/locations/LOC000001/LOC000001-1/1`);
    expect((conn.body.data as { id: string }).id).toBe('1');
    const missing = await emsp.call('GET', `${base}/locations/NOPE`);
    expect(missing.status).toBe(404);
    expect(missing.body.status_code).toBe(2003);
    const tariffs = await emsp.call('GET', `${base}/tariffs`);
    expect((tariffs.body.data as unknown[]).length).toBe(sim.sim.tariffs.size);
    const sessions = await emsp.call('GET', `${base}/sessions`);
    expect(sessions.body.status_code).toBe(2001);
    const sessions2 = await emsp.call('GET', `${base}/sessions?date_from=2020-01-01T00:00:00Z`);
    expect(sessions2.body.status_code).toBe(1000);
    const cdrs = await emsp.call('GET', `${base}/cdrs`);
    expect(cdrs.body.data).toEqual([]);
  });
});
