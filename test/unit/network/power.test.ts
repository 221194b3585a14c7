import { describe, expect, it } from 'vitest';
import { connectorPowerW, toKw } from '../../../src/modules/network/core/power.ts';

describe('connectorPowerW', () => {
  it('derives the power from voltage, amperage and phases', () => {
    expect(connectorPowerW({ power_type: 'AC_1_PHASE', max_voltage: 230, max_amperage: 16 })).toBe(3680);
    expect(connectorPowerW({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16 })).toBe(11040);
    expect(connectorPowerW({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32 })).toBe(22080);
    expect(connectorPowerW({ power_type: 'AC_2_PHASE', max_voltage: 230, max_amperage: 16 })).toBe(7360);
    expect(connectorPowerW({ power_type: 'DC', max_voltage: 500, max_amperage: 125 })).toBe(62500);
  });

  it('prefers max_electric_power when the CPO gives it', () => {
    expect(connectorPowerW({ power_type: 'DC', max_voltage: 920, max_amperage: 500, max_electric_power: 300000 })).toBe(
      300000,
    );
    expect(
      connectorPowerW({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, max_electric_power: 22000 }),
    ).toBe(22000);
    expect(
      connectorPowerW({ power_type: 'AC_1_PHASE', max_voltage: 230, max_amperage: 16, max_electric_power: null }),
    ).toBe(3680);
  });

  it('shows kW with one decimal', () => {
    expect(toKw(22080)).toBe(22.1);
    expect(toKw(11040)).toBe(11);
    expect(toKw(3680)).toBe(3.7);
    expect(toKw(0)).toBe(0);
  });
});
