// Connector power in watts: what the CPO states as max_electric_power, otherwise derived from the electrical limits.
import type { PowerType } from './location.schema.ts';

const PHASES: Record<PowerType, number> = {
  AC_1_PHASE: 1,
  // Two phases of a three-phase supply, and a split-phase (US 120/240 V) supply: two conductors of V×A each.
  AC_2_PHASE: 2,
  AC_2_PHASE_SPLIT: 2,
  // max_voltage is line-to-neutral for AC_3_PHASE (§4.4), so the power is 3×V×A.
  AC_3_PHASE: 3,
  DC: 1,
};

export interface ConnectorElectrics {
  power_type: PowerType;
  max_voltage: number;
  max_amperage: number;
  max_electric_power?: number | null | undefined;
}

/** Maximum power in W: max_electric_power when given, else V×A×phases. */
export function connectorPowerW(c: ConnectorElectrics): number {
  if (c.max_electric_power !== undefined && c.max_electric_power !== null) return c.max_electric_power;
  return c.max_voltage * c.max_amperage * PHASES[c.power_type];
}

/** Watts → kW for display, one decimal (22080 W → 22.1). */
export function toKw(watts: number): number {
  return Math.round(watts / 100) / 10;
}
