// Crash safety: a worker PROCESS is SIGKILLed between PAYONE's answer to a capture and our write of it, under
// load (50 payments). A second worker recovers; PAYONE (the simulator) booked every capture exactly once.
// PostgreSQL only: PGlite is single-process, a second process cannot share its database.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../../helpers/db.ts';
import { CARDS, type Harness, returnUrls, startHarness, waitFor } from './harness.ts';

const N = 50;
const script = path.join(import.meta.dirname, 'kill-worker.ts');

function startWorker(env: Record<string, string>): {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe.skipIf(!onPostgres)(
  'crash safety: SIGKILL a worker process between PAYONE call and write (PostgreSQL only; PGlite is single-process)',
  () => {
    let h: Harness;
    const children: ChildProcess[] = [];
    beforeAll(async () => {
      h = await startHarness({ startWorker: false });
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await h?.close();
    });

    it.each([
      { round: 'a', paused: true, what: 'notifications held back: the repeated capture is answered 907' },
      { round: 'b', paused: false, what: 'notifications flowing: the capture notification settles the job' },
    ])(`captures each of ${N} payments exactly once ($what)`, { timeout: 120_000 }, async ({ round, paused }) => {
      const expected = new Map<string, number>();
      h.sim.state.setFaults({ notificationsPaused: paused });
      const jobsBefore = await h.t.db.selectFrom('payment_jobs').select('id').execute();
      const callsBefore = h.sim.state.apiCalls.length;
      for (let i = 0; i < N; i++) {
        const r = await h.service.preauthorize({
          sessionRef: `crash-${round}-${i}`,
          amount: 10_000 + i * 100,
          currency: 'EUR',
          card: { pseudocardpan: i % 2 ? CARDS.visa : CARDS.mastercard },
          returnUrls,
        });
        if (!r.ok) throw new Error(r.error.message);
        const amount = 5_000 + i * 100;
        const c = await h.service.capture(r.value.id, amount, { inline: false }); // queued for the worker
        expect(c.ok && c.value.state).toBe('capture_requested');
        expect(r.value.txid).toBeTruthy();
        expected.set(r.value.txid!, amount);
      }

      const env = { DATABASE_URL: h.t.url!, PAYONE_API_URL: h.sim.apiUrl, LEASE_MS: '2000' };
      const doomed = startWorker({ ...env, KILL_WINDOW_AFTER: '12' });
      children.push(doomed.child);
      await waitFor(
        async () => doomed.lines.some((l) => l.startsWith('WINDOW')),
        'a worker in the kill window',
        60_000,
      );
      await new Promise((r) => setTimeout(r, 150)); // let its other in-flight captures reach the window too
      doomed.child.kill('SIGKILL');
      expect(await doomed.exited).toBeNull(); // killed by signal
      const inWindow = doomed.lines.filter((l) => l.startsWith('WINDOW')).length;
      expect(inWindow).toBeGreaterThan(0);

      const unfinished = await h.t.db
        .selectFrom('payment_jobs')
        .select('id')
        .where('status', '=', 'pending')
        .where('kind', '=', 'capture')
        .execute();
      expect(unfinished.length).toBeGreaterThanOrEqual(inWindow);

      const recovery = startWorker(env);
      children.push(recovery.child);
      await waitFor(
        async () => {
          const open = await h.t.db
            .selectFrom('payment_jobs')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('status', '!=', 'done')
            .executeTakeFirstOrThrow();
          return Number(open.n) === 0;
        },
        'all capture jobs done',
        60_000,
      );
      recovery.child.kill('SIGTERM');
      await recovery.exited;
      h.sim.state.setFaults({ notificationsPaused: false });

      // What PAYONE booked, read from the simulator's /__sim/state
      const sim = (await (await fetch(`${h.sim.url}/__sim/state`)).json()) as {
        transactions: Array<{ txid: string; captured: number; bookings: Array<{ request: string }> }>;
        apiCalls: Array<{ request: string; errorcode?: string }>;
      };
      for (const [txid, amount] of expected) {
        const tx = sim.transactions.find((t) => t.txid === txid)!;
        expect(tx.captured, txid).toBe(amount);
        expect(
          tx.bookings.filter((b) => b.request === 'capture'),
          txid,
        ).toHaveLength(1);
      }
      const payments = await h.t.db
        .selectFrom('payments')
        .selectAll()
        .where('session_ref', 'like', `crash-${round}-%`)
        .execute();
      expect(payments).toHaveLength(N);
      for (const p of payments) {
        expect(['captured', 'paid']).toContain(p.state);
        expect(Number(p.amount_captured)).toBe(expected.get(p.txid!));
      }
      // the recovery re-sent the captures whose answers died with the worker and got 907 for each (or saw the
      // notification first) — never a second booking
      const before = new Set(jobsBefore.map((j) => j.id));
      const retried = (
        await h.t.db.selectFrom('payment_jobs').select(['id', 'attempts']).where('attempts', '>', 1).execute()
      ).filter((j) => !before.has(j.id));
      expect(retried.length).toBeGreaterThanOrEqual(inWindow);
      const repeats = h.sim.state.apiCalls
        .slice(callsBefore)
        .filter((c) => c.request === 'capture' && c.errorcode === '907').length;
      if (paused) expect(repeats).toBeGreaterThanOrEqual(inWindow);
      console.log(
        `crash test: ${inWindow} captures killed in the window, ${retried.length} jobs retried, ${repeats} answered 907`,
      );
    });
  },
);
