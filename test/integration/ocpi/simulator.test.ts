// Lataus against the CPO simulator (simulators/cpo) over real HTTP: registration, push and full pull sync,
// an EVSE status change reaching the map's search, START_SESSION → Session → CDR → audit, real-time authorization.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCpoSimulator, startCpoSimulator } from '../../../simulators/cpo/server.ts';
import {
  getCommand,
  runSyncUntilIdle,
  runTokenPushes,
  saveToken,
  sendCommand,
} from '../../../src/modules/roaming/index.ts';
import { adminHeader, type Harness, startLataus } from './harness.ts';

let h: Harness;
let sim: RunningCpoSimulator;
let partnerId: string;
const LOCATIONS = 6;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = async (table: 'locations' | 'evses' | 'tariffs') =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where party_id = 'SIM'`.execute(h.db.db))
      .rows[0]?.n,
  );

beforeAll(async () => {
  h = await startLataus({ network: true });
  sim = await startCpoSimulator({ port: 0, locations: LOCATIONS, commandDelayMs: 20, speed: 60 });
  await saveToken(h.ctx, {
    uid: 'SIM-RFID-1',
    type: 'RFID',
    contract_id: 'DE-LAT-C12345678-X',
    issuer: 'Lataus',
    valid: true,
    whitelist: 'NEVER',
  });
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/v1/admin/partners',
    headers: adminHeader,
    payload: { action: 'register', versions_url: sim.versionsUrl, token: sim.tokenA },
  });
  expect(r.statusCode, r.body).toBe(201);
  partnerId = r.json().partner.id;
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await h?.close();
});

describe('with the CPO simulator', () => {
  it('receives the pushed network and a full pull sync agrees with it', async () => {
    await until('pushed locations', async () => (await count('locations')) === LOCATIONS);
    await sim.idle();
    const steps = await runSyncUntilIdle(h.ctx, partnerId);
    expect(steps.filter((s) => s.error)).toEqual([]);
    const byModule = Object.fromEntries(steps.filter((s) => s.done).map((s) => [s.module, s]));
    expect(byModule.locations?.objects).toBe(LOCATIONS);
    expect(await count('tariffs')).toBeGreaterThan(0);
    const p = (
      await h.app.inject({ method: 'GET', url: `/api/v1/admin/partners/${partnerId}`, headers: adminHeader })
    ).json().partner;
    expect(p.counts.locations).toBe(LOCATIONS);
    expect(p.status).toBe('REGISTERED');
  });

  it('an EVSE status PATCH reaches the station search (GET /api/v1/locations/:id)', async () => {
    const loc = [...sim.sim.locations.values()][1]!;
    const evse = loc.evses![0]!;
    const before = (await h.app.inject({ method: 'GET', url: `/api/v1/locations/${loc.id}` })).json();
    const r = sim.sim.forceStatus({ location_id: loc.id, evse_uid: evse.uid, status: 'OUTOFORDER' });
    expect(r).toMatchObject({ status: 'OUTOFORDER' });
    await sim.idle();
    const after = await until('status in search', async () => {
      const d = (await h.app.inject({ method: 'GET', url: `/api/v1/locations/${loc.id}` })).json();
      return JSON.stringify(d).includes('OUTOFORDER') ? d : null;
    });
    expect(JSON.stringify(after)).not.toEqual(JSON.stringify(before));
    const row = await h.db.db
      .selectFrom('evses')
      .select('status')
      .where('party_id', '=', 'SIM')
      .where('uid', '=', evse.uid)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('OUTOFORDER');
  });

  it('START_SESSION → Session from the CPO → stop → CDR → audited against the tariffs', async () => {
    await runTokenPushes(h.ctx);
    const loc = [...sim.sim.locations.values()][2]!;
    const cmd = await sendCommand(h.ctx, partnerId, {
      type: 'START_SESSION',
      token_uid: 'SIM-RFID-1',
      token_type: 'RFID',
      location_id: loc.id,
      evse_uid: loc.evses![0]!.uid,
    });
    expect(cmd.state).toBe('ACCEPTED');
    await until('command result', async () => (await getCommand(h.ctx, cmd.id))?.state === 'SUCCEEDED');
    const session = await until('session', async () =>
      h.db.db
        .withTables<{ ocpi_sessions: { id: string; location_id: string; status: string; token_uid: string } }>()
        .selectFrom('ocpi_sessions')
        .selectAll()
        .where('location_id', '=', loc.id)
        .executeTakeFirst(),
    );
    expect(session.token_uid).toBe('SIM-RFID-1');
    await new Promise((r) => setTimeout(r, 1500)); // some simulated charging (speed 60)
    const stop = await sendCommand(h.ctx, partnerId, { type: 'STOP_SESSION', session_id: session.id });
    expect(stop.state).toBe('ACCEPTED');
    await sim.idle();
    // The CDR is stored first and audited right after: wait for the audit's verdict, not just the row.
    const cdr = await until('audited CDR', async () => {
      const row = await h.db.db
        .withTables<{ ocpi_cdrs: { id: string; session_id: string | null; audit_status: string } }>()
        .selectFrom('ocpi_cdrs')
        .selectAll()
        .where('session_id', '=', session.id)
        .executeTakeFirst();
      return row && row.audit_status !== 'PENDING' ? row : undefined;
    });
    expect(['OK', 'DISPUTED']).toContain(cdr.audit_status);
    expect(cdr.audit_status).toBe('OK');
    const s = await until('completed session', async () => {
      const r = await h.db.db
        .withTables<{ ocpi_sessions: { id: string; status: string } }>()
        .selectFrom('ocpi_sessions')
        .select('status')
        .where('id', '=', session.id)
        .executeTakeFirst();
      return r?.status === 'COMPLETED' ? r : null;
    });
    expect(s.status).toBe('COMPLETED');
  });

  it('real-time authorization of our token when a driver swipes it', async () => {
    const loc = [...sim.sim.locations.values()][3]!;
    const ok = await sim.sim.swipe({ token_uid: 'SIM-RFID-1', token_type: 'RFID', location_id: loc.id });
    expect(ok).toMatchObject({ ok: true });
    const unknown = await sim.sim.swipe({ token_uid: 'NOT-OURS', token_type: 'RFID', location_id: loc.id });
    expect(unknown.ok).toBe(false);
  });
});
