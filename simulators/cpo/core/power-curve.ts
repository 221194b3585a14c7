// A plausible EV charging power curve. AC: constant at the lower of the charge point and the car's on-board
// charger (~11 kW) until full. DC: ramps up over the first seconds, constant up to ~80 % SoC, then tapers.
// Energy is integrated second by second, so every state change happens on a whole second. Pure.

export interface ChargeParams {
  ac: boolean;
  /** Charge point limit (kW). */
  chargePointKw: number;
  /** Car's limit (kW): on-board charger for AC, max DC power for DC. */
  vehicleKw: number;
  batteryKwh: number;
  startSocPct: number;
  /** The car stops requesting power at this SoC ("full"). */
  targetSocPct: number;
  /** DC: seconds to ramp from 10 % to full power. */
  rampSeconds: number;
  /** DC: SoC above which power tapers. */
  taperFromSocPct: number;
  /** DC: share of full power left at 100 % SoC. */
  taperFloor: number;
}

export const DEFAULT_VEHICLE = {
  ac: { batteryKwh: 60, startSocPct: 20, targetSocPct: 100, vehicleKw: 11 },
  dc: { batteryKwh: 77, startSocPct: 15, targetSocPct: 100, vehicleKw: 150 },
} as const;

export function chargeParams(input: {
  ac: boolean;
  chargePointKw: number;
  batteryKwh?: number | undefined;
  startSocPct?: number | undefined;
  targetSocPct?: number | undefined;
  vehicleKw?: number | undefined;
}): ChargeParams {
  const d = input.ac ? DEFAULT_VEHICLE.ac : DEFAULT_VEHICLE.dc;
  const start = Math.min(100, Math.max(0, input.startSocPct ?? d.startSocPct));
  return {
    ac: input.ac,
    chargePointKw: input.chargePointKw,
    vehicleKw: input.vehicleKw ?? d.vehicleKw,
    batteryKwh: input.batteryKwh ?? d.batteryKwh,
    startSocPct: start,
    targetSocPct: Math.max(start, Math.min(100, input.targetSocPct ?? d.targetSocPct)),
    rampSeconds: 60,
    taperFromSocPct: 80,
    taperFloor: 0.1,
  };
}

/** Power (kW) the car draws at this SoC, `secondsCharging` after charging began; 0 once full. */
export function powerKw(p: ChargeParams, socPct: number, secondsCharging: number): number {
  if (socPct >= p.targetSocPct) return 0;
  const max = Math.min(p.chargePointKw, p.vehicleKw);
  if (p.ac) return max;
  const ramp = Math.min(1, 0.1 + (0.9 * secondsCharging) / p.rampSeconds);
  const taper =
    socPct <= p.taperFromSocPct
      ? 1
      : Math.max(p.taperFloor, 1 - ((1 - p.taperFloor) * (socPct - p.taperFromSocPct)) / (100 - p.taperFromSocPct));
  return max * Math.min(ramp, taper);
}

export interface ChargeState {
  /** Whole simulated seconds since the session start. */
  elapsedSeconds: number;
  socPct: number;
  /** Energy delivered so far (kWh). */
  energyKwh: number;
  chargingSeconds: number;
  parkingSeconds: number;
  /** Power during the last simulated second (kW). */
  lastPowerKw: number;
  full: boolean;
}

export function initialState(p: ChargeParams): ChargeState {
  return {
    elapsedSeconds: 0,
    socPct: p.startSocPct,
    energyKwh: 0,
    chargingSeconds: 0,
    parkingSeconds: 0,
    lastPowerKw: 0,
    full: p.startSocPct >= p.targetSocPct,
  };
}

/** One simulated second. A second in which the car becomes full delivers only what fits (and counts as charging). */
export function stepSecond(p: ChargeParams, s: ChargeState): ChargeState {
  if (s.full) {
    return { ...s, elapsedSeconds: s.elapsedSeconds + 1, parkingSeconds: s.parkingSeconds + 1, lastPowerKw: 0 };
  }
  const kw = powerKw(p, s.socPct, s.chargingSeconds);
  const room = ((p.targetSocPct - s.socPct) / 100) * p.batteryKwh;
  const kwh = Math.min(kw / 3600, room);
  const socPct = Math.min(p.targetSocPct, s.socPct + (kwh / p.batteryKwh) * 100);
  return {
    elapsedSeconds: s.elapsedSeconds + 1,
    socPct,
    energyKwh: s.energyKwh + kwh,
    chargingSeconds: s.chargingSeconds + 1,
    parkingSeconds: s.parkingSeconds,
    lastPowerKw: kw,
    full: kwh >= room - 1e-12,
  };
}

/** Advances `seconds` whole seconds. */
export function advance(p: ChargeParams, s: ChargeState, seconds: number): ChargeState {
  let out = s;
  for (let i = 0; i < seconds; i++) out = stepSecond(p, out);
  return out;
}
