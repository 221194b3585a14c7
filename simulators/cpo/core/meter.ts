// Session accumulation and charging-period splitting (digest §7, §11.4): the CPO starts a new ChargingPeriod
// whenever a different price component becomes active (found by an injected probe of the tariff's element choice,
// bisected to the second), when the car switches between charging and parking, and when asked (periodic updates).
// Period volumes are differences of cumulative values rounded to 4 decimals, so the periods sum exactly to the
// session totals. Pure.
import { type ChargeParams, type ChargeState, initialState, powerKw, stepSecond } from './power-curve.ts';

export interface ProbeInput {
  sessionStartMs: number;
  atMs: number;
  /** Energy delivered before `atMs` (kWh). */
  energyKwh: number;
  charging: boolean;
  /** Only while charging. */
  powerKw?: number;
  currentA?: number;
}

/** Identifies the set of price components active at an instant; a change means a new period. */
export type ElementProbe = (input: ProbeInput) => string;

export interface CdrDimension {
  type: 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'MIN_POWER' | 'MAX_POWER' | 'MIN_CURRENT' | 'MAX_CURRENT';
  volume: number;
}

export interface ChargingPeriod {
  start_date_time: string;
  dimensions: CdrDimension[];
  tariff_id?: string;
}

export interface MeterOptions {
  startMs: number;
  tariffId?: string | undefined;
  probe?: ElementProbe | undefined;
  /** Seconds between probe checks (changes in between are found by bisection). */
  probeEverySeconds?: number;
  /** Volts used to derive the current (sum over phases) from the power: 230 for AC, ~400 for DC. */
  volts: number;
  toDateTime: (ms: number) => string;
}

interface OpenPeriod {
  start: ChargeState;
  charging: boolean;
  signature: string;
  minKw: number;
  maxKw: number;
}

const r4 = (x: number) => Math.round(x * 10_000);
const diff4 = (a: number, b: number) => (r4(b) - r4(a)) / 10_000;
const round4 = (x: number) => r4(x) / 10_000;

export class SessionMeter {
  state: ChargeState;
  readonly closed: ChargingPeriod[] = [];
  private open: OpenPeriod;
  private readonly probeEvery: number;

  constructor(
    readonly params: ChargeParams,
    readonly opts: MeterOptions,
  ) {
    this.state = initialState(params);
    this.probeEvery = Math.max(1, opts.probeEverySeconds ?? 60);
    this.open = this.newPeriod(this.state);
  }

  get startMs(): number {
    return this.opts.startMs;
  }

  /** Simulated instant of the current state. */
  get nowMs(): number {
    return this.opts.startMs + this.state.elapsedSeconds * 1000;
  }

  /** Seconds the open period has lasted. */
  get openPeriodSeconds(): number {
    return this.state.elapsedSeconds - this.open.start.elapsedSeconds;
  }

  private charging(s: ChargeState): boolean {
    return !s.full;
  }

  private probeInput(s: ChargeState): ProbeInput {
    const charging = this.charging(s);
    const input: ProbeInput = {
      sessionStartMs: this.opts.startMs,
      atMs: this.opts.startMs + s.elapsedSeconds * 1000,
      energyKwh: round4(s.energyKwh),
      charging,
    };
    if (charging) {
      const kw = powerKw(this.params, s.socPct, s.chargingSeconds);
      input.powerKw = round4(kw);
      input.currentA = round4((kw * 1000) / this.opts.volts);
    }
    return input;
  }

  private signature(s: ChargeState): string {
    return this.opts.probe ? this.opts.probe(this.probeInput(s)) : '';
  }

  private newPeriod(s: ChargeState, signature?: string): OpenPeriod {
    return {
      start: s,
      charging: this.charging(s),
      signature: signature ?? this.signature(s),
      minKw: Number.POSITIVE_INFINITY,
      maxKw: 0,
    };
  }

  private toPeriod(open: OpenPeriod, end: ChargeState): ChargingPeriod {
    const a = open.start;
    const dimensions: CdrDimension[] = [];
    const energy = diff4(a.energyKwh, end.energyKwh);
    const time = diff4(a.chargingSeconds / 3600, end.chargingSeconds / 3600);
    const parking = diff4(a.parkingSeconds / 3600, end.parkingSeconds / 3600);
    if (energy > 0 || time > 0) dimensions.push({ type: 'ENERGY', volume: energy });
    if (time > 0) dimensions.push({ type: 'TIME', volume: time });
    if (parking > 0) dimensions.push({ type: 'PARKING_TIME', volume: parking });
    if (open.charging && open.maxKw > 0) {
      const volts = this.opts.volts;
      dimensions.push(
        { type: 'MIN_POWER', volume: round4(open.minKw) },
        { type: 'MAX_POWER', volume: round4(open.maxKw) },
        { type: 'MIN_CURRENT', volume: round4((open.minKw * 1000) / volts) },
        { type: 'MAX_CURRENT', volume: round4((open.maxKw * 1000) / volts) },
      );
    }
    if (dimensions.length === 0) dimensions.push({ type: 'TIME', volume: 0 });
    const period: ChargingPeriod = {
      start_date_time: this.opts.toDateTime(this.opts.startMs + a.elapsedSeconds * 1000),
      dimensions,
    };
    if (this.opts.tariffId !== undefined) period.tariff_id = this.opts.tariffId;
    return period;
  }

  /** Closes the open period at the current state (if it has any duration) and opens the next one. */
  closeOpenPeriod(): ChargingPeriod | null {
    if (this.openPeriodSeconds <= 0) return null;
    const period = this.toPeriod(this.open, this.state);
    this.closed.push(period);
    this.open = this.newPeriod(this.state, this.open.signature);
    return period;
  }

  private splitAt(s: ChargeState, signature?: string): void {
    if (s.elapsedSeconds > this.open.start.elapsedSeconds) this.closed.push(this.toPeriod(this.open, s));
    this.open = this.newPeriod(s, signature);
  }

  /** Folds the power of seconds (from, to] of the buffer into the open period's extremes. */
  private fold(buffer: readonly ChargeState[], from: number, to: number): void {
    for (let i = from + 1; i <= to; i++) {
      const st = buffer[i] as ChargeState;
      if (st.chargingSeconds > (buffer[i - 1] as ChargeState).chargingSeconds) {
        this.open.minKw = Math.min(this.open.minKw, st.lastPowerKw);
        this.open.maxKw = Math.max(this.open.maxKw, st.lastPowerKw);
      }
    }
  }

  /** Simulates up to `elapsedSeconds` after the session start. */
  advanceTo(elapsedSeconds: number): void {
    let buffer: ChargeState[] = [this.state];
    const flush = () => {
      this.checkSignature(buffer);
      buffer = [this.state];
    };
    while (this.state.elapsedSeconds < elapsedSeconds) {
      const s = this.state;
      if (this.charging(s) !== this.open.charging) {
        // Charging ↔ parking is a relevant change by itself (TIME vs PARKING_TIME).
        flush();
        if (this.charging(s) !== this.open.charging) this.splitAt(s);
      }
      const next = stepSecond(this.params, s);
      this.state = next;
      buffer.push(next);
      if (next.elapsedSeconds % this.probeEvery === 0 || next.elapsedSeconds === elapsedSeconds) flush();
    }
  }

  /**
   * `buffer[0]` carries the open period's signature. Finds where (to the second) a different set of price
   * components became active, splits there, and repeats for the rest of the buffer.
   */
  private checkSignature(buffer: readonly ChargeState[]): void {
    let lo = 0;
    const end = buffer.length - 1;
    while (lo < end) {
      if (!this.opts.probe || this.signature(buffer[end] as ChargeState) === this.open.signature) {
        this.fold(buffer, lo, end);
        return;
      }
      let a = lo;
      let b = end;
      while (b - a > 1) {
        const mid = (a + b) >> 1;
        if (this.signature(buffer[mid] as ChargeState) === this.open.signature) a = mid;
        else b = mid;
      }
      this.fold(buffer, lo, b);
      this.splitAt(buffer[b] as ChargeState);
      lo = b;
    }
  }

  /** Ends metering: closes the open period. */
  finish(): ChargingPeriod[] {
    this.closeOpenPeriod();
    return this.closed;
  }

  /** Closed periods plus the open one as if it ended now (for live cost). */
  snapshot(): ChargingPeriod[] {
    if (this.openPeriodSeconds <= 0) return [...this.closed];
    return [...this.closed, this.toPeriod(this.open, this.state)];
  }

  get energyKwh(): number {
    return round4(this.state.energyKwh);
  }
}
