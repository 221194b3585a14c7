// Sender interfaces (Tokens list + real-time authorization, token pushes, commands with asynchronous results and
// timeouts) and the pull client (full sync, pagination through Link, resume after a crash, delta windows).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLocationDetail } from '../../../src/modules/network/network.search.ts';
import {
  expireCommands,
  getCommand,
  queueSync,
  runSyncStep,
  runSyncUntilIdle,
  runTokenPushes,
  saveToken,
  sendCommand,
} from '../../../src/modules/roaming/index.ts';
import { type FakeCpo, startFakeCpo } from './fake-cpo.ts';
import { adminHeader, example, type Harness, startLataus, tokenHeader } from './harness.ts';

let h: Harness;
let cpo: FakeCpo;
let partnerId: string;
type Obj = Record<string, unknown>;

const location = (id: string, last_updated: string): Obj => ({
  ...example('location_example.json'),
  country_code: 'NL',
  party_id: 'ABC',
  id,
  last_updated,
});

beforeAll(async () => {
  h = await startLataus();
  cpo = await startFakeCpo({ country_code: 'NL', party_id: 'ABC', pageSize: 2 });
  for (let i = 1; i <= 5; i++) cpo.data.locations.push(location(`L${i}`, `2024-01-0${i}T00:00:00Z`));
  const t = example('tariff_1_simple_2hour.json');
  cpo.data.tariffs.push({ ...t, country_code: 'NL', party_id: 'ABC' });
  cpo.data.sessions.push({ ...example('session_example_2_short_finished.json'), country_code: 'NL', party_id: 'ABC' });
  cpo.data.cdrs.push({ ...example('cdr_example.json'), country_code: 'NL', party_id: 'ABC', id: 'PULLED-1' });
  cpo.data.cdrs.push({
    ...example('cdr_example.json'),
    country_code: 'NL',
    party_id: 'ABC',
    id: 'BROKEN',
    currency: 'euro',
  });
  await saveToken(h.ctx, {
    uid: 'APP-1',
    type: 'APP_USER',
    contract_id: 'DE-LAT-C00000001-X',
    issuer: 'Lataus',
    valid: true,
    whitelist: 'NEVER',
  });
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/v1/admin/partners',
    headers: adminHeader,
    payload: { action: 'register', versions_url: cpo.versionsUrl, token: cpo.tokenA, name: 'Pull CPO' },
  });
  expect(r.statusCode, r.body).toBe(201);
  partnerId = r.json().partner.id;
});
afterAll(async () => {
  await cpo?.close();
  await h?.close();
});

describe('pull client', () => {
  it('a crash after the first page resumes from the persisted cursor (Link), not from the start', async () => {
    const first = await runSyncStep(h.ctx, { partnerId, stopAfterPage: 1 });
    expect(first).toMatchObject({ pages: 1 });
    const module = first!.module;
    // the "crashed" worker's lease expires; another worker picks the cursor up
    await sql`update ocpi_sync_cursors set locked_until = now() - interval '1 second' where partner_id = ${partnerId}`.execute(
      h.db.db,
    );
    const before = cpo.listRequests.length;
    cpo.failLists(1); // and the partner fails once on the way
    const failed = await runSyncStep(h.ctx, { partnerId });
    expect(failed?.error).toMatch(/HTTP 500/);
    await sql`update ocpi_sync_cursors set locked_until = null where partner_id = ${partnerId}`.execute(h.db.db);
    await runSyncUntilIdle(h.ctx, partnerId);
    const resumed = cpo.listRequests.slice(before).filter((u) => u.startsWith(module));
    expect(resumed.every((u) => !/offset=0(&|$)/.test(u))).toBe(true);
  });

  it('the full sync stored every valid object, counted the invalid one, and shows in the back office', async () => {
    const p = (
      await h.app.inject({ method: 'GET', url: `/api/v1/admin/partners/${partnerId}`, headers: adminHeader })
    ).json().partner;
    expect(p.counts).toMatchObject({ locations: 5, tariffs: 1, sessions: 1, cdrs: 1 });
    const byModule = Object.fromEntries(p.sync.map((s: Obj) => [s.module, s]));
    expect(byModule.locations).toMatchObject({ status: 'IDLE', objects: 5, pages: 3 });
    expect(byModule.cdrs).toMatchObject({ status: 'IDLE', objects: 1, rejected: 1 });
    expect(byModule.cdrs.last_success_at).toBeTruthy();
    expect(p.recent_errors.some((e: Obj) => String(e.message).includes('BROKEN'))).toBe(true);
    expect(cpo.listRequests.some((u) => u.startsWith('sessions?') && u.includes('date_from=1970-01-01T00'))).toBe(true);
  });

  it('a delta sync asks from the last window end and picks up only what changed', async () => {
    cpo.data.locations.push(location('L6', new Date(Date.now() + 1000).toISOString()));
    const before = cpo.listRequests.length;
    await new Promise((r) => setTimeout(r, 1100));
    await queueSync(h.db.db, partnerId, 'DELTA', ['locations']);
    const [r] = await runSyncUntilIdle(h.ctx, partnerId);
    expect(r).toMatchObject({ module: 'locations', objects: 1, done: true });
    expect(cpo.listRequests.slice(before)[0]).toMatch(/date_from=\d{4}-/);
  });

  it('re-sync from the back office queues all modules', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/partners/${partnerId}/sync`,
      headers: adminHeader,
      payload: { mode: 'FULL' },
    });
    expect(r.statusCode).toBe(202);
    const steps = await runSyncUntilIdle(h.ctx, partnerId);
    expect(steps.map((s) => s.module).sort()).toEqual(['cdrs', 'locations', 'sessions', 'tariffs']);
  });
});

describe('a full pull finds tariffs deleted at the CPO', () => {
  it('removes the ones no longer listed, keeps the ones pushed while the pull ran', async () => {
    const base = cpo.data.tariffs[0]!;
    const gone = { ...base, id: 'T-GONE', last_updated: '2024-02-01T00:00:00Z' };
    cpo.data.tariffs.push(gone);
    await queueSync(h.db.db, partnerId, 'FULL', ['tariffs']);
    await runSyncUntilIdle(h.ctx, partnerId);
    const ids = async () =>
      (
        await h.db.db
          .selectFrom('tariffs')
          .select('id')
          .where('country_code', '=', 'NL')
          .where('party_id', '=', 'ABC')
          .orderBy('id')
          .execute()
      ).map((t) => t.id);
    expect(await ids()).toContain('T-GONE');

    // The CPO deletes T-GONE but its DELETE push never reaches us; meanwhile it pushes a new tariff that is newer
    // than the next pull's window (so not in its list).
    cpo.data.tariffs.splice(cpo.data.tariffs.indexOf(gone), 1);
    const fresh = { ...base, id: 'T-FRESH', last_updated: new Date(Date.now() + 3_600_000).toISOString() };
    const put = await cpo.callLataus('PUT', `${h.url}/ocpi/2.2.1/tariffs/NL/ABC/T-FRESH`, fresh);
    expect(put.json.status_code, JSON.stringify(put.json)).toBe(1000);
    await queueSync(h.db.db, partnerId, 'FULL', ['tariffs']);
    await runSyncUntilIdle(h.ctx, partnerId);
    const now = await ids();
    expect(now).not.toContain('T-GONE');
    expect(now).toEqual(expect.arrayContaining([base.id as string, 'T-FRESH']));
    const events = (
      await h.app.inject({ method: 'GET', url: `/api/v1/admin/partners/${partnerId}`, headers: adminHeader })
    ).json();
    expect(JSON.stringify(events)).toContain('1 removed');
    const left = await sql<{ n: string }>`select count(*) as n from ocpi_sync_seen`.execute(h.db.db);
    expect(Number(left.rows[0]!.n)).toBe(0);
  });

  it('an empty list removes nothing (more likely a broken endpoint than no tariffs at all)', async () => {
    const saved = cpo.data.tariffs.splice(0);
    try {
      const before = await h.db.db.selectFrom('tariffs').select('id').where('party_id', '=', 'ABC').execute();
      await queueSync(h.db.db, partnerId, 'FULL', ['tariffs']);
      await runSyncUntilIdle(h.ctx, partnerId);
      const after = await h.db.db.selectFrom('tariffs').select('id').where('party_id', '=', 'ABC').execute();
      expect(after.length).toBe(before.length);
      expect(after.length).toBeGreaterThan(0);
    } finally {
      cpo.data.tariffs.push(...saved);
    }
  });
});

describe('a full pull finds locations the CPO no longer lists', () => {
  const published = async () =>
    (
      await h.db.db
        .selectFrom('locations')
        .select('id')
        .where('country_code', '=', 'NL')
        .where('party_id', '=', 'ABC')
        .where('publish', '=', true)
        .orderBy('id')
        .execute()
    ).map((l) => l.id);

  it('hides them from drivers, keeps them stored, and shows them again when the CPO lists them again', async () => {
    await queueSync(h.db.db, partnerId, 'FULL', ['locations']);
    await runSyncUntilIdle(h.ctx, partnerId);
    expect(await published()).toEqual(expect.arrayContaining(['L1', 'L2', 'L3']));
    const l2 = cpo.data.locations.find((l) => l.id === 'L2')!;
    cpo.data.locations.splice(cpo.data.locations.indexOf(l2), 1);
    try {
      await queueSync(h.db.db, partnerId, 'FULL', ['locations']);
      await runSyncUntilIdle(h.ctx, partnerId);
      expect(await published()).not.toContain('L2');
      expect(await published()).toContain('L1');
      const stored = await h.db.db.selectFrom('locations').select('id').where('id', '=', 'L2').executeTakeFirst();
      expect(stored?.id).toBe('L2');
      // The station page (and search, test/integration/network) shows published locations only.
      expect((await findLocationDetail(h.db.db, 'L2', {}, new Date())).ok).toBe(false);
      expect((await findLocationDetail(h.db.db, 'L1', {}, new Date())).ok).toBe(true);
      const events = (
        await h.app.inject({ method: 'GET', url: `/api/v1/admin/partners/${partnerId}`, headers: adminHeader })
      ).json();
      expect(JSON.stringify(events)).toContain('1 hidden');
    } finally {
      cpo.data.locations.push(l2);
    }
    await queueSync(h.db.db, partnerId, 'FULL', ['locations']);
    await runSyncUntilIdle(h.ctx, partnerId);
    expect(await published()).toContain('L2');
    expect((await findLocationDetail(h.db.db, 'L2', {}, new Date())).ok).toBe(true);
  });
});

describe('tokens (Sender)', () => {
  it('pushes our tokens to the CPO (outbox + worker), including later changes', async () => {
    await runTokenPushes(h.ctx);
    expect(cpo.tokens.get('DE/LAT/APP-1')).toMatchObject({ uid: 'APP-1', type: 'APP_USER', valid: true });
    await saveToken(h.ctx, {
      uid: 'APP-1',
      type: 'APP_USER',
      contract_id: 'DE-LAT-C00000001-X',
      issuer: 'Lataus',
      valid: false,
      whitelist: 'NEVER',
    });
    await runTokenPushes(h.ctx);
    expect(cpo.tokens.get('DE/LAT/APP-1')).toMatchObject({ valid: false });
  });

  it('GET list is paginated with Link, X-Total-Count, X-Limit and date filters', async () => {
    for (let i = 0; i < 4; i++)
      await saveToken(h.ctx, {
        uid: `RFID-${i}`,
        type: 'RFID',
        contract_id: `DE-LAT-C0000001${i}-X`,
        issuer: 'Lataus',
        valid: true,
        whitelist: 'ALLOWED',
        last_updated: `2024-02-0${i + 1}T00:00:00Z`,
      });
    const auth = tokenHeader(cpo.theirToken()!);
    const first = await h.app.inject({ method: 'GET', url: '/ocpi/2.2.1/tokens', headers: auth });
    expect(first.headers['x-total-count']).toBe('5');
    expect(first.headers['x-limit']).toBe('2');
    expect(first.json().data.map((t: Obj) => t.uid)).toEqual(['RFID-0', 'RFID-1']);
    const seen: string[] = [];
    let url: string | null = `${h.url}/ocpi/2.2.1/tokens`;
    while (url) {
      const r: { json(): { data: Obj[] }; headers: Record<string, unknown> } = await h.app.inject({
        method: 'GET',
        url: new URL(url).pathname + new URL(url).search,
        headers: auth,
      });
      seen.push(...r.json().data.map((t: Obj) => String(t.uid)));
      url = /<([^>]+)>; rel="next"/.exec(String(r.headers.link ?? ''))?.[1] ?? null;
    }
    expect(seen).toEqual(['RFID-0', 'RFID-1', 'RFID-2', 'RFID-3', 'APP-1']);
    const window = await h.app.inject({
      method: 'GET',
      url: '/ocpi/2.2.1/tokens?date_from=2024-02-02T00:00:00Z&date_to=2024-02-04T00:00:00Z',
      headers: auth,
    });
    expect(window.json().data.map((t: Obj) => t.uid)).toEqual(['RFID-1', 'RFID-2']);
    expect(window.headers.link).toBeUndefined();
  });

  it('real-time authorization: ALLOWED with a reference, BLOCKED when invalid, 404/2004 when unknown', async () => {
    const auth = tokenHeader(cpo.theirToken()!);
    const ok = await h.app.inject({
      method: 'POST',
      url: '/ocpi/2.2.1/tokens/RFID-1/authorize',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: { location_id: 'L1', evse_uids: ['3256'] },
    });
    expect(ok.json().data).toMatchObject({
      allowed: 'ALLOWED',
      token: { uid: 'RFID-1' },
      location: { location_id: 'L1' },
    });
    expect(ok.json().data.authorization_reference).toMatch(/^[0-9a-f]{32}$/);
    const blocked = await h.app.inject({
      method: 'POST',
      url: '/ocpi/2.2.1/tokens/APP-1/authorize?type=APP_USER',
      headers: auth,
    });
    expect(blocked.json().data.allowed).toBe('BLOCKED');
    const unknown = await h.app.inject({ method: 'POST', url: '/ocpi/2.2.1/tokens/NOPE/authorize', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ status_code: 2004 });
    expect('data' in unknown.json()).toBe(false);
    const badType = await h.app.inject({
      method: 'POST',
      url: '/ocpi/2.2.1/tokens/RFID-1/authorize?type=CARD',
      headers: auth,
    });
    expect(badType.json().status_code).toBe(2001);
  });
});

describe('commands (Sender)', () => {
  it('START_SESSION: ACCEPTED by the CPO, then the result on our response_url → SUCCEEDED', async () => {
    const cmd = await sendCommand(h.ctx, partnerId, {
      type: 'START_SESSION',
      token_uid: 'RFID-1',
      token_type: 'RFID',
      location_id: 'L1',
      evse_uid: '3256',
    });
    expect(cmd.state).toBe('ACCEPTED');
    const sent = cpo.commands.at(-1)!;
    expect(sent).toMatchObject({ type: 'START_SESSION', location_id: 'L1', token: { uid: 'RFID-1' } });
    expect(String(sent.response_url)).toBe(`${h.url}/ocpi/2.2.1/commands/START_SESSION/${cmd.id}`);
    for (let i = 0; i < 50 && (await getCommand(h.ctx, cmd.id))?.state === 'ACCEPTED'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await getCommand(h.ctx, cmd.id))?.state).toBe('SUCCEEDED');
  });

  it('refuses unknown locations and invalid tokens before sending; times out silent commands', async () => {
    await expect(
      sendCommand(h.ctx, partnerId, {
        type: 'START_SESSION',
        token_uid: 'RFID-1',
        token_type: 'RFID',
        location_id: 'NOPE',
      }),
    ).rejects.toThrow(/unknown location/);
    await expect(
      sendCommand(h.ctx, partnerId, { type: 'START_SESSION', token_uid: 'APP-1', location_id: 'L1' }),
    ).rejects.toThrow(/not valid/);
    const cmd = await sendCommand(h.ctx, partnerId, {
      type: 'UNLOCK_CONNECTOR',
      location_id: 'L1',
      evse_uid: '3256',
      connector_id: '1',
    });
    await new Promise((r) => setTimeout(r, 100)); // the fake CPO answered; pretend it never did and time passed
    await sql`update ocpi_commands set state = 'ACCEPTED', timeout_at = now() - interval '1 second' where id = ${cmd.id}`.execute(
      h.db.db,
    );
    expect(await expireCommands(h.ctx)).toBeGreaterThanOrEqual(1);
    expect((await getCommand(h.ctx, cmd.id))?.state).toBe('TIMED_OUT');
  });

  it('a result for someone else’s or an unknown command is 404', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/ocpi/2.2.1/commands/START_SESSION/00000000-0000-0000-0000-000000000000',
      headers: { ...tokenHeader(cpo.theirToken()!), 'content-type': 'application/json' },
      payload: { result: 'ACCEPTED' },
    });
    expect(r.statusCode).toBe(404);
  });

  it('the back office sends commands and lists them', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/partners/${partnerId}/commands`,
      headers: adminHeader,
      payload: { type: 'STOP_SESSION', session_id: '101' },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().command).toMatchObject({ type: 'STOP_SESSION', state: 'ACCEPTED' });
    const list = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admin/partners/${partnerId}/commands`,
      headers: adminHeader,
    });
    expect(list.json().commands.length).toBeGreaterThanOrEqual(3);
  });
});

describe('tokens for one partner', () => {
  it('a token saved for one partner is pushed to that CPO only', async () => {
    const other = await startFakeCpo({ country_code: 'BE', party_id: 'OTH' });
    try {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/v1/admin/partners',
        headers: adminHeader,
        payload: { action: 'register', versions_url: other.versionsUrl, token: other.tokenA, name: 'Other CPO' },
      });
      expect(r.statusCode, r.body).toBe(201);
      await runTokenPushes(h.ctx);
      const adHoc = {
        uid: 'ADHOC-1',
        type: 'AD_HOC_USER',
        contract_id: 'DE-LAT-A1',
        issuer: 'Lataus',
        valid: true,
        whitelist: 'NEVER',
      } as const;
      await saveToken(h.ctx, adHoc, { partnerId });
      await saveToken(h.ctx, {
        uid: 'APP-2',
        type: 'APP_USER',
        contract_id: 'DE-LAT-C00000002-X',
        issuer: 'Lataus',
        valid: true,
        whitelist: 'NEVER',
      });
      await runTokenPushes(h.ctx);
      expect(cpo.tokens.get('DE/LAT/ADHOC-1')).toMatchObject({ uid: 'ADHOC-1', type: 'AD_HOC_USER' });
      expect(other.tokens.has('DE/LAT/ADHOC-1')).toBe(false);
      // An ordinary token still reaches both.
      expect(cpo.tokens.has('DE/LAT/APP-2')).toBe(true);
      expect(other.tokens.has('DE/LAT/APP-2')).toBe(true);
      // Pulling the list: the ad-hoc token is that CPO's alone; X-Total-Count counts what each may see.
      const pull = async (token: string) => {
        const uids: string[] = [];
        let total = 0;
        let url: string | null = `${h.url}/ocpi/2.2.1/tokens`;
        while (url) {
          const u: URL = new URL(url);
          const res: { json(): { data: Obj[] }; headers: Record<string, unknown> } = await h.app.inject({
            method: 'GET',
            url: u.pathname + u.search,
            headers: tokenHeader(token),
          });
          uids.push(...res.json().data.map((t: Obj) => String(t.uid)));
          total = Number(res.headers['x-total-count']);
          url = /<([^>]+)>; rel="next"/.exec(String(res.headers.link ?? ''))?.[1] ?? null;
        }
        return { uids, total };
      };
      const mine = await pull(cpo.theirToken()!);
      const theirs = await pull(other.theirToken()!);
      expect(mine.uids).toContain('ADHOC-1');
      expect(theirs.uids).not.toContain('ADHOC-1');
      expect(theirs.uids).toContain('APP-2');
      expect(mine.total).toBe(mine.uids.length);
      expect(theirs.total).toBe(mine.total - 1);

      // Retired when the charge is over, addressed by the CPO party of the charge: that CPO's partner hears it.
      await saveToken(h.ctx, { ...adHoc, valid: false }, { partnerOfParty: { country_code: 'nl', party_id: 'abc' } });
      await runTokenPushes(h.ctx);
      expect(cpo.tokens.get('DE/LAT/ADHOC-1')).toMatchObject({ uid: 'ADHOC-1', valid: false });
      expect(other.tokens.has('DE/LAT/ADHOC-1')).toBe(false);
    } finally {
      await other.close();
    }
  });
});
