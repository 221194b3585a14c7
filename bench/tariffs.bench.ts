// Tariff engine throughput: CDRs priced per second on one core, for 1-, 24- and 288-period CDRs with a
// four-element time-of-day tariff (Europe/Berlin). Run: node --import tsx bench/tariffs.bench.ts
import { pathToFileURL } from 'node:url';
import { type PricingCdr, priceCdr, type Tariff } from '../src/modules/tariffs/index.ts';
import { measure } from './measure.ts';

export const benchTariff: Tariff = {
  country_code: 'DE',
  party_id: 'LTS',
  id: 'TOD4',
  currency: 'EUR',
  elements: [
    {
      price_components: [{ type: 'ENERGY', price: 0.29, vat: 19, step_size: 1 }],
      restrictions: { start_time: '22:00', end_time: '06:00' },
    },
    {
      price_components: [
        { type: 'ENERGY', price: 0.39, vat: 19, step_size: 1 },
        { type: 'TIME', price: 1.2, vat: 19, step_size: 60 },
      ],
      restrictions: {
        start_time: '06:00',
        end_time: '16:00',
        day_of_week: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'],
      },
    },
    {
      price_components: [{ type: 'ENERGY', price: 0.49, vat: 19, step_size: 1 }],
      restrictions: { start_time: '16:00', end_time: '22:00' },
    },
    {
      price_components: [
        { type: 'FLAT', price: 0.5, vat: 19, step_size: 1 },
        { type: 'ENERGY', price: 0.35, vat: 19, step_size: 1 },
        { type: 'PARKING_TIME', price: 6, vat: 19, step_size: 300 },
      ],
    },
  ],
  last_updated: '2024-01-01T00:00:00Z',
};

/** A CDR of `n` equal periods spread over 24 h (or 1 h for n = 1), charging at 11 kW. */
export function benchCdr(n: number): PricingCdr {
  const start = Date.parse('2024-03-30T20:00:00Z'); // across the Berlin spring DST change
  const totalMs = n === 1 ? 3_600_000 : 24 * 3_600_000;
  const len = totalMs / n;
  const h = len / 3_600_000;
  const periods = Array.from({ length: n }, (_, i) => ({
    start_date_time: new Date(start + i * len).toISOString(),
    dimensions:
      i === n - 1 && n > 1
        ? [{ type: 'PARKING_TIME' as const, volume: Number(h.toFixed(4)) }]
        : [
            { type: 'ENERGY' as const, volume: Number((11 * h).toFixed(3)) },
            { type: 'TIME' as const, volume: Number(h.toFixed(4)) },
            { type: 'MIN_POWER' as const, volume: 11 },
            { type: 'MAX_POWER' as const, volume: 11 },
          ],
  }));
  return {
    start_date_time: new Date(start).toISOString(),
    end_date_time: new Date(start + totalMs).toISOString(),
    charging_periods: periods,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    name: 'tariffs',
    unit: 'CDRs priced per CPU-second of one core (the *_wall figures: per wall-clock second)',
    goal: '>= 20000/s for a 24-period CDR, breakdown off',
  };
  for (const n of [1, 24, 288]) {
    const cdr = benchCdr(n);
    for (const breakdown of [false, true]) {
      const r = priceCdr({ cdr, tariffs: [benchTariff], timeZone: 'Europe/Berlin', breakdown });
      if (!r.ok) throw new Error(r.error.message);
      const m = await measure(() => {
        priceCdr({ cdr, tariffs: [benchTariff], timeZone: 'Europe/Berlin', breakdown });
      });
      out[`periods_${n}${breakdown ? '_with_breakdown' : ''}`] = m.perCpuSecond;
      out[`periods_${n}${breakdown ? '_with_breakdown' : ''}_wall`] = m.perWallSecond;
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
