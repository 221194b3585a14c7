import { readFileSync } from 'node:fs';
import type { PricingCdr, PricingPeriod } from '../../../src/modules/tariffs/core/price.ts';
import { parseTariff, type Tariff } from '../../../src/modules/tariffs/index.ts';

export function exampleTariff(name: string): Tariff {
  const r = parseTariff(JSON.parse(readFileSync(`test/fixtures/ocpi-examples/${name}`, 'utf8')), { mode: 'pricing' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.tariff;
}

export function tariff(elements: unknown[], extra: Record<string, unknown> = {}): Tariff {
  const r = parseTariff(
    {
      country_code: 'DE',
      party_id: 'LTS',
      id: 'T',
      currency: 'EUR',
      elements,
      last_updated: '2020-01-01T00:00:00Z',
      ...extra,
    },
    { mode: 'strict' },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.tariff;
}

type Dims = Partial<
  Record<
    | 'ENERGY'
    | 'TIME'
    | 'PARKING_TIME'
    | 'RESERVATION_TIME'
    | 'MIN_CURRENT'
    | 'MAX_CURRENT'
    | 'MIN_POWER'
    | 'MAX_POWER'
    | 'POWER'
    | 'CURRENT',
    number
  >
>;

export interface Seg {
  /** Minutes this period lasts. */
  minutes: number;
  dims?: Dims;
  /** Shorthand: charging for the whole period (TIME = minutes/60 h). */
  charging?: boolean;
  /** Shorthand: parking for the whole period. */
  parking?: boolean;
  reservation?: boolean;
  tariff_id?: string;
}

/** Builds a CDR from consecutive segments starting at `start` (UTC ISO). */
export function cdrFrom(start: string, segs: Seg[]): PricingCdr {
  let t = Date.parse(start);
  const periods: PricingPeriod[] = [];
  for (const s of segs) {
    const dims: Dims = { ...(s.dims ?? {}) };
    const h = s.minutes / 60;
    if (s.charging) dims.TIME = h;
    if (s.parking) dims.PARKING_TIME = h;
    if (s.reservation) dims.RESERVATION_TIME = h;
    periods.push({
      start_date_time: new Date(t).toISOString(),
      dimensions: Object.entries(dims).map(([type, volume]) => ({ type: type as 'TIME', volume: volume as number })),
      ...(s.tariff_id ? { tariff_id: s.tariff_id } : {}),
    });
    t += s.minutes * 60_000;
  }
  return { start_date_time: start, end_date_time: new Date(t).toISOString(), charging_periods: periods };
}
