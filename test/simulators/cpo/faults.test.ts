import { afterEach, describe, expect, it } from 'vitest';
import { MALFORMED_KINDS } from '../../../simulators/cpo/core/faults.ts';
import { type RunningCpoSimulator, startCpoSimulator } from '../../../simulators/cpo/server.ts';
import type { PushRecord } from '../../../simulators/cpo/simulation.ts';
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
  sim = await startCpoSimulator({ port: 0, locations: 3, commandDelayMs: 5, tickMs: 20, ...opts });
  emsp = await startFakeEmsp();
  await emsp.registerWith(sim.versionsUrl, sim.tokenA);
  await emsp.waitFor(() => emsp?.locations.size === 3);
  await sim.idle();
  return { sim, emsp };
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const log = (s: RunningCpoSimulator) => (s.state() as { push_log: PushRecord[] }).push_log;

describe('fault modes', () => {
  it('latency and 5xx rate apply to OCPI answers, not to /__sim; faults change at runtime', async () => {
    const { sim, emsp } = await connected();
    const locations = `${sim.url}/ocpi/cpo/2.2.1/locations`;
    expect((await post(`${sim.url}/__sim/faults`, { latencyMs: 250 })).body).toMatchObject({ latencyMs: 250 });
    const t0 = performance.now();
    expect((await emsp.call('GET', locations)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    await post(`${sim.url}/__sim/faults`, { latencyMs: 0, errorRate: 1 });
    const down = await emsp.call('GET', locations);
    expect(down.status).toBe(503);
    expect(down.body.status_code).toBe(3000);
    expect((await fetch(`${sim.url}/__sim/state`)).status).toBe(200);
    expect((await post(`${sim.url}/__sim/faults`, { errorRate: 2 })).status).toBe(400);
    await post(`${sim.url}/__sim/faults`, { errorRate: 0 });
    expect((await emsp.call('GET', locations)).status).toBe(200);
  });

  it('duplicate pushes: the same request twice', async () => {
    const { sim, emsp } = await connected({ faults: { duplicateRate: 1 } });
    const puts = emsp.received.filter((r) => r.method === 'PUT' && r.url.includes('/locations/'));
    expect(puts).toHaveLength(6);
    for (const id of ['LOC000001', 'LOC000002', 'LOC000003']) {
      const same = puts.filter((r) => r.url.endsWith(`/${id}`));
      expect(same).toHaveLength(2);
      expect(same[0]?.body).toEqual(same[1]?.body);
    }
    expect(log(sim).filter((r) => r.fault === 'duplicate').length).toBeGreaterThanOrEqual(3);
  });

  it('out-of-order PATCHes: a stale PATCH (older last_updated, previous status) follows the newer one', async () => {
    const { sim, emsp } = await connected({ faults: { outOfOrderRate: 1 } });
    const before = sim.sim.locations.get('LOC000001')?.evses?.[0];
    const previous = { status: before?.status, last_updated: before?.last_updated };
    await post(`${sim.url}/__sim/status`, { location_id: 'LOC000001', evse_uid: 'LOC000001-1', status: 'INOPERATIVE' });
    await sim.idle();
    const patches = emsp.received.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => p.body)).toEqual([{ status: 'INOPERATIVE', last_updated: expect.any(String) }, previous]);
    const [newer, older] = patches.map((p) => (p.body as { last_updated: string }).last_updated);
    expect(Date.parse(older as string)).toBeLessThan(Date.parse(newer as string));
    // A receiver that honours last_updated keeps the newer status.
    const evse = ((emsp.locations.get('DE/SIM/LOC000001')?.evses ?? []) as { status: string }[])[0];
    expect(evse?.status).toBe('INOPERATIVE');
    expect(log(sim).find((r) => r.fault === 'out_of_order')?.url).toContain('/LOC000001/LOC000001-1');
  });

  it('POST /__sim/malformed sends each kind of broken object; the eMSP must answer 2001', async () => {
    const { sim } = await connected();
    for (const kind of MALFORMED_KINDS) {
      for (const variant of ['missing', 'enum']) {
        const r = await post(`${sim.url}/__sim/malformed`, { kind, variant });
        expect(r.status, `${kind}/${variant}`).toBe(200);
        expect(r.body, `${kind}/${variant}`).toMatchObject({
          fault: 'malformed',
          expect_status_code: 2001,
          status_code: 2001,
          expectation_met: true,
        });
      }
    }
    expect((await post(`${sim.url}/__sim/malformed`, { kind: 'spaceship' })).status).toBe(400);
  });

  it('malformed rate: a broken copy precedes the real push, which still arrives', async () => {
    const { sim, emsp } = await connected({ faults: { malformedRate: 1 } });
    const malformed = log(sim).filter((r) => r.fault === 'malformed');
    expect(malformed.length).toBeGreaterThanOrEqual(3 + sim.sim.tariffs.size);
    expect(malformed.every((r) => r.expectation_met === true)).toBe(true);
    expect(emsp.locations.size).toBe(3);
    expect(emsp.tariffs.size).toBe(sim.sim.tariffs.size);
  });

  it('reset clears sessions and logs and rebuilds the network; keeps the registration unless asked', async () => {
    const { sim } = await connected();
    await post(`${sim.url}/__sim/status`, { location_id: 'LOC000001', status: 'OUTOFORDER' });
    const r = await post(`${sim.url}/__sim/reset`, {});
    expect(r.body).toMatchObject({ registered: true, locations: 3, push_log: [] });
    expect(sim.sim.locations.get('LOC000001')?.evses?.[0]?.status).not.toBe('OUTOFORDER');
    const r2 = await post(`${sim.url}/__sim/reset`, { unregister: true });
    expect(r2.body).toMatchObject({ registered: false, token_a: sim.tokenA });
  });
});

describe('PATCH repair', () => {
  it('PUTs the full object when the eMSP answers a PATCH with 404', async () => {
    const { sim, emsp } = await connected();
    emsp.locations.delete('DE/SIM/LOC000002'); // the eMSP lost it
    await post(`${sim.url}/__sim/status`, { location_id: 'LOC000002', status: 'UNKNOWN' });
    await sim.idle();
    const repair = log(sim).find((r) => r.note?.startsWith('repair'));
    expect(repair).toMatchObject({ method: 'PUT', http_status: 201 });
    expect(repair?.url).toMatch(/\/locations\/DE\/SIM\/LOC000002$/);
    const evse = ((emsp.locations.get('DE/SIM/LOC000002')?.evses ?? []) as { status: string }[])[0];
    expect(evse?.status).toBe('UNKNOWN');
  });
});
