// Background work of the roaming module, coordinated through the database so several processes can run it:
// token pushes (outbox), pull syncs (cursors with leases), command timeouts, CDR audits left pending, and the
// periodic delta-sync schedule.
import { expireCommands } from './commands.service.ts';
import type { RoamingContext } from './context.ts';
import { auditPendingCdrs } from './ingest.service.ts';
import { runSyncStep, scheduleSyncs } from './sync.service.ts';
import { runTokenPushes } from './tokens.service.ts';

export interface RoamingWorkers {
  /** Runs one round of every job now (tests). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startRoamingWorkers(
  ctx: RoamingContext,
  opts: { intervalMs?: number; onError?: (e: unknown) => void; autoStart?: boolean } = {},
): RoamingWorkers {
  let running: Promise<void> | null = null;
  let stopped = false;
  let lastSchedule = 0;
  const onError = opts.onError ?? (() => {});
  const guard = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      onError(e);
    }
  };
  const tick = async () => {
    await guard(() => runTokenPushes(ctx));
    await guard(() => expireCommands(ctx));
    await guard(() => auditPendingCdrs(ctx));
    if (Date.now() - lastSchedule > 60_000) {
      lastSchedule = Date.now();
      await guard(() => scheduleSyncs(ctx));
    }
    await guard(() => runSyncStep(ctx, { maxPages: 20 }));
  };
  const timer =
    opts.autoStart === false
      ? null
      : setInterval(() => {
          if (running || stopped) return;
          running = tick().finally(() => {
            running = null;
          });
        }, opts.intervalMs ?? 2000);
  timer?.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
