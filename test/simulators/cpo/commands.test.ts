import { afterEach, describe, expect, it } from 'vitest';
import { type RunningCpoSimulator, startCpoSimulator } from '../../../simulators/cpo/server.ts';
import { priceCdr } from '../../../src/modules/tariffs/index.ts';
import { type FakeEmsp, startFakeEmsp } from './fake-emsp.ts';

let sim: RunningCpoSimulator | null = null;
let emsp: FakeEmsp | null = null;

afterEach(async () => {
  await sim?.close();
  await emsp?.close();
  sim = null;
  emsp = null;
});

type Json = Record<string, unknown>;

const TOKEN = {
  country_code: 'NL',
  party_id: 'EMP',
  uid: 'APP-0001',
  type: 'APP_USER',
  contract_id: 'NL-EMP-C00000001',
  issuer: 'Fake eMSP',
  valid: true,
  whitelist: 'NEVER',
  last_updated: '2026-11-01T00:00:00Z',
};

async function connected(opts: Parameters<typeof startCpoSimulator>[0] = {}) {
  sim = await startCpoSimulator({ port: 0, locations: 6, commandDelayMs: 5, tickMs: 20, ...opts });
  emsp = await startFakeEmsp();
  await emsp.registerWith(sim.versionsUrl, sim.tokenA);
  await emsp.waitFor(() => emsp?.locations.size === (opts.locations ?? 6));
  await sim.idle();
  return { sim, emsp };
}

/** The eMSP's copy of an EVSE status. */
function evseStatus(e: FakeEmsp | null, locationId: string, evseUid: string): string | undefined {
  const evses = (e?.locations.get(`DE/SIM/${locationId}`)?.evses ?? []) as { uid: string; status: string }[];
  return evses.find((x) => x.uid === evseUid)?.status;
}

/** An AVAILABLE EVSE of the simulator, AC or DC. */
function availableEvse(s: RunningCpoSimulator, dc: boolean) {
  for (const l of s.sim.locations.values()) {
    for (const e of l.evses ?? []) {
      if (e.status === 'AVAILABLE' && (e.connectors[0]?.power_type === 'DC') === dc) return { l, e };
    }
  }
  throw new Error('no available EVSE');
}

describe('commands', () => {
  it('START_SESSION → ACCEPTED, Session PUT, EVSE CHARGING, CommandResult; STOP_SESSION → COMPLETED, CDR', async () => {
    const { sim, emsp } = await connected({ speed: 3600, sessionUpdateSeconds: 300, autoStopParkMinutes: 0 });
    const { l, e } = availableEvse(sim, false);
    const commands = emsp.endpoint('commands');
    const start = await emsp.call('POST', `${commands}/START_SESSION`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/START_SESSION/abc-1`,
      token: TOKEN,
      location_id: l.id,
      evse_uid: e.uid,
      authorization_reference: 'REF-1',
    });
    expect(start.status).toBe(200);
    expect(start.body.status_code).toBe(1000);
    expect(start.body.data).toEqual({ result: 'ACCEPTED', timeout: 30 });
    await emsp.waitFor(() => emsp?.commandResults.length === 1);
    expect(emsp.commandResults[0]).toEqual({ path: 'START_SESSION/abc-1', body: { result: 'ACCEPTED' } });
    const sessionKey = await emsp.waitFor(() => [...(emsp?.sessions.keys() ?? [])][0]);
    const session = emsp.sessions.get(sessionKey) as Json;
    expect(session).toMatchObject({
      country_code: 'DE',
      party_id: 'SIM',
      status: 'ACTIVE',
      auth_method: 'COMMAND',
      authorization_reference: 'REF-1',
      location_id: l.id,
      evse_uid: e.uid,
      cdr_token: {
        uid: 'APP-0001',
        type: 'APP_USER',
        country_code: 'NL',
        party_id: 'EMP',
        contract_id: 'NL-EMP-C00000001',
      },
    });
    await emsp.waitFor(() => evseStatus(emsp, l.id, e.uid) === 'CHARGING');
    // ~30 simulated minutes of charging: several PATCHes with growing kWh.
    await emsp.waitFor(() => ((emsp?.sessions.get(sessionKey)?.kwh as number) ?? 0) > 4, 5000);
    const patches = emsp.received.filter((r) => r.method === 'PATCH' && r.url.includes('/sessions/'));
    expect(patches.length).toBeGreaterThanOrEqual(2);
    for (const p of patches) expect(p.body).toHaveProperty('last_updated');
    const id = String(session.id);
    const stop = await emsp.call('POST', `${commands}/STOP_SESSION`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/STOP_SESSION/abc-2`,
      session_id: id,
    });
    expect(stop.body.data).toEqual({ result: 'ACCEPTED', timeout: 30 });
    const cdr = await emsp.waitFor(() => emsp?.cdrs.get(`CDR-${id}`));
    await sim.idle();
    expect(emsp.commandResults[1]).toEqual({ path: 'STOP_SESSION/abc-2', body: { result: 'ACCEPTED' } });
    const final = emsp.sessions.get(sessionKey) as Json;
    expect(final.status).toBe('COMPLETED');
    expect(final.kwh).toBe(cdr.total_energy);
    // The eMSP's copy of the periods (PATCH appends) equals the CDR's periods.
    expect(final.charging_periods).toEqual(cdr.charging_periods);
    expect(final.total_cost).toEqual(cdr.total_cost);
    // The CDR is priced by the tariff engine from its own periods and embedded tariff.
    const priced = priceCdr({
      cdr: cdr as never,
      tariffs: cdr.tariffs as never,
      timeZone: l.time_zone,
      breakdown: false,
    });
    expect(priced.ok).toBe(true);
    if (priced.ok) {
      expect(cdr.total_cost).toEqual({
        excl_vat: Number(priced.result.total_cost.excl_vat),
        incl_vat: Number(priced.result.total_cost.incl_vat),
      });
    }
    expect(cdr).toMatchObject({
      session_id: id,
      auth_method: 'COMMAND',
      authorization_reference: 'REF-1',
      cdr_location: { id: l.id, evse_uid: e.uid, connector_id: '1', evse_id: e.evse_id },
    });
    // EVSE back to AVAILABLE; the eMSP's Location header is kept.
    await emsp.waitFor(() => evseStatus(emsp, l.id, e.uid) === 'AVAILABLE');
    const state = sim.state() as { cdrs_sent: number; cdrs: { emsp_location: string }[] };
    expect(state.cdrs_sent).toBe(1);
    expect(state.cdrs[0]?.emsp_location).toBe(`${emsp.url}/ocpi/2.2.1/cdrs/CDR-${id}`);
    // Pull: the CDR and the session are served by the Sender interfaces too.
    const pulled = await emsp.call('GET', `${sim.url}/ocpi/cpo/2.2.1/cdrs`);
    expect((pulled.body.data as Json[])[0]).toEqual(cdr);
  });

  it('answers 2003/REJECTED for an unknown location, UNKNOWN_SESSION for STOP of an unknown session', async () => {
    const { emsp } = await connected({ push: true });
    const commands = emsp.endpoint('commands');
    const start = await emsp.call('POST', `${commands}/START_SESSION`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/START_SESSION/x`,
      token: TOKEN,
      location_id: 'NOWHERE',
    });
    expect(start.body.status_code).toBe(2003);
    expect((start.body.data as Json).result).toBe('REJECTED');
    const stop = await emsp.call('POST', `${commands}/STOP_SESSION`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/STOP_SESSION/y`,
      session_id: 'NOPE',
    });
    expect((stop.body.data as Json).result).toBe('UNKNOWN_SESSION');
    const bad = await emsp.call('POST', `${commands}/START_SESSION`, { token: TOKEN });
    expect(bad.body.status_code).toBe(2001);
    const unknown = await emsp.call('POST', `${commands}/SELF_DESTRUCT`, {});
    expect((unknown.body.data as Json).result).toBe('NOT_SUPPORTED');
    expect(emsp.commandResults).toEqual([]);
  });

  it('START_SESSION on an occupied EVSE → ACCEPTED then CommandResult EVSE_OCCUPIED', async () => {
    const { sim, emsp } = await connected();
    const { l, e } = availableEvse(sim, false);
    e.status = 'BLOCKED';
    await emsp.call('POST', `${emsp.endpoint('commands')}/START_SESSION`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/START_SESSION/occ`,
      token: TOKEN,
      location_id: l.id,
      evse_uid: e.uid,
    });
    await emsp.waitFor(() => emsp?.commandResults.length === 1);
    expect(emsp.commandResults[0]?.body.result).toBe('EVSE_OCCUPIED');
    expect(emsp.sessions.size).toBe(0);
  });

  it('RESERVE_NOW creates a RESERVATION session, CANCEL_RESERVATION ends it; UNLOCK_CONNECTOR', async () => {
    const { sim, emsp } = await connected({ locations: 30 });
    let target: { l: string; e: string } | null = null;
    for (const l of sim.sim.locations.values())
      for (const e of l.evses ?? [])
        if (!target && e.status === 'AVAILABLE' && e.capabilities?.includes('RESERVABLE'))
          target = { l: l.id, e: e.uid };
    expect(target).not.toBeNull();
    const commands = emsp.endpoint('commands');
    const expiry = new Date(sim.sim.simNow() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await emsp.call('POST', `${commands}/RESERVE_NOW`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/RESERVE_NOW/r1`,
      token: TOKEN,
      expiry_date: expiry,
      reservation_id: 'RES-1',
      location_id: target?.l,
      evse_uid: target?.e,
    });
    expect((r.body.data as Json).result).toBe('ACCEPTED');
    await emsp.waitFor(() => emsp?.commandResults.length === 1);
    expect(emsp.commandResults[0]?.body.result).toBe('ACCEPTED');
    const session = await emsp.waitFor(() => [...(emsp?.sessions.values() ?? [])][0]);
    expect(session.status).toBe('RESERVATION');
    const c = await emsp.call('POST', `${commands}/CANCEL_RESERVATION`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/CANCEL_RESERVATION/r2`,
      reservation_id: 'RES-1',
    });
    expect((c.body.data as Json).result).toBe('ACCEPTED');
    await emsp.waitFor(() => emsp?.commandResults.length === 2);
    expect(emsp.commandResults[1]?.body.result).toBe('ACCEPTED');
    await sim.idle();
    expect([...emsp.sessions.values()][0]?.status).toBe('COMPLETED');
    const c2 = await emsp.call('POST', `${commands}/CANCEL_RESERVATION`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/CANCEL_RESERVATION/r3`,
      reservation_id: 'RES-404',
    });
    expect((c2.body.data as Json).result).toBe('ACCEPTED');
    await emsp.waitFor(() => emsp?.commandResults.length === 3);
    expect(emsp.commandResults[2]?.body.result).toBe('UNKNOWN_RESERVATION');
    const u = await emsp.call('POST', `${commands}/UNLOCK_CONNECTOR`, {
      response_url: `${emsp.url}/ocpi/2.2.1/commands/UNLOCK_CONNECTOR/u1`,
      location_id: target?.l,
      evse_uid: target?.e,
      connector_id: '1',
    });
    expect((u.body.data as Json).result).toBe('ACCEPTED');
    await emsp.waitFor(() => emsp?.commandResults.length === 4);
    expect(emsp.commandResults[3]).toEqual({ path: 'UNLOCK_CONNECTOR/u1', body: { result: 'ACCEPTED' } });
  });
});

describe('RFID swipe with real-time authorization', () => {
  it('authorizes at the eMSP, starts with AUTH_REQUEST and the authorization_reference; refuses unknown tokens', async () => {
    const { sim, emsp } = await connected({ speed: 600, locations: 20 });
    emsp.authorizations.set('RFID-42', 'ALLOWED');
    emsp.authorizations.set('RFID-BLOCKED', 'BLOCKED');
    const { l, e } = availableEvse(sim, true);
    const swipe = async (uid: string, evse?: string) => {
      const res = await fetch(`${sim.url}/__sim/swipe`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token_uid: uid, location_id: l.id, ...(evse ? { evse_uid: evse } : {}) }),
      });
      return (await res.json()) as Json;
    };
    expect(await swipe('RFID-UNKNOWN', e.uid)).toMatchObject({ ok: false, message: 'unknown token' });
    expect(await swipe('RFID-BLOCKED', e.uid)).toMatchObject({ ok: false, message: 'BLOCKED' });
    const ok = await swipe('RFID-42', e.uid);
    expect(ok).toMatchObject({ ok: true, result: 'ACCEPTED' });
    const authorize = emsp.received.filter((r) => r.url.includes('/authorize'));
    expect(authorize.map((r) => r.url)).toEqual([
      '/ocpi/2.2.1/tokens/RFID-UNKNOWN/authorize?type=RFID',
      '/ocpi/2.2.1/tokens/RFID-BLOCKED/authorize?type=RFID',
      '/ocpi/2.2.1/tokens/RFID-42/authorize?type=RFID',
    ]);
    expect(authorize[2]?.body).toEqual({ location_id: l.id, evse_uids: [e.uid] });
    const session = await emsp.waitFor(() => [...(emsp?.sessions.values() ?? [])][0]);
    expect(session).toMatchObject({
      auth_method: 'AUTH_REQUEST',
      authorization_reference: 'AUTH-RFID-42',
      cdr_token: { uid: 'RFID-42', type: 'RFID' },
      evse_uid: e.uid,
    });
    // Stopping at the charger ends the session and sends the CDR.
    const stop = await fetch(`${sim.url}/__sim/sessions/${session.id}/stop`, { method: 'POST' });
    expect(stop.status).toBe(200);
    const cdr = await emsp.waitFor(() => emsp?.cdrs.get(`CDR-${session.id}`));
    expect(cdr.auth_method).toBe('AUTH_REQUEST');
  });

  it('accepts tokens pushed by the eMSP (PUT/PATCH/GET) and starts ALWAYS-whitelisted ones without asking', async () => {
    const { sim, emsp } = await connected();
    const url = `${emsp.endpoint('tokens')}/NL/EMP/CARD-1`;
    const token = { ...TOKEN, uid: 'CARD-1', type: 'RFID', whitelist: 'ALWAYS' };
    const put = await emsp.call('PUT', url, token);
    expect(put.status).toBe(201);
    expect((await emsp.call('PUT', url, token)).status).toBe(200);
    const got = await emsp.call('GET', `${url}?type=RFID`);
    expect(got.body.data).toEqual(token);
    const patched = await emsp.call('PATCH', url, { valid: false, last_updated: '2026-11-02T00:00:00Z' });
    expect(patched.body.status_code).toBe(1000);
    expect(((await emsp.call('GET', url)).body.data as Json).valid).toBe(false);
    expect((await emsp.call('PATCH', url, { valid: true })).body.status_code).toBe(2001);
    expect((await emsp.call('PUT', `${emsp.endpoint('tokens')}/NL/EMP/OTHER`, token)).body.status_code).toBe(2001);
    expect((await emsp.call('GET', `${emsp.endpoint('tokens')}/NL/EMP/NOPE`)).status).toBe(404);
    await emsp.call('PATCH', url, { valid: true, last_updated: '2026-11-03T00:00:00Z' });
    const { l, e } = availableEvse(sim, false);
    const res = await fetch(`${sim.url}/__sim/swipe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token_uid: 'CARD-1', location_id: l.id, evse_uid: e.uid }),
    });
    expect(await res.json()).toMatchObject({ ok: true });
    expect(emsp.received.some((r) => r.url.includes('/authorize'))).toBe(false);
    const session = await emsp.waitFor(() => [...(emsp?.sessions.values() ?? [])][0]);
    expect(session.auth_method).toBe('WHITELIST');
  });
});
