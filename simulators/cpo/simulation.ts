// The simulated CPO: its in-memory store (network, tokens, sessions, CDRs), the registration with one eMSP,
// pushes with fault injection, commands, charging sessions on a simulated clock, and EVSE status changes.
import type { Connector, Evse, EvseStatus, Location } from '../../src/modules/network/index.ts';
import { connectorPowerW } from '../../src/modules/network/index.ts';
import type { Tariff } from '../../src/modules/tariffs/index.ts';
import { KeyedQueue, type OcpiResponse, ocpiRequest } from './client.ts';
import type { FaultSettings, SimulatorOptions } from './core/config.ts';
import { describeMalformed, type MalformedKind, malform, seededRandom } from './core/faults.ts';
import { type ChargingPeriod, SessionMeter } from './core/meter.ts';
import { buildSimNetwork } from './core/network.ts';
import { newToken, OCPI_VERSION, ocpiDateTime, parseOcpiDateTime } from './core/ocpi.ts';
import { chargeParams } from './core/power-curve.ts';
import { type CdrCosts, priceSession, sessionTariff, tariffProbe, tariffVaries } from './core/pricing.ts';
import {
  type AuthorizationInfo,
  AuthorizationInfoSchema,
  type CommandType,
  type Credentials,
  CredentialsSchema,
  type Endpoint,
  issues,
  type Token,
  VersionDetailsSchema,
  VersionsSchema,
} from './core/schemas.ts';

type Json = Record<string, unknown>;

export interface Peer {
  versionsUrl: string;
  version: string;
  endpoints: Endpoint[];
  roles: Credentials['roles'];
  /** The token we send to the eMSP. */
  tokenOut: string;
  /** The token the eMSP sends to us. */
  tokenIn: string;
  direction: 'WE_REGISTERED' | 'THEY_REGISTERED';
  registeredAt: string;
}

export interface PushRecord {
  seq: number;
  at: string;
  sim_at: string;
  kind: string;
  method: string;
  url: string;
  object_id?: string;
  fault?: 'duplicate' | 'out_of_order' | 'malformed';
  defect?: string;
  note?: string;
  /** For malformed pushes: the OCPI status code the eMSP must answer. */
  expect_status_code?: number;
  expectation_met?: boolean;
  http_status: number;
  status_code: number | null;
  status_message?: string;
  error?: string;
  duration_ms: number;
  request_body?: unknown;
  response_body?: unknown;
}

export interface IncomingRecord {
  at: string;
  method: string;
  url: string;
  http_status: number;
  status_code: number | null;
}

export interface CdrToken {
  country_code: string;
  party_id: string;
  uid: string;
  type: string;
  contract_id: string;
}

export interface VehicleInput {
  battery_kwh?: number | undefined;
  start_soc?: number | undefined;
  target_soc?: number | undefined;
  max_kw?: number | undefined;
}

interface SimSession {
  id: string;
  session: Json;
  location: Location;
  evse: Evse;
  connector: Connector;
  tariff: Tariff | null;
  meter: SessionMeter | null;
  /** Elapsed simulated seconds of the last Session PATCH. */
  lastUpdateElapsed: number;
  /** Closed charging periods not yet sent in a PATCH. */
  unsentPeriods: number;
  reservation?: { id: string; expiryMs: number; token: CdrToken };
  state: 'RESERVATION' | 'ACTIVE' | 'COMPLETED';
  cdrId?: string;
}

export interface StartResult {
  ok: boolean;
  result: 'ACCEPTED' | 'REJECTED' | 'EVSE_OCCUPIED' | 'EVSE_INOPERATIVE' | 'FAILED';
  message: string;
  session_id?: string;
  authorization?: AuthorizationInfo | null;
}

const LOG_LIMIT = 5000;
const BUSY: ReadonlySet<EvseStatus> = new Set(['CHARGING', 'BLOCKED', 'RESERVED']);
const STATUS_WEIGHTS: [EvseStatus, number][] = [
  ['AVAILABLE', 55],
  ['CHARGING', 25],
  ['BLOCKED', 3],
  ['OUTOFORDER', 5],
  ['INOPERATIVE', 3],
  ['UNKNOWN', 4],
  ['RESERVED', 5],
];

export class CpoSimulation {
  readonly opts: SimulatorOptions;
  faults: FaultSettings;
  locations = new Map<string, Location>();
  tariffs = new Map<string, Tariff>();
  tokens = new Map<string, Token>();
  sessions = new Map<string, SimSession>();
  cdrs: Json[] = [];
  /** The eMSP's `Location` header per CDR id (where it stored the CDR). */
  cdrLocations = new Map<string, string>();
  peer: Peer | null = null;
  /** Token A we accept until an eMSP registered with it. */
  readonly ownTokenA: string;
  tokenAValid = true;
  /** Token B we gave an eMSP during our own registration, accepted before the handshake completes. */
  pendingTokenIn: string | null = null;
  pushLog: PushRecord[] = [];
  incoming: IncomingRecord[] = [];
  counters = { pushes: 0, statusChanges: 0, commands: 0, sessionsStarted: 0, cdrsSent: 0, authorizations: 0 };
  readonly queue = new KeyedQueue(8);
  private random: () => number;
  private seq = 0;
  private idSeq = 0;
  private readonly idPrefix: string;
  private simEpochMs: number;
  private realEpoch: number;
  private statusDue = 0;
  private lastStampMs = 0;
  /** Random status changes start once the initial network push is done (a PATCH needs the PUT first). */
  private networkPushed = false;
  private lastTickReal: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  baseUrl = '';
  log: (msg: string) => void;

  constructor(opts: SimulatorOptions, log: (msg: string) => void = () => {}) {
    this.opts = opts;
    this.faults = { ...opts.faults };
    this.log = log;
    this.random = seededRandom(opts.seed ^ 0x5eed);
    this.ownTokenA = opts.ownTokenA ?? newToken();
    this.idPrefix = Date.now().toString(36).toUpperCase().slice(-5);
    this.realEpoch = performance.now();
    this.lastTickReal = this.realEpoch;
    this.simEpochMs = opts.simStart ? Date.parse(opts.simStart) : Date.now();
    this.buildNetwork();
  }

  // ------------------------------------------------------------------------------------------------ clock

  /** The simulated clock (ms), whole seconds. */
  simNow(): number {
    const ms = this.simEpochMs + (performance.now() - this.realEpoch) * this.opts.speed;
    return Math.floor(ms / 1000) * 1000;
  }

  /**
   * A `last_updated` value: the wall clock (not the simulated one, so eMSPs pulling with date_to = now see every
   * change even at --speed > 1), in ms, strictly increasing and later than `previous`.
   */
  stamp(previous?: unknown): string {
    let ms = Date.now();
    const prev = typeof previous === 'string' ? parseOcpiDateTime(previous) : Number.NaN;
    if (!Number.isNaN(prev) && ms <= prev) ms = prev + 1;
    if (ms <= this.lastStampMs) ms = this.lastStampMs + 1;
    this.lastStampMs = ms;
    return new Date(ms).toISOString();
  }

  nowIso(): string {
    return ocpiDateTime(this.simNow());
  }

  private nextId(prefix: string): string {
    this.idSeq++;
    return `${prefix}${this.idPrefix}${String(this.idSeq).padStart(5, '0')}`;
  }

  private buildNetwork(): void {
    const net = buildSimNetwork({
      countryCode: this.opts.countryCode,
      partyId: this.opts.partyId,
      locations: this.opts.locations,
      seed: this.opts.seed,
      notAfterMs: Date.now(),
    });
    this.locations = new Map(net.locations.map((l) => [l.id, l]));
    this.tariffs = new Map(net.tariffs.map((t) => [t.id, t]));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
    this.timer.unref?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue.idle();
  }

  // ------------------------------------------------------------------------------------------------ URLs

  get versionsUrl(): string {
    return `${this.baseUrl}/ocpi/cpo/versions`;
  }

  get versionDetailsUrl(): string {
    return `${this.baseUrl}/ocpi/cpo/${OCPI_VERSION}`;
  }

  moduleUrl(module: string): string {
    return `${this.versionDetailsUrl}/${module}`;
  }

  versionDetails(): { version: string; endpoints: Endpoint[] } {
    const ep = (identifier: string, role: string) => ({ identifier, role, url: this.moduleUrl(identifier) });
    return {
      version: OCPI_VERSION,
      endpoints: [
        ep('credentials', 'SENDER'),
        ep('locations', 'SENDER'),
        ep('tariffs', 'SENDER'),
        ep('sessions', 'SENDER'),
        ep('cdrs', 'SENDER'),
        ep('tokens', 'RECEIVER'),
        ep('commands', 'RECEIVER'),
      ],
    };
  }

  ownCredentials(token: string): Credentials {
    return {
      token,
      url: this.versionsUrl,
      roles: [
        {
          role: 'CPO',
          party_id: this.opts.partyId,
          country_code: this.opts.countryCode,
          business_details: { name: this.opts.businessName },
        },
      ],
    };
  }

  /** The eMSP endpoint for a module and interface role, if it has one. */
  peerEndpoint(module: string, role: 'SENDER' | 'RECEIVER'): string | null {
    const eps = this.peer?.endpoints.filter((e) => e.identifier === module) ?? [];
    const match = eps.find((e) => e.role.toUpperCase() === role) ?? null;
    return match ? match.url.replace(/\/+$/, '') : null;
  }

  private routing() {
    const emsp = this.peer?.roles.find((r) => r.role === 'EMSP') ?? this.peer?.roles[0];
    return {
      fromCountryCode: this.opts.countryCode,
      fromPartyId: this.opts.partyId,
      ...(emsp ? { toCountryCode: emsp.country_code, toPartyId: emsp.party_id } : {}),
    };
  }

  // ------------------------------------------------------------------------------------------------ auth

  /** Which token (if any) of the header candidates is valid for this kind of endpoint. */
  authenticate(candidates: string[], kind: 'registration' | 'module'): boolean {
    for (const t of candidates) {
      if (this.peer && t === this.peer.tokenIn) return true;
      if (this.pendingTokenIn && t === this.pendingTokenIn) return true;
      if (kind === 'registration' && this.tokenAValid && t === this.ownTokenA) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------------------------------ logging

  private record(entry: Omit<PushRecord, 'seq' | 'at' | 'sim_at'>): PushRecord {
    const rec: PushRecord = { seq: ++this.seq, at: new Date().toISOString(), sim_at: this.nowIso(), ...entry };
    this.pushLog.push(rec);
    if (this.pushLog.length > LOG_LIMIT) this.pushLog.splice(0, this.pushLog.length - LOG_LIMIT);
    this.counters.pushes++;
    if (this.opts.verbose) {
      this.log(
        `${rec.method} ${rec.url} → ${rec.http_status} ${rec.status_code ?? ''}${rec.fault ? ` [${rec.fault}]` : ''}${rec.error ? ` ${rec.error}` : ''}`,
      );
    }
    return rec;
  }

  recordIncoming(entry: Omit<IncomingRecord, 'at'>): void {
    this.incoming.push({ at: new Date().toISOString(), ...entry });
    if (this.incoming.length > LOG_LIMIT) this.incoming.splice(0, this.incoming.length - LOG_LIMIT);
  }

  /** One outgoing request, logged. */
  async send(
    kind: string,
    method: string,
    url: string,
    body: unknown,
    extra: Partial<PushRecord> & { token?: string; routing?: boolean } = {},
  ): Promise<{ res: OcpiResponse; rec: PushRecord }> {
    const { token, routing, ...logExtra } = extra;
    const res = await ocpiRequest(method, url, {
      token: token ?? this.peer?.tokenOut ?? '',
      encoding: this.opts.tokenEncoding,
      body,
      ...(routing === false ? {} : { routing: this.routing() }),
    });
    const rec = this.record({
      kind,
      method,
      url,
      http_status: res.httpStatus,
      status_code: res.envelope?.status_code ?? null,
      ...(res.envelope?.status_message ? { status_message: res.envelope.status_message } : {}),
      ...(res.error ? { error: res.error } : {}),
      duration_ms: res.durationMs,
      ...(body !== undefined ? { request_body: body } : {}),
      response_body: res.body,
      ...logExtra,
    });
    if (rec.expect_status_code !== undefined) rec.expectation_met = rec.status_code === rec.expect_status_code;
    return { res, rec };
  }

  private roll(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  /**
   * A push with the fault modes applied: optionally a malformed copy first (the eMSP must answer 2001), the real
   * object, optionally a duplicate, optionally a stale PATCH after it (older last_updated).
   */
  private push(
    key: string,
    kind: string,
    method: 'PUT' | 'PATCH' | 'POST',
    url: string,
    body: Json,
    opts: {
      objectId: string;
      malformed?: MalformedKind;
      stale?: Json | undefined;
      /** For a PATCH the eMSP answers 404 to: the full object to PUT instead (OCPI §3.1). */
      repair?: () => { url: string; body: Json };
    } = { objectId: key },
  ): Promise<OcpiResponse | null> {
    if (!this.peer || !this.opts.push || this.closed) return Promise.resolve(null);
    return this.queue.run(key, async () => {
      if (opts.malformed && this.roll(this.faults.malformedRate)) {
        const variant = this.random() < 0.5 ? 'missing' : 'enum';
        const kindUsed: MalformedKind =
          method === 'PATCH' && opts.malformed === 'session' ? 'patch_without_last_updated' : opts.malformed;
        await this.send(kind, method, url, malform(kindUsed, body, variant), {
          object_id: opts.objectId,
          fault: 'malformed',
          defect: describeMalformed(kindUsed, variant),
          expect_status_code: 2001,
        });
      }
      const { res } = await this.send(kind, method, url, body, { object_id: opts.objectId });
      if (method === 'PATCH' && res.httpStatus === 404 && opts.repair) {
        const fix = opts.repair();
        await this.send(kind, 'PUT', fix.url, fix.body, {
          object_id: opts.objectId,
          note: 'repair: PUT after PATCH 404',
        });
      }
      if (this.roll(this.faults.duplicateRate)) {
        await this.send(kind, method, url, body, { object_id: opts.objectId, fault: 'duplicate' });
      }
      if (opts.stale && method === 'PATCH' && this.roll(this.faults.outOfOrderRate)) {
        await this.send(kind, method, url, opts.stale, { object_id: opts.objectId, fault: 'out_of_order' });
      }
      return res;
    });
  }

  // ------------------------------------------------------------------------------------------------ registration

  private async fetchEndpoints(
    versionsUrl: string,
    token: string,
  ): Promise<{ ok: true; version: string; endpoints: Endpoint[] } | { ok: false; code: number; message: string }> {
    const { res } = await this.send('versions', 'GET', versionsUrl, undefined, { token, routing: false });
    const versions = VersionsSchema.safeParse(res.envelope?.data);
    if (res.httpStatus !== 200 || !versions.success) {
      return {
        ok: false,
        code: 3001,
        message: `GET ${versionsUrl}: HTTP ${res.httpStatus}${res.error ? ` ${res.error}` : ''}`,
      };
    }
    const v = versions.data.find((x) => x.version === OCPI_VERSION);
    if (!v) return { ok: false, code: 3002, message: `no mutual version (${OCPI_VERSION})` };
    const { res: detailsRes } = await this.send('versions', 'GET', v.url, undefined, { token, routing: false });
    const details = VersionDetailsSchema.safeParse(detailsRes.envelope?.data);
    if (detailsRes.httpStatus !== 200 || !details.success) {
      return { ok: false, code: 3001, message: `GET ${v.url}: HTTP ${detailsRes.httpStatus}` };
    }
    if (!details.data.endpoints.some((e) => e.identifier === 'credentials')) {
      return { ok: false, code: 3003, message: 'the eMSP has no credentials endpoint' };
    }
    return { ok: true, version: v.version, endpoints: details.data.endpoints };
  }

  /** We are the credentials Sender: register with an eMSP using its token A. */
  async registerWith(versionsUrl: string, tokenA: string): Promise<{ ok: boolean; message: string }> {
    if (this.peer) return { ok: false, message: 'already registered; DELETE the credentials first' };
    const found = await this.fetchEndpoints(versionsUrl, tokenA);
    if (!found.ok) return { ok: false, message: found.message };
    const credentialsUrl = found.endpoints.find((e) => e.identifier === 'credentials')?.url as string;
    const tokenB = newToken();
    this.pendingTokenIn = tokenB;
    try {
      const { res } = await this.send('credentials', 'POST', credentialsUrl, this.ownCredentials(tokenB), {
        token: tokenA,
        routing: false,
      });
      const creds = CredentialsSchema.safeParse(res.envelope?.data);
      if (res.httpStatus >= 300 || res.envelope?.status_code !== 1000 || !creds.success) {
        return {
          ok: false,
          message:
            `credentials POST failed: HTTP ${res.httpStatus} ${res.envelope?.status_code ?? ''} ${res.envelope?.status_message ?? res.error ?? ''}`.trim(),
        };
      }
      // From now on we call with token C; re-read the endpoints with it (the versions URL may differ).
      let endpoints = found.endpoints;
      let version = found.version;
      const again = await this.fetchEndpoints(creds.data.url, creds.data.token);
      if (again.ok) {
        endpoints = again.endpoints;
        version = again.version;
      }
      this.peer = {
        versionsUrl: creds.data.url,
        version,
        endpoints,
        roles: creds.data.roles,
        tokenOut: creds.data.token,
        tokenIn: tokenB,
        direction: 'WE_REGISTERED',
        registeredAt: new Date().toISOString(),
      };
      this.tokenAValid = false;
      this.log(
        `registered with ${versionsUrl} (${creds.data.roles.map((r) => `${r.country_code}/${r.party_id}`).join(', ')})`,
      );
      this.scheduleInitialPush(0);
      return { ok: true, message: 'registered' };
    } finally {
      this.pendingTokenIn = null;
    }
  }

  /** The eMSP registers with us (POST) or updates its credentials (PUT). */
  async acceptCredentials(
    body: unknown,
    method: 'POST' | 'PUT',
  ): Promise<{ httpStatus: number; statusCode: number; message?: string; data?: Credentials }> {
    if (method === 'POST' && this.peer) return { httpStatus: 405, statusCode: 2000, message: 'already registered' };
    if (method === 'PUT' && !this.peer) return { httpStatus: 405, statusCode: 2000, message: 'not registered' };
    const creds = CredentialsSchema.safeParse(body);
    if (!creds.success) return { httpStatus: 400, statusCode: 2001, message: issues(creds.error) };
    const found = await this.fetchEndpoints(creds.data.url, creds.data.token);
    if (!found.ok) return { httpStatus: 200, statusCode: found.code, message: found.message };
    const tokenC = newToken();
    this.peer = {
      versionsUrl: creds.data.url,
      version: found.version,
      endpoints: found.endpoints,
      roles: creds.data.roles,
      tokenOut: creds.data.token,
      tokenIn: tokenC,
      direction: 'THEY_REGISTERED',
      registeredAt: new Date().toISOString(),
    };
    this.tokenAValid = false;
    this.log(`eMSP ${method === 'POST' ? 'registered' : 'updated its credentials'}: ${creds.data.url}`);
    if (method === 'POST') this.scheduleInitialPush(100);
    return { httpStatus: 200, statusCode: 1000, data: this.ownCredentials(tokenC) };
  }

  unregister(): boolean {
    if (!this.peer) return false;
    this.peer = null;
    this.tokenAValid = true;
    return true;
  }

  private scheduleInitialPush(delayMs: number): void {
    if (!this.opts.push) return;
    this.networkPushed = false;
    const t = setTimeout(() => {
      void this.pushNetwork().then(() => {
        this.networkPushed = true;
      });
    }, delayMs);
    t.unref?.();
  }

  // ------------------------------------------------------------------------------------------------ network pushes

  /** PUT every tariff, then every location, to the eMSP's Receiver endpoints. */
  async pushNetwork(what: 'all' | 'locations' | 'tariffs' = 'all'): Promise<{ tariffs: number; locations: number }> {
    const out = { tariffs: 0, locations: 0 };
    if (!this.peer) return out;
    const jobs: Promise<unknown>[] = [];
    const tariffsUrl = this.peerEndpoint('tariffs', 'RECEIVER');
    if (tariffsUrl && what !== 'locations') {
      for (const t of this.tariffs.values()) {
        jobs.push(this.pushTariff(t));
        out.tariffs++;
      }
    }
    const locationsUrl = this.peerEndpoint('locations', 'RECEIVER');
    if (locationsUrl && what !== 'tariffs') {
      for (const l of this.locations.values()) {
        jobs.push(this.pushLocation(l));
        out.locations++;
      }
    }
    await Promise.all(jobs);
    return out;
  }

  private ownerPath(id: string): string {
    return `${this.opts.countryCode}/${this.opts.partyId}/${encodeURIComponent(id)}`;
  }

  pushTariff(t: Tariff): Promise<OcpiResponse | null> {
    const base = this.peerEndpoint('tariffs', 'RECEIVER');
    if (!base) return Promise.resolve(null);
    return this.push(`tariff:${t.id}`, 'tariff', 'PUT', `${base}/${this.ownerPath(t.id)}`, t as Json, {
      objectId: t.id,
      malformed: 'tariff',
    });
  }

  pushLocation(l: Location): Promise<OcpiResponse | null> {
    const base = this.peerEndpoint('locations', 'RECEIVER');
    if (!base) return Promise.resolve(null);
    return this.push(`location:${l.id}`, 'location', 'PUT', `${base}/${this.ownerPath(l.id)}`, l as Json, {
      objectId: l.id,
      malformed: 'location',
    });
  }

  /** Sets an EVSE's status (bumping EVSE and Location last_updated) and PATCHes it to the eMSP. */
  setEvseStatus(location: Location, evse: Evse, status: EvseStatus): Promise<OcpiResponse | null> {
    const previous = { status: evse.status, last_updated: evse.last_updated };
    const now = this.stamp(evse.last_updated);
    evse.status = status;
    evse.last_updated = now;
    location.last_updated = now;
    this.counters.statusChanges++;
    const base = this.peerEndpoint('locations', 'RECEIVER');
    if (!base) return Promise.resolve(null);
    const url = `${base}/${this.ownerPath(location.id)}/${encodeURIComponent(evse.uid)}`;
    return this.push(
      `location:${location.id}`,
      'evse_status',
      'PATCH',
      url,
      { status, last_updated: now },
      {
        objectId: `${location.id}/${evse.uid}`,
        malformed: this.random() < 0.5 ? 'evse_status' : 'patch_without_last_updated',
        stale: previous,
        repair: () => ({ url: `${base}/${this.ownerPath(location.id)}`, body: location as Json }),
      },
    );
  }

  private findEvse(locationId: string, evseUid: string): { location: Location; evse: Evse } | null {
    const location = this.locations.get(locationId);
    const evse = location?.evses?.find((e) => e.uid.toUpperCase() === evseUid.toUpperCase());
    return location && evse ? { location, evse } : null;
  }

  private evseInSession(evseUid: string): boolean {
    for (const s of this.sessions.values()) if (s.state !== 'COMPLETED' && s.evse.uid === evseUid) return true;
    return false;
  }

  private pickWeighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.random() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }

  private allEvses(): { location: Location; evse: Evse }[] {
    const out: { location: Location; evse: Evse }[] = [];
    for (const location of this.locations.values())
      for (const evse of location.evses ?? []) out.push({ location, evse });
    return out;
  }

  /** A status change: the given EVSE/status, or a random EVSE without a simulated session and a random new status. */
  forceStatus(input: { location_id?: string; evse_uid?: string; status?: EvseStatus }): {
    location_id: string;
    evse_uid: string;
    status: EvseStatus;
    previous: EvseStatus;
  } | null {
    let target: { location: Location; evse: Evse } | null = null;
    if (input.location_id && input.evse_uid) target = this.findEvse(input.location_id, input.evse_uid);
    else if (input.location_id) {
      const location = this.locations.get(input.location_id);
      const evse = location?.evses?.[0];
      target = location && evse ? { location, evse } : null;
    } else {
      const free = this.allEvses().filter((x) => !this.evseInSession(x.evse.uid));
      target = free.length > 0 ? (free[Math.floor(this.random() * free.length)] ?? null) : null;
    }
    if (!target) return null;
    const previous = target.evse.status;
    let status = input.status;
    if (!status) {
      const options = STATUS_WEIGHTS.filter(([s]) => s !== previous);
      status = this.pickWeighted(options);
    }
    void this.setEvseStatus(target.location, target.evse, status);
    return { location_id: target.location.id, evse_uid: target.evse.uid, status, previous };
  }

  // ------------------------------------------------------------------------------------------------ tick

  tick(): void {
    if (this.closed) return;
    const real = performance.now();
    const dt = (real - this.lastTickReal) / 1000;
    this.lastTickReal = real;
    if (this.opts.statusRate > 0 && this.peer && (this.networkPushed || !this.opts.push)) {
      this.statusDue += this.opts.statusRate * dt;
      // Bound the backlog after a stall.
      this.statusDue = Math.min(this.statusDue, this.opts.statusRate * 5 + 1);
      while (this.statusDue >= 1) {
        this.statusDue -= 1;
        this.forceStatus({});
      }
    }
    const now = this.simNow();
    for (const s of [...this.sessions.values()]) {
      try {
        this.advanceSession(s, now);
      } catch (e) {
        this.log(`session ${s.id}: ${(e as Error).stack ?? e}`);
      }
    }
  }

  private advanceSession(s: SimSession, nowMs: number): void {
    if (s.state === 'RESERVATION' && s.reservation && nowMs >= s.reservation.expiryMs) {
      this.endReservation(s, 'expired');
      return;
    }
    if (s.state !== 'ACTIVE' || !s.meter) return;
    const meter = s.meter;
    const target = Math.floor((nowMs - meter.startMs) / 1000);
    const update = this.opts.sessionUpdateSeconds;
    const autoStop = this.opts.autoStopParkMinutes * 60;
    while (meter.state.elapsedSeconds < target) {
      let next = Math.min(target, s.lastUpdateElapsed + update);
      if (autoStop > 0 && meter.state.full) next = Math.min(next, meter.state.chargingSeconds + autoStop);
      next = Math.max(next, meter.state.elapsedSeconds);
      meter.advanceTo(next);
      if (autoStop > 0 && meter.state.full && meter.state.elapsedSeconds >= meter.state.chargingSeconds + autoStop) {
        this.stopSession(s.id, 'The car left after charging.');
        return;
      }
      if (meter.state.elapsedSeconds >= s.lastUpdateElapsed + update) this.sessionUpdate(s);
      if (next === meter.state.elapsedSeconds && next >= target) break;
    }
  }

  // ------------------------------------------------------------------------------------------------ sessions

  private sessionUrl(id: string): string | null {
    const base = this.peerEndpoint('sessions', 'RECEIVER');
    return base ? `${base}/${this.ownerPath(id)}` : null;
  }

  private liveCost(s: SimSession): CdrCosts | null {
    if (!s.meter) return null;
    const periods = s.meter.snapshot();
    if (periods.length === 0) return null;
    const priced = priceSession({
      startMs: s.meter.startMs,
      endMs: s.meter.nowMs,
      periods,
      tariff: s.tariff,
      timeZone: s.location.time_zone,
      currency: String(s.session.currency),
      mode: 'LIVE',
    });
    return priced.ok ? priced.costs : null;
  }

  private sessionUpdate(s: SimSession): void {
    const meter = s.meter as SessionMeter;
    if (meter.openPeriodSeconds >= this.opts.periodMaxSeconds) meter.closeOpenPeriod();
    s.lastUpdateElapsed = meter.state.elapsedSeconds;
    const fresh = meter.closed.slice(s.unsentPeriods);
    s.unsentPeriods = meter.closed.length;
    const stale = { kwh: s.session.kwh, last_updated: s.session.last_updated, ...pick(s.session, 'total_cost') };
    const patch: Json = { kwh: meter.energyKwh, last_updated: this.stamp(s.session.last_updated) };
    if (fresh.length > 0) patch.charging_periods = fresh;
    const cost = this.liveCost(s);
    if (cost) patch.total_cost = cost.total_cost;
    Object.assign(s.session, patch, { charging_periods: [...meter.closed] });
    const url = this.sessionUrl(s.id);
    if (url) {
      void this.push(`session:${s.id}`, 'session', 'PATCH', url, patch, {
        objectId: s.id,
        malformed: 'session',
        stale,
        repair: () => ({ url, body: { ...s.session } }),
      });
    }
  }

  private pickEvse(location: Location, evseUid: string | null | undefined): Evse | null {
    if (evseUid) return location.evses?.find((e) => e.uid.toUpperCase() === evseUid.toUpperCase()) ?? null;
    const evses = location.evses ?? [];
    return evses.find((e) => e.status === 'AVAILABLE' && !this.evseInSession(e.uid)) ?? evses[0] ?? null;
  }

  /** Why an EVSE cannot start now, as a CommandResult. */
  private evseBlocked(evse: Evse, token?: CdrToken): StartResult['result'] | null {
    const reservation = [...this.sessions.values()].find(
      (x) => x.state === 'RESERVATION' && x.evse.uid === evse.uid && x.reservation,
    );
    if (reservation) {
      return token && reservation.reservation?.token.uid === token.uid ? null : 'EVSE_OCCUPIED';
    }
    if (this.evseInSession(evse.uid)) return 'EVSE_OCCUPIED';
    if (evse.status === 'AVAILABLE') return null;
    if (BUSY.has(evse.status)) return 'EVSE_OCCUPIED';
    return 'EVSE_INOPERATIVE';
  }

  private cdrToken(token: Token): CdrToken {
    return {
      country_code: token.country_code,
      party_id: token.party_id,
      uid: token.uid,
      type: token.type,
      contract_id: token.contract_id,
    };
  }

  /** Starts charging at an EVSE (after authorization); PUTs the Session and PATCHes the EVSE to CHARGING. */
  startCharging(input: {
    location: Location;
    evse: Evse;
    connectorId?: string | null | undefined;
    token: CdrToken;
    authMethod: 'AUTH_REQUEST' | 'COMMAND' | 'WHITELIST';
    authorizationReference?: string | null | undefined;
    vehicle?: VehicleInput | undefined;
  }): StartResult {
    const { location, evse } = input;
    const blocked = this.evseBlocked(evse, input.token);
    if (blocked) return { ok: false, result: blocked, message: `EVSE ${evse.uid} is ${evse.status}` };
    const connector = input.connectorId
      ? evse.connectors.find((c) => c.id.toUpperCase() === String(input.connectorId).toUpperCase())
      : evse.connectors[0];
    if (!connector) return { ok: false, result: 'REJECTED', message: `unknown connector ${input.connectorId}` };
    const startMs = this.simNow();
    const tariff = sessionTariff(connector, this.tariffs, startMs);
    const ac = connector.power_type !== 'DC';
    const params = chargeParams({
      ac,
      chargePointKw: connectorPowerW(connector) / 1000,
      batteryKwh: input.vehicle?.battery_kwh,
      startSocPct: input.vehicle?.start_soc,
      targetSocPct: input.vehicle?.target_soc,
      vehicleKw: input.vehicle?.max_kw,
    });
    const meter = new SessionMeter(params, {
      startMs,
      tariffId: tariff?.id,
      probe: tariff && tariffVaries(tariff) ? tariffProbe(tariff, location.time_zone) : undefined,
      volts: ac ? 230 : 400,
      toDateTime: ocpiDateTime,
    });
    // A reservation by the same token at this EVSE turns into this session.
    const reserved = [...this.sessions.values()].find(
      (x) => x.state === 'RESERVATION' && x.evse.uid === evse.uid && x.reservation?.token.uid === input.token.uid,
    );
    const id = reserved?.id ?? this.nextId('S');
    const now = ocpiDateTime(startMs);
    const session: Json = {
      country_code: this.opts.countryCode,
      party_id: this.opts.partyId,
      id,
      start_date_time: now,
      kwh: 0,
      cdr_token: input.token,
      auth_method: input.authMethod,
      ...(input.authorizationReference ? { authorization_reference: input.authorizationReference } : {}),
      location_id: location.id,
      evse_uid: evse.uid,
      connector_id: connector.id,
      meter_id: `SIM-METER-${evse.uid}`,
      currency: tariff?.currency ?? 'EUR',
      charging_periods: [],
      total_cost: { excl_vat: 0, incl_vat: 0 },
      status: 'ACTIVE',
      last_updated: this.stamp(reserved?.session.last_updated),
    };
    const sim: SimSession = {
      id,
      session,
      location,
      evse,
      connector,
      tariff: tariff ? structuredClone(tariff) : null,
      meter,
      lastUpdateElapsed: 0,
      unsentPeriods: 0,
      state: 'ACTIVE',
    };
    this.sessions.set(id, sim);
    this.counters.sessionsStarted++;
    const url = this.sessionUrl(id);
    if (url) void this.push(`session:${id}`, 'session', 'PUT', url, session, { objectId: id, malformed: 'session' });
    void this.setEvseStatus(location, evse, 'CHARGING');
    return { ok: true, result: 'ACCEPTED', message: 'charging', session_id: id };
  }

  /** Ends a session now: final Session PATCH (COMPLETED), EVSE AVAILABLE, CDR POST. */
  stopSession(id: string, remark = 'Stopped.'): { ok: boolean; message: string; cdr_id?: string } {
    const s = this.sessions.get(id);
    if (!s) return { ok: false, message: 'unknown session' };
    if (s.state === 'RESERVATION') {
      this.endReservation(s, 'cancelled');
      return { ok: true, message: 'reservation ended' };
    }
    if (s.state !== 'ACTIVE' || !s.meter) return { ok: false, message: `session is ${s.state}` };
    const meter = s.meter;
    const target = Math.floor((this.simNow() - meter.startMs) / 1000);
    if (target > meter.state.elapsedSeconds) meter.advanceTo(target);
    const periods = meter.finish();
    // At least one period, even for a session stopped in its first second.
    if (periods.length === 0) {
      periods.push({
        start_date_time: ocpiDateTime(meter.startMs),
        dimensions: [{ type: 'TIME', volume: 0 }],
        ...(s.tariff ? { tariff_id: s.tariff.id } : {}),
      });
    }
    const endMs = Math.max(meter.nowMs, meter.startMs);
    const priced = priceSession({
      startMs: meter.startMs,
      endMs,
      periods,
      tariff: s.tariff,
      timeZone: s.location.time_zone,
      currency: String(s.session.currency),
      mode: 'FINAL',
    });
    if (!priced.ok) this.log(`session ${id}: pricing failed: ${priced.message}`);
    const costs: CdrCosts = priced.ok
      ? priced.costs
      : { total_cost: { excl_vat: 0, incl_vat: 0 }, total_energy: meter.energyKwh, total_time: 0 };
    const now = ocpiDateTime(endMs);
    const fresh = periods.slice(s.unsentPeriods);
    s.unsentPeriods = periods.length;
    const patch: Json = {
      status: 'COMPLETED',
      end_date_time: now,
      kwh: meter.energyKwh,
      total_cost: costs.total_cost,
      last_updated: this.stamp(s.session.last_updated),
    };
    if (fresh.length > 0) patch.charging_periods = fresh;
    const stale = { kwh: s.session.kwh, last_updated: s.session.last_updated };
    Object.assign(s.session, patch, { charging_periods: [...periods] });
    s.state = 'COMPLETED';
    const url = this.sessionUrl(id);
    if (url) {
      void this.push(`session:${id}`, 'session', 'PATCH', url, patch, {
        objectId: id,
        malformed: 'session',
        stale,
        repair: () => ({ url, body: { ...s.session } }),
      });
    }
    void this.setEvseStatus(s.location, s.evse, 'AVAILABLE');
    const cdr = this.buildCdr(s, periods, costs, endMs, remark);
    s.cdrId = String(cdr.id);
    this.cdrs.push(cdr);
    void this.postCdr(cdr);
    return { ok: true, message: 'stopped', cdr_id: s.cdrId };
  }

  private buildCdr(s: SimSession, periods: ChargingPeriod[], costs: CdrCosts, endMs: number, remark: string): Json {
    const l = s.location;
    const cdrLocation: Json = {
      id: l.id,
      ...(l.name ? { name: l.name } : {}),
      address: l.address.slice(0, 45),
      city: l.city,
      ...(l.postal_code ? { postal_code: l.postal_code } : {}),
      ...(l.state ? { state: l.state } : {}),
      country: l.country,
      coordinates: { latitude: l.coordinates.latitude, longitude: l.coordinates.longitude },
      evse_uid: s.evse.uid,
      evse_id: s.evse.evse_id ?? '#NA',
      connector_id: s.connector.id,
      connector_standard: s.connector.standard,
      connector_format: s.connector.format,
      connector_power_type: s.connector.power_type,
    };
    const now = ocpiDateTime(endMs);
    return {
      country_code: this.opts.countryCode,
      party_id: this.opts.partyId,
      id: `CDR-${s.id}`,
      start_date_time: s.session.start_date_time,
      end_date_time: now,
      session_id: s.id,
      cdr_token: s.session.cdr_token,
      auth_method: s.session.auth_method,
      ...(s.session.authorization_reference ? { authorization_reference: s.session.authorization_reference } : {}),
      cdr_location: cdrLocation,
      meter_id: s.session.meter_id,
      currency: s.session.currency,
      ...(s.tariff ? { tariffs: [s.tariff] } : {}),
      charging_periods: periods,
      ...costs,
      remark,
      last_updated: this.stamp(),
    };
  }

  private async postCdr(cdr: Json): Promise<void> {
    const url = this.peerEndpoint('cdrs', 'RECEIVER');
    if (!url) return;
    const res = await this.push(`cdr:${cdr.id}`, 'cdr', 'POST', url, cdr, {
      objectId: String(cdr.id),
      malformed: 'cdr',
    });
    if (res && res.httpStatus < 300 && res.envelope?.status_code === 1000) {
      this.counters.cdrsSent++;
      const location = res.headers.location;
      if (location) this.cdrLocations.set(String(cdr.id), location);
    }
  }

  private endReservation(s: SimSession, why: 'expired' | 'cancelled'): void {
    const now = this.nowIso();
    s.state = 'COMPLETED';
    const patch: Json = { status: 'COMPLETED', end_date_time: now, last_updated: this.stamp(s.session.last_updated) };
    Object.assign(s.session, patch);
    const url = this.sessionUrl(s.id);
    if (url) {
      void this.push(`session:${s.id}`, 'session', 'PATCH', url, patch, {
        objectId: s.id,
        repair: () => ({ url, body: { ...s.session } }),
      });
    }
    if (s.evse.status === 'RESERVED') void this.setEvseStatus(s.location, s.evse, 'AVAILABLE');
    this.log(`reservation ${s.reservation?.id} ${why}`);
  }

  // ------------------------------------------------------------------------------------------------ tokens

  tokenKey(cc: string, pid: string, uid: string, type: string): string {
    return `${cc}|${pid}|${uid}|${type}`.toUpperCase();
  }

  findTokenByUid(uid: string, type: string): Token | null {
    for (const t of this.tokens.values()) {
      if (t.uid.toUpperCase() === uid.toUpperCase() && t.type === type) return t;
    }
    return null;
  }

  /** Real-time authorization at the eMSP's Tokens Sender interface. */
  async authorize(
    uid: string,
    type: string,
    locationId: string,
    evseUid: string,
  ): Promise<{ reached: boolean; info: AuthorizationInfo | null; statusCode: number | null; message: string }> {
    const base = this.peerEndpoint('tokens', 'SENDER');
    if (!base)
      return { reached: false, info: null, statusCode: null, message: 'the eMSP has no tokens SENDER endpoint' };
    this.counters.authorizations++;
    const url = `${base}/${encodeURIComponent(uid)}/authorize?type=${encodeURIComponent(type)}`;
    const { res } = await this.send(
      'authorize',
      'POST',
      url,
      { location_id: locationId, evse_uids: [evseUid] },
      {
        object_id: uid,
      },
    );
    if (res.httpStatus === 0 || res.httpStatus >= 500) {
      return { reached: false, info: null, statusCode: null, message: res.error ?? `HTTP ${res.httpStatus}` };
    }
    const code = res.envelope?.status_code ?? null;
    const info = AuthorizationInfoSchema.safeParse(res.envelope?.data);
    if (code !== 1000 || !info.success) {
      return {
        reached: true,
        info: null,
        statusCode: code,
        message: code === 2004 ? 'unknown token' : `authorization failed (HTTP ${res.httpStatus}, ${code})`,
      };
    }
    return { reached: true, info: info.data, statusCode: code, message: info.data.allowed };
  }

  /** A driver holds a token to the reader of an EVSE. */
  async swipe(input: {
    token_uid: string;
    token_type?: string;
    location_id?: string;
    evse_uid?: string;
    connector_id?: string;
    vehicle?: VehicleInput;
  }): Promise<StartResult> {
    const type = input.token_type ?? 'RFID';
    let location: Location | undefined;
    let evse: Evse | null = null;
    if (input.location_id) {
      location = this.locations.get(input.location_id);
      if (!location) return { ok: false, result: 'REJECTED', message: 'unknown location' };
      evse = this.pickEvse(location, input.evse_uid);
    } else {
      const free = this.allEvses().filter((x) => x.evse.status === 'AVAILABLE' && !this.evseInSession(x.evse.uid));
      const chosen = free[Math.floor(this.random() * free.length)];
      location = chosen?.location;
      evse = chosen?.evse ?? null;
    }
    if (!location || !evse) return { ok: false, result: 'REJECTED', message: 'no such EVSE / none available' };
    const known = this.findTokenByUid(input.token_uid, type);
    const startWith = (
      token: CdrToken,
      method: 'AUTH_REQUEST' | 'WHITELIST',
      ref?: string | null,
      info?: AuthorizationInfo | null,
    ): StartResult => {
      const r = this.startCharging({
        location: location as Location,
        evse: evse as Evse,
        connectorId: input.connector_id,
        token,
        authMethod: method,
        authorizationReference: ref,
        vehicle: input.vehicle,
      });
      return { ...r, authorization: info ?? null };
    };
    if (known?.valid && known.whitelist === 'ALWAYS') return startWith(this.cdrToken(known), 'WHITELIST');
    const auth = await this.authorize(input.token_uid, type, location.id, evse.uid);
    if (!auth.reached) {
      if (known?.valid && (known.whitelist === 'ALLOWED_OFFLINE' || known.whitelist === 'ALLOWED')) {
        return startWith(this.cdrToken(known), 'WHITELIST');
      }
      return { ok: false, result: 'REJECTED', message: `eMSP unreachable: ${auth.message}`, authorization: null };
    }
    if (auth.info?.allowed !== 'ALLOWED') {
      return { ok: false, result: 'REJECTED', message: auth.message, authorization: auth.info };
    }
    return startWith(this.cdrToken(auth.info.token), 'AUTH_REQUEST', auth.info.authorization_reference, auth.info);
  }

  // ------------------------------------------------------------------------------------------------ commands

  private postResult(responseUrl: string, result: string, message?: string): Promise<unknown> {
    return this.queue.run(`result:${responseUrl}`, () =>
      this.send(
        'command_result',
        'POST',
        responseUrl,
        { result, ...(message ? { message: [{ language: 'en', text: message }] } : {}) },
        { object_id: responseUrl },
      ),
    );
  }

  private later(fn: () => Promise<void> | void): void {
    const t = setTimeout(() => {
      if (this.closed) return;
      Promise.resolve()
        .then(fn)
        .catch((e: unknown) => this.log(`command: ${(e as Error).stack ?? e}`));
    }, this.opts.commandDelayMs);
    t.unref?.();
  }

  /**
   * Handles a validated command body. Returns the synchronous CommandResponse (with the OCPI status code);
   * when ACCEPTED, the CommandResult follows asynchronously at `response_url`.
   */
  command(
    type: CommandType,
    body: Json,
  ): { statusCode: number; httpStatus: number; data: { result: string; timeout: number; message?: unknown[] } } {
    this.counters.commands++;
    const timeout = 30;
    const reply = (result: string, statusCode = 1000, message?: string) => ({
      statusCode,
      httpStatus: 200,
      data: { result, timeout, ...(message ? { message: [{ language: 'en', text: message }] } : {}) },
    });
    const responseUrl = String(body.response_url);
    switch (type) {
      case 'START_SESSION': {
        const location = this.locations.get(String(body.location_id));
        if (!location) return reply('REJECTED', 2003, 'unknown location');
        const evse = this.pickEvse(location, body.evse_uid as string | null | undefined);
        if (!evse) return reply('REJECTED', 1000, 'unknown EVSE');
        if (evse.capabilities?.includes('START_SESSION_CONNECTOR_REQUIRED') && !body.connector_id) {
          return reply('REJECTED', 1000, 'connector_id required');
        }
        this.later(async () => {
          const token = body.token as Token;
          if (this.opts.authorizeCommands && token.type === 'RFID') {
            const auth = await this.authorize(token.uid, token.type, location.id, evse.uid);
            if (auth.info?.allowed !== 'ALLOWED') {
              await this.postResult(responseUrl, 'REJECTED', `token not allowed: ${auth.message}`);
              return;
            }
          }
          const started = this.startCharging({
            location,
            evse,
            connectorId: body.connector_id as string | null | undefined,
            token: this.cdrToken(token),
            authMethod: 'COMMAND',
            authorizationReference: body.authorization_reference as string | null | undefined,
            vehicle: body.sim_vehicle as VehicleInput | undefined,
          });
          await this.postResult(responseUrl, started.result, started.ok ? undefined : started.message);
        });
        return reply('ACCEPTED');
      }
      case 'STOP_SESSION': {
        const s = this.sessions.get(String(body.session_id));
        if (s?.state !== 'ACTIVE') return reply('UNKNOWN_SESSION', 1000, 'no active session with this id');
        this.later(async () => {
          const r = this.stopSession(s.id, 'Stopped by the eMSP (STOP_SESSION).');
          await this.postResult(responseUrl, r.ok ? 'ACCEPTED' : 'FAILED', r.ok ? undefined : r.message);
        });
        return reply('ACCEPTED');
      }
      case 'RESERVE_NOW': {
        const location = this.locations.get(String(body.location_id));
        if (!location) return reply('REJECTED', 2003, 'unknown location');
        const expiryMs = parseOcpiDateTime(String(body.expiry_date));
        this.later(async () => {
          const r = this.reserve(location, body, expiryMs);
          await this.postResult(responseUrl, r.result, r.message);
        });
        return reply('ACCEPTED');
      }
      case 'CANCEL_RESERVATION': {
        this.later(async () => {
          const s = [...this.sessions.values()].find(
            (x) => x.state === 'RESERVATION' && x.reservation?.id === String(body.reservation_id),
          );
          if (!s) {
            await this.postResult(responseUrl, 'UNKNOWN_RESERVATION');
            return;
          }
          this.endReservation(s, 'cancelled');
          await this.postResult(responseUrl, 'ACCEPTED');
        });
        return reply('ACCEPTED');
      }
      case 'UNLOCK_CONNECTOR': {
        const location = this.locations.get(String(body.location_id));
        if (!location) return reply('REJECTED', 2003, 'unknown location');
        const found = this.findEvse(location.id, String(body.evse_uid));
        const connector = found?.evse.connectors.find(
          (c) => c.id.toUpperCase() === String(body.connector_id).toUpperCase(),
        );
        if (!connector) return reply('REJECTED', 1000, 'unknown EVSE or connector');
        this.later(() => this.postResult(responseUrl, 'ACCEPTED').then(() => undefined));
        return reply('ACCEPTED');
      }
    }
  }

  private reserve(location: Location, body: Json, expiryMs: number): { result: string; message?: string } {
    const token = this.cdrToken(body.token as Token);
    const reservationId = String(body.reservation_id);
    const existing = [...this.sessions.values()].find(
      (x) => x.state === 'RESERVATION' && x.reservation?.id === reservationId && x.location.id === location.id,
    );
    if (existing?.reservation) {
      // Same location + reservation_id replaces the reservation.
      existing.reservation.expiryMs = expiryMs;
      return { result: 'ACCEPTED' };
    }
    const evseUid = body.evse_uid as string | null | undefined;
    const evse = evseUid
      ? this.pickEvse(location, evseUid)
      : ((location.evses ?? []).find(
          (e) => e.status === 'AVAILABLE' && !this.evseInSession(e.uid) && e.capabilities?.includes('RESERVABLE'),
        ) ?? null);
    if (!evse) return { result: 'REJECTED', message: 'no reservable EVSE available' };
    if (!evse.capabilities?.includes('RESERVABLE')) return { result: 'NOT_SUPPORTED', message: 'EVSE not reservable' };
    const blocked = this.evseBlocked(evse);
    if (blocked) return { result: blocked };
    if (expiryMs <= this.simNow()) return { result: 'REJECTED', message: 'expiry_date is in the past' };
    const connector = evse.connectors[0] as Connector;
    const id = this.nextId('R');
    const now = this.nowIso();
    const session: Json = {
      country_code: this.opts.countryCode,
      party_id: this.opts.partyId,
      id,
      start_date_time: now,
      kwh: 0,
      cdr_token: token,
      auth_method: 'COMMAND',
      ...(body.authorization_reference ? { authorization_reference: body.authorization_reference } : {}),
      location_id: location.id,
      evse_uid: evse.uid,
      connector_id: connector.id,
      currency: 'EUR',
      charging_periods: [],
      status: 'RESERVATION',
      last_updated: this.stamp(),
    };
    this.sessions.set(id, {
      id,
      session,
      location,
      evse,
      connector,
      tariff: null,
      meter: null,
      lastUpdateElapsed: 0,
      unsentPeriods: 0,
      reservation: { id: reservationId, expiryMs, token },
      state: 'RESERVATION',
    });
    const url = this.sessionUrl(id);
    if (url) void this.push(`session:${id}`, 'session', 'PUT', url, session, { objectId: id });
    void this.setEvseStatus(location, evse, 'RESERVED');
    return { result: 'ACCEPTED' };
  }

  // ------------------------------------------------------------------------------------------------ malformed

  /** Sends one malformed object of the given kind now and returns the logged exchange. */
  async sendMalformed(kind: MalformedKind, variant: 'missing' | 'enum' = 'missing'): Promise<PushRecord | null> {
    if (!this.peer) return null;
    const first = this.locations.values().next().value as Location | undefined;
    const evse = first?.evses?.[0];
    let method: 'PUT' | 'PATCH' | 'POST';
    let url: string | null = null;
    let valid: Json;
    let objectId: string;
    switch (kind) {
      case 'location': {
        if (!first) return null;
        const base = this.peerEndpoint('locations', 'RECEIVER');
        method = 'PUT';
        url = base && `${base}/${this.ownerPath(first.id)}`;
        valid = first as Json;
        objectId = first.id;
        break;
      }
      case 'evse_status':
      case 'patch_without_last_updated': {
        if (!first || !evse) return null;
        const base = this.peerEndpoint('locations', 'RECEIVER');
        method = 'PATCH';
        url = base && `${base}/${this.ownerPath(first.id)}/${encodeURIComponent(evse.uid)}`;
        valid = { status: evse.status, last_updated: this.stamp(evse.last_updated) };
        objectId = `${first.id}/${evse.uid}`;
        break;
      }
      case 'tariff': {
        const t = this.tariffs.values().next().value as Tariff | undefined;
        if (!t) return null;
        const base = this.peerEndpoint('tariffs', 'RECEIVER');
        method = 'PUT';
        url = base && `${base}/${this.ownerPath(t.id)}`;
        valid = t as Json;
        objectId = t.id;
        break;
      }
      case 'session': {
        const s = this.sampleSession();
        method = 'PUT';
        url = this.sessionUrl(String(s.id));
        valid = s;
        objectId = String(s.id);
        break;
      }
      case 'cdr': {
        const s = this.sampleSession();
        method = 'POST';
        url = this.peerEndpoint('cdrs', 'RECEIVER');
        valid = {
          country_code: this.opts.countryCode,
          party_id: this.opts.partyId,
          id: `CDR-${s.id}`,
          start_date_time: s.start_date_time,
          end_date_time: s.start_date_time,
          session_id: s.id,
          cdr_token: s.cdr_token,
          auth_method: 'COMMAND',
          cdr_location: {
            id: first?.id ?? 'LOC000001',
            address: first?.address.slice(0, 45) ?? 'Nowhere 1',
            city: first?.city ?? 'Nowhere',
            country: first?.country ?? 'DEU',
            coordinates: first?.coordinates ?? { latitude: '52.520000', longitude: '13.405000' },
            evse_uid: evse?.uid ?? '#NA',
            evse_id: evse?.evse_id ?? '#NA',
            connector_id: '1',
            connector_standard: 'IEC_62196_T2',
            connector_format: 'SOCKET',
            connector_power_type: 'AC_3_PHASE',
          },
          currency: 'EUR',
          charging_periods: [{ start_date_time: s.start_date_time, dimensions: [{ type: 'ENERGY', volume: 0 }] }],
          total_cost: { excl_vat: 0, incl_vat: 0 },
          total_energy: 0,
          total_time: 0,
          last_updated: s.start_date_time,
        };
        objectId = `CDR-${s.id}`;
        break;
      }
    }
    if (!url) return null;
    const target = url;
    const { rec } = await this.queue.run(`malformed:${objectId}`, () =>
      this.send(
        kind === 'evse_status' || kind === 'patch_without_last_updated' ? 'evse_status' : kind,
        method,
        target,
        malform(kind, valid, variant),
        {
          object_id: objectId,
          fault: 'malformed',
          defect: describeMalformed(kind, variant),
          expect_status_code: 2001,
        },
      ),
    );
    return rec;
  }

  private sampleSession(): Json {
    const id = this.nextId('M');
    const emsp = this.peer?.roles.find((r) => r.role === 'EMSP') ?? this.peer?.roles[0];
    const first = this.locations.values().next().value as Location | undefined;
    const now = this.nowIso();
    return {
      country_code: this.opts.countryCode,
      party_id: this.opts.partyId,
      id,
      start_date_time: now,
      kwh: 0,
      cdr_token: {
        country_code: emsp?.country_code ?? 'DE',
        party_id: emsp?.party_id ?? 'EMP',
        uid: 'MALFORMED-TEST',
        type: 'RFID',
        contract_id: 'MALFORMED-TEST',
      },
      auth_method: 'WHITELIST',
      location_id: first?.id ?? 'LOC000001',
      evse_uid: first?.evses?.[0]?.uid ?? '#NA',
      connector_id: '1',
      currency: 'EUR',
      status: 'ACTIVE',
      last_updated: this.stamp(),
    };
  }

  // ------------------------------------------------------------------------------------------------ state

  reset(opts: { unregister?: boolean } = {}): void {
    this.sessions.clear();
    this.cdrs = [];
    this.cdrLocations.clear();
    this.tokens.clear();
    this.pushLog = [];
    this.incoming = [];
    this.counters = { pushes: 0, statusChanges: 0, commands: 0, sessionsStarted: 0, cdrsSent: 0, authorizations: 0 };
    this.random = seededRandom(this.opts.seed ^ 0x5eed);
    this.buildNetwork();
    if (opts.unregister) this.unregister();
  }

  sessionList(): Json[] {
    return [...this.sessions.values()].map((s) => s.session);
  }

  summary(logLimit = 200): Json {
    const evses = this.allEvses();
    const statuses: Record<string, number> = {};
    for (const { evse } of evses) statuses[evse.status] = (statuses[evse.status] ?? 0) + 1;
    return {
      party: { country_code: this.opts.countryCode, party_id: this.opts.partyId },
      versions_url: this.versionsUrl,
      token_a: this.tokenAValid ? this.ownTokenA : null,
      registered: this.peer !== null,
      peer: this.peer
        ? {
            versions_url: this.peer.versionsUrl,
            version: this.peer.version,
            direction: this.peer.direction,
            roles: this.peer.roles,
            endpoints: this.peer.endpoints,
            registered_at: this.peer.registeredAt,
          }
        : null,
      clock: { sim_now: this.nowIso(), speed: this.opts.speed },
      faults: this.faults,
      locations: this.locations.size,
      evses: evses.length,
      evse_statuses: statuses,
      tariffs: this.tariffs.size,
      tokens: this.tokens.size,
      counters: this.counters,
      cdrs_sent: this.counters.cdrsSent,
      sessions: [...this.sessions.values()].map((s) => ({
        id: s.id,
        status: s.session.status,
        location_id: s.location.id,
        evse_uid: s.evse.uid,
        connector_id: s.connector.id,
        token_uid: (s.session.cdr_token as CdrToken).uid,
        kwh: s.session.kwh,
        soc: s.meter ? Math.round(s.meter.state.socPct * 10) / 10 : null,
        power_kw: s.meter ? Math.round(s.meter.state.lastPowerKw * 100) / 100 : null,
        full: s.meter?.state.full ?? false,
        periods: (s.session.charging_periods as unknown[] | undefined)?.length ?? 0,
        total_cost: s.session.total_cost ?? null,
        tariff_id: s.tariff?.id ?? null,
        start_date_time: s.session.start_date_time,
        end_date_time: s.session.end_date_time ?? null,
        cdr_id: s.cdrId ?? null,
        reservation_id: s.reservation?.id ?? null,
      })),
      cdrs: this.cdrs.map((c) => ({
        id: c.id,
        session_id: c.session_id,
        total_energy: c.total_energy,
        total_cost: c.total_cost,
        emsp_location: this.cdrLocations.get(String(c.id)) ?? null,
      })),
      push_queue: this.queue.size,
      push_log: this.pushLog.slice(-logLimit),
      incoming: this.incoming.slice(-logLimit),
    };
  }
}

function pick(o: Json, key: string): Json {
  return key in o ? { [key]: o[key] } : {};
}
