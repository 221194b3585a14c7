// Simulator options: defaults, CLI flags and environment variables (flags win over env).
import { parseArgs } from 'node:util';

export interface FaultSettings {
  /** Extra delay (ms) before the simulator answers an OCPI request. */
  latencyMs: number;
  /** Share (0..1) of OCPI requests the simulator answers with HTTP 503. */
  errorRate: number;
  /** Share (0..1) of pushes that are sent twice. */
  duplicateRate: number;
  /** Share (0..1) of PATCHes followed by a stale PATCH (older last_updated, previous values). */
  outOfOrderRate: number;
  /** Share (0..1) of pushes preceded by a malformed copy the eMSP must reject with 2001. */
  malformedRate: number;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  duplicateRate: 0,
  outOfOrderRate: 0,
  malformedRate: 0,
});

export interface SimulatorOptions {
  host: string;
  port: number;
  /** Base URL the eMSP reaches the simulator at (default http://127.0.0.1:<port>). */
  publicUrl: string | null;
  countryCode: string;
  partyId: string;
  businessName: string;
  locations: number;
  seed: number;
  /** EVSE status changes pushed per real second (0 = off). */
  statusRate: number;
  /** Simulated seconds per real second. */
  speed: number;
  /** Simulated clock at start (ISO); default: the real time at start. */
  simStart: string | null;
  /** Register with this eMSP at start (we are the credentials Sender). */
  emspVersionsUrl: string | null;
  /** The eMSP's token A for that registration. */
  emspTokenA: string | null;
  /** Token A we accept when the eMSP registers with us (default: random, printed at start). */
  ownTokenA: string | null;
  /** Push locations/tariffs/sessions/CDRs once registered; off = pull only. */
  push: boolean;
  /** Without an eMSP URL and token A: ask the local Lataus admin API for an invitation (development). */
  autoRegister: boolean;
  /** Simulated seconds between Session PATCHes while charging. */
  sessionUpdateSeconds: number;
  /** A charging period is closed at a session update once it is this long (simulated seconds). */
  periodMaxSeconds: number;
  /** Simulated minutes a full car stays parked before it leaves (session ends); 0 = stays until stopped. */
  autoStopParkMinutes: number;
  /** Real-time authorization of the token before START_SESSION (the spec says the CPO must not; off by default). */
  authorizeCommands: boolean;
  /** Real ms between simulation ticks. */
  tickMs: number;
  /** Maximum page size of the Sender GET lists (X-Limit). */
  pageLimit: number;
  /** Real ms before the asynchronous CommandResult is POSTed. */
  commandDelayMs: number;
  /** Encode tokens in the Authorization header as base64 (OCPI 2.2.1) or send them raw (2.1.1 style). */
  tokenEncoding: 'base64' | 'raw';
  faults: FaultSettings;
  /** Log pushes and registration to stdout. */
  verbose: boolean;
}

export const DEFAULT_OPTIONS: Readonly<SimulatorOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 4200,
  publicUrl: null,
  countryCode: 'DE',
  partyId: 'SIM',
  businessName: 'Lataus CPO Simulator',
  locations: 50,
  seed: 42,
  statusRate: 0,
  speed: 1,
  simStart: null,
  emspVersionsUrl: null,
  emspTokenA: null,
  ownTokenA: null,
  push: true,
  autoRegister: false, // only the CLI asks for an invitation
  sessionUpdateSeconds: 300,
  periodMaxSeconds: 900,
  autoStopParkMinutes: 30,
  authorizeCommands: false,
  tickMs: 200,
  pageLimit: 50,
  commandDelayMs: 50,
  tokenEncoding: 'base64',
  faults: { ...NO_FAULTS },
  verbose: false,
} satisfies SimulatorOptions);

export const USAGE = `Usage: npm run sim:cpo -- [options]

An OCPI 2.2.1 CPO peer: owns a generated charging network, pushes it to an eMSP, simulates charging.

  --port <n>                 HTTP port (4200; env CPO_SIM_PORT)
  --host <addr>              listen address (127.0.0.1; env CPO_SIM_HOST)
  --public-url <url>         base URL the eMSP uses to reach us (env CPO_SIM_PUBLIC_URL)
  --country-code <cc>        our OCPI country code (DE)
  --party-id <pid>           our OCPI party id (SIM)
  --locations <n>            network size (50)
  --seed <n>                 network seed (42)
  --status-rate <n>          EVSE status changes per second pushed as PATCH (0)
  --speed <n>                simulated seconds per real second (1; 60 = a minute per second)
  --sim-start <iso>          simulated clock at start (default now)
  --emsp-versions-url <url>  register with this eMSP at start (env CPO_SIM_EMSP_VERSIONS_URL)
  --token-a <token>          the eMSP's token A for that registration (env CPO_SIM_TOKEN_A)
  --own-token-a <token>      token A we accept when the eMSP registers with us (random by default)
  --no-push                  serve everything for pull only; never push
  --no-auto-register         without --emsp-versions-url, do not ask the local Lataus (LATAUS_URL, LATAUS_ADMIN_TOKEN) for an invitation
  --session-update <s>       simulated seconds between Session PATCHes (300)
  --period-max <s>           close a charging period at an update once it is this long (900)
  --auto-stop <min>          simulated minutes a full car stays parked before leaving (30; 0 = never)
  --authorize-commands       real-time authorize START_SESSION tokens too (off: OCPI says the CPO must not)
  --tick <ms>                real ms between simulation ticks (200)
  --page-limit <n>           X-Limit of our GET lists (50)
  --raw-token                send our token raw instead of base64 (OCPI 2.1.1 peers)
  --latency <ms>             fault: delay our OCPI answers
  --error-rate <0..1>        fault: answer this share of OCPI requests with HTTP 503
  --duplicate-rate <0..1>    fault: send this share of pushes twice
  --out-of-order-rate <0..1> fault: follow this share of PATCHes with a stale one
  --malformed-rate <0..1>    fault: precede this share of pushes with a malformed copy
  --verbose                  log pushes
  --help
`;

function num(name: string, raw: string | undefined, fallback: number, min = 0, max = Number.POSITIVE_INFINITY): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}]`);
  return n;
}

function code(name: string, raw: string | undefined, fallback: string, len: number): string {
  const v = (raw ?? fallback).toUpperCase();
  if (!new RegExp(`^[A-Z0-9]{${len}}$`).test(v)) throw new Error(`--${name} must be ${len} letters or digits`);
  return v;
}

/** Parses argv (without node and script) and env into options, or 'help'. Throws with a message on bad input. */
export function parseSimulatorArgs(argv: string[], env: NodeJS.ProcessEnv = {}): SimulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'country-code': { type: 'string' },
      'party-id': { type: 'string' },
      locations: { type: 'string' },
      seed: { type: 'string' },
      'status-rate': { type: 'string' },
      speed: { type: 'string' },
      'sim-start': { type: 'string' },
      'emsp-versions-url': { type: 'string' },
      'token-a': { type: 'string' },
      'own-token-a': { type: 'string' },
      'no-push': { type: 'boolean' },
      'no-auto-register': { type: 'boolean' },
      'session-update': { type: 'string' },
      'period-max': { type: 'string' },
      'auto-stop': { type: 'string' },
      'authorize-commands': { type: 'boolean' },
      tick: { type: 'string' },
      'page-limit': { type: 'string' },
      'raw-token': { type: 'boolean' },
      latency: { type: 'string' },
      'error-rate': { type: 'string' },
      'duplicate-rate': { type: 'string' },
      'out-of-order-rate': { type: 'string' },
      'malformed-rate': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const d = DEFAULT_OPTIONS;
  const simStart = values['sim-start'] ?? env.CPO_SIM_START ?? null;
  if (simStart !== null && Number.isNaN(Date.parse(simStart))) throw new Error('--sim-start must be an ISO date-time');
  const emspVersionsUrl = values['emsp-versions-url'] ?? env.CPO_SIM_EMSP_VERSIONS_URL ?? null;
  const emspTokenA = values['token-a'] ?? env.CPO_SIM_TOKEN_A ?? null;
  if ((emspVersionsUrl === null) !== (emspTokenA === null)) {
    throw new Error('--emsp-versions-url and --token-a go together');
  }
  return {
    host: values.host ?? env.CPO_SIM_HOST ?? d.host,
    port: num('port', values.port ?? env.CPO_SIM_PORT, d.port, 0, 65535),
    publicUrl: (values['public-url'] ?? env.CPO_SIM_PUBLIC_URL ?? null)?.replace(/\/+$/, '') ?? null,
    countryCode: code('country-code', values['country-code'] ?? env.CPO_SIM_COUNTRY_CODE, d.countryCode, 2),
    partyId: code('party-id', values['party-id'] ?? env.CPO_SIM_PARTY_ID, d.partyId, 3),
    businessName: d.businessName,
    locations: num('locations', values.locations ?? env.CPO_SIM_LOCATIONS, d.locations, 0, 1_000_000),
    seed: num('seed', values.seed, d.seed),
    statusRate: num('status-rate', values['status-rate'] ?? env.CPO_SIM_STATUS_RATE, d.statusRate, 0, 10_000),
    speed: num('speed', values.speed ?? env.CPO_SIM_SPEED, d.speed, 0.001, 1_000_000),
    simStart,
    emspVersionsUrl,
    emspTokenA,
    ownTokenA: values['own-token-a'] ?? env.CPO_SIM_OWN_TOKEN_A ?? null,
    push: !values['no-push'],
    autoRegister: !values['no-auto-register'],
    sessionUpdateSeconds: num('session-update', values['session-update'], d.sessionUpdateSeconds, 1),
    periodMaxSeconds: num('period-max', values['period-max'], d.periodMaxSeconds, 1),
    autoStopParkMinutes: num('auto-stop', values['auto-stop'], d.autoStopParkMinutes, 0),
    authorizeCommands: values['authorize-commands'] ?? false,
    tickMs: num('tick', values.tick, d.tickMs, 5),
    pageLimit: num('page-limit', values['page-limit'], d.pageLimit, 1, 10_000),
    commandDelayMs: d.commandDelayMs,
    tokenEncoding: values['raw-token'] ? 'raw' : 'base64',
    faults: {
      latencyMs: num('latency', values.latency, 0, 0, 600_000),
      errorRate: num('error-rate', values['error-rate'], 0, 0, 1),
      duplicateRate: num('duplicate-rate', values['duplicate-rate'], 0, 0, 1),
      outOfOrderRate: num('out-of-order-rate', values['out-of-order-rate'], 0, 0, 1),
      malformedRate: num('malformed-rate', values['malformed-rate'], 0, 0, 1),
    },
    verbose: values.verbose ?? false,
  };
}
