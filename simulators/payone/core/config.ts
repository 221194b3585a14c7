// Simulator options from flags and environment (flags win). Defaults equal Lataus's PAYONE_* defaults.
import { parseArgs } from 'node:util';
import type { KeyHashSetting } from './keys.ts';
import type { NotifyVersion } from './notification.ts';

export interface FaultSettings {
  /** Share of API requests answered with HTTP 5xx instead of being processed (0..1). */
  apiErrorRate: number;
  /** Share of API requests that never get an answer (the connection is dropped after apiTimeoutMs). */
  apiTimeoutRate: number;
  /** A timed-out request was processed before the answer got lost (the dangerous case for clients). */
  timeoutAfterProcessing: boolean;
  /** Share of acknowledged notifications that are delivered a second time. */
  duplicateNotificationRate: number;
  /** Deliver notifications newest-first without per-txid FIFO, after holding them reorderWindowMs. */
  outOfOrderNotifications: boolean;
  /** Stop delivering notifications (they queue up). */
  notificationsPaused: boolean;
  /** Extra latency for every API answer, in ms. */
  latencyMs: number;
  /** When set, every capture is declined with this PAYONE error code (e.g. 80 "Amount no longer available"). */
  captureErrorCode: number | null;
}

export interface SimulatorOptions {
  readonly host: string;
  readonly port: number;
  /** Base URL browsers use to reach the simulator (3-D Secure redirect URL); default http://<host>:<port>. */
  readonly publicUrl?: string;
  readonly mid: string;
  readonly portalid: string;
  readonly aid: string;
  readonly portalKey: string;
  readonly keyHash: KeyHashSetting;
  readonly notifyUrl: string;
  readonly notify: boolean;
  readonly notifyVersion: NotifyVersion;
  readonly retryScheduleMs: readonly number[];
  readonly notifyTimeoutMs: number;
  /** Accept `TSOK` with surrounding whitespace. */
  readonly lenientTsok: boolean;
  readonly paidDelayMs: number;
  readonly pendingDelayMs: number;
  readonly reorderWindowMs: number;
  readonly apiTimeoutMs: number;
  readonly magicAmounts: boolean;
  readonly seed: number;
  readonly faults: FaultSettings;
  readonly quiet: boolean;
}

/** PAYONE's real retry pattern, approximated: 12 retries within 48 h, first after ~1 h, increasing (§6.3). */
export const PAYONE_RETRY_SCHEDULE = '1h,2h,3h,4h,4h,4h,4h,4h,4h,4h,4h,8h';
export const DEV_RETRY_SCHEDULE = '1s,2s,5s,10s,30s,60s';

export const DEFAULT_FAULTS: FaultSettings = {
  apiErrorRate: 0,
  apiTimeoutRate: 0,
  timeoutAfterProcessing: false,
  duplicateNotificationRate: 0,
  outOfOrderNotifications: false,
  notificationsPaused: false,
  latencyMs: 0,
  captureErrorCode: null,
};

export const DEFAULT_OPTIONS: SimulatorOptions = {
  host: '127.0.0.1',
  port: 4100,
  mid: '10000',
  portalid: '2000000',
  aid: '10001',
  portalKey: 'lataus-sim-portal-key',
  keyHash: 'md5_or_sha2-384',
  notifyUrl: 'http://127.0.0.1:3000/payone/transaction-status',
  notify: true,
  notifyVersion: '7.5',
  retryScheduleMs: parseSchedule(DEV_RETRY_SCHEDULE),
  notifyTimeoutMs: 10_000,
  lenientTsok: false,
  paidDelayMs: 2_000,
  pendingDelayMs: 10_000,
  reorderWindowMs: 500,
  apiTimeoutMs: 60_000,
  magicAmounts: true,
  seed: 1,
  faults: DEFAULT_FAULTS,
  quiet: false,
};

/** "500ms", "2s", "5m", "1h", "1.5s" or a bare number of ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 500ms, 2s, 5m, 1h)`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms']!;
  return Math.round(Number(m[1]) * factor);
}

/** "1s,2s,5s" → [1000, 2000, 5000]; "payone" → PAYONE's schedule; "none" → no retries. */
export function parseSchedule(text: string): number[] {
  if (text === 'payone') return parseSchedule(PAYONE_RETRY_SCHEDULE);
  if (text === 'none' || text === '') return [];
  return text.split(',').map(parseDuration);
}

function rate(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--${name} must be between 0 and 1, got ${text}`);
  return n;
}

function digits(name: string, text: string): string {
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be digits, got ${text}`);
  return text;
}

export const USAGE = `Usage: npm run sim:payone -- [options]

  --port <n>                 listen port (env PAYONE_SIM_PORT, default 4100)
  --host <addr>              listen address (env PAYONE_SIM_HOST, default 127.0.0.1)
  --public-url <url>         URL browsers reach the simulator at (env PAYONE_SIM_PUBLIC_URL)
  --mid <n> --portalid <n> --aid <n>
                             credentials (env PAYONE_MID, PAYONE_PORTAL_ID, PAYONE_AID; 10000/2000000/10001)
  --portal-key <s>           portal key (env PAYONE_KEY, default lataus-sim-portal-key)
  --key-hash <m>             md5 | sha2-384 | md5_or_sha2-384 (default md5_or_sha2-384)
  --notify-url <url>         TransactionStatus URL (env PAYONE_SIM_NOTIFY_URL,
                             default http://127.0.0.1:3000/payone/transaction-status)
  --no-notify                send no notifications
  --notify-version <v>       7.3 | 7.4 | 7.5 | 7.6 (default 7.5)
  --notify-schedule <list>   retry pauses, e.g. 1s,2s,5s; "payone" = ${PAYONE_RETRY_SCHEDULE}
                             (default ${DEV_RETRY_SCHEDULE})
  --notify-timeout <d>       wait for TSOK this long (default 10s, as PAYONE)
  --lenient-tsok             accept TSOK with surrounding whitespace
  --paid-delay <d>           capture → paid delay (default 2s)
  --pending-delay <d>        PENDING → appointed delay (default 10s)
  --latency <d>              delay every API answer (env PAYONE_SIM_LATENCY_MS)
  --error-rate <0..1>        share of API calls answered with HTTP 5xx
  --timeout-rate <0..1>      share of API calls never answered
  --timeout-after-processing a timed-out call was processed (answer lost)
  --api-timeout <d>          how long an unanswered call hangs before the socket closes (default 60s)
  --duplicate-rate <0..1>    share of notifications delivered twice
  --out-of-order             deliver notifications newest first, no per-txid FIFO
  --reorder-window <d>       hold time for --out-of-order (default 500ms)
  --no-magic-amounts         amounts' cents do not drive outcomes
  --seed <n>                 seed for fault randomness and id gaps (default 1)
  --quiet                    no request log
  --help
`;

export function parseSimulatorArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SimulatorOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowNegative: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      mid: { type: 'string' },
      portalid: { type: 'string' },
      aid: { type: 'string' },
      'portal-key': { type: 'string' },
      'key-hash': { type: 'string' },
      'notify-url': { type: 'string' },
      notify: { type: 'boolean' },
      'notify-version': { type: 'string' },
      'notify-schedule': { type: 'string' },
      'notify-timeout': { type: 'string' },
      'lenient-tsok': { type: 'boolean' },
      'paid-delay': { type: 'string' },
      'pending-delay': { type: 'string' },
      latency: { type: 'string' },
      'error-rate': { type: 'string' },
      'timeout-rate': { type: 'string' },
      'timeout-after-processing': { type: 'boolean' },
      'api-timeout': { type: 'string' },
      'duplicate-rate': { type: 'string' },
      'out-of-order': { type: 'boolean' },
      'reorder-window': { type: 'string' },
      'magic-amounts': { type: 'boolean' },
      seed: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const d = DEFAULT_OPTIONS;
  const portText = values.port ?? env.PAYONE_SIM_PORT;
  const port = portText === undefined ? d.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${portText}`);
  const keyHash = values['key-hash'] ?? d.keyHash;
  if (keyHash !== 'md5' && keyHash !== 'sha2-384' && keyHash !== 'md5_or_sha2-384') {
    throw new Error(`--key-hash must be md5, sha2-384 or md5_or_sha2-384, got ${keyHash}`);
  }
  const notifyVersion = values['notify-version'] ?? d.notifyVersion;
  if (!['7.3', '7.4', '7.5', '7.6'].includes(notifyVersion)) {
    throw new Error(`--notify-version must be 7.3..7.6, got ${notifyVersion}`);
  }
  const latencyText = values.latency ?? env.PAYONE_SIM_LATENCY_MS;
  const publicUrl = values['public-url'] ?? env.PAYONE_SIM_PUBLIC_URL;
  return {
    host: values.host ?? env.PAYONE_SIM_HOST ?? d.host,
    port,
    ...(publicUrl ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    mid: digits('mid', values.mid ?? env.PAYONE_MID ?? d.mid),
    portalid: digits('portalid', values.portalid ?? env.PAYONE_PORTAL_ID ?? d.portalid),
    aid: digits('aid', values.aid ?? env.PAYONE_AID ?? d.aid),
    portalKey: values['portal-key'] ?? env.PAYONE_KEY ?? d.portalKey,
    keyHash,
    notifyUrl: values['notify-url'] ?? env.PAYONE_SIM_NOTIFY_URL ?? d.notifyUrl,
    notify: values.notify ?? d.notify,
    notifyVersion: notifyVersion as NotifyVersion,
    retryScheduleMs:
      values['notify-schedule'] !== undefined ? parseSchedule(values['notify-schedule']) : d.retryScheduleMs,
    notifyTimeoutMs: values['notify-timeout'] ? parseDuration(values['notify-timeout']) : d.notifyTimeoutMs,
    lenientTsok: values['lenient-tsok'] ?? d.lenientTsok,
    paidDelayMs: values['paid-delay'] ? parseDuration(values['paid-delay']) : d.paidDelayMs,
    pendingDelayMs: values['pending-delay'] ? parseDuration(values['pending-delay']) : d.pendingDelayMs,
    reorderWindowMs: values['reorder-window'] ? parseDuration(values['reorder-window']) : d.reorderWindowMs,
    apiTimeoutMs: values['api-timeout'] ? parseDuration(values['api-timeout']) : d.apiTimeoutMs,
    magicAmounts: values['magic-amounts'] ?? d.magicAmounts,
    seed: values.seed ? Number(values.seed) : d.seed,
    quiet: values.quiet ?? d.quiet,
    faults: {
      apiErrorRate: values['error-rate'] ? rate('error-rate', values['error-rate']) : 0,
      apiTimeoutRate: values['timeout-rate'] ? rate('timeout-rate', values['timeout-rate']) : 0,
      timeoutAfterProcessing: values['timeout-after-processing'] ?? false,
      duplicateNotificationRate: values['duplicate-rate'] ? rate('duplicate-rate', values['duplicate-rate']) : 0,
      outOfOrderNotifications: values['out-of-order'] ?? false,
      notificationsPaused: false,
      latencyMs: latencyText ? parseDuration(latencyText) : 0,
      captureErrorCode: null,
    },
  };
}
