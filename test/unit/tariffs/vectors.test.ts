// Every priced vector of test/fixtures/tariff-vectors (tandemdrive + Hamza-nabil sets): the expected values
// are the CDR's own total_* fields (absent optional field = 0), compared at 4 decimals.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computePrice } from '../../../src/modules/tariffs/core/price.ts';
import { parseCdrInput, parseTariff, type Tariff } from '../../../src/modules/tariffs/index.ts';

const ROOT = 'test/fixtures/tariff-vectors';
const SETS = [
  { name: 'tandemdrive', dir: join(ROOT, 'tandemdrive-ocpi-tariffs/ocpi-tariffs/test_data'), tz: 'UTC' },
  { name: 'Hamza-nabil', dir: join(ROOT, 'Hamza-nabil-ocpi-tariffs-py/tests/test_data/v2_2_1'), tz: 'UTC' },
];

const PRICE_FIELDS = [
  'total_cost',
  'total_energy_cost',
  'total_time_cost',
  'total_parking_cost',
  'total_reservation_cost',
  'total_fixed_cost',
] as const;
const QTY_FIELDS = ['total_energy', 'total_time', 'total_parking_time'] as const;

/** Where the vector contradicts the spec, the spec wins (digest §11.8). */
const SPEC_OVERRIDES: Record<string, Record<string, { excl_vat: number; incl_vat: number }>> = {
  // tandemdrive 0.6 ignored min_price; OCPI 2.2.1 (tariff_12 example): 1.2 kWh → min_price 0.50 / 0.55.
  '025kwh_min_price/cdr2_less_than_2kWh.json': { total_cost: { excl_vat: 0.5, incl_vat: 0.55 } },
};
/** Time zone per case where the set's data needs one (Hamza-nabil shifted step_size to +01:00 offsets). */
const TZ_OVERRIDES: Record<string, string> = {
  'Hamza-nabil:step_size/cdr1.json': 'Europe/Amsterdam',
  'Hamza-nabil:codeberg_issue_228/cdr.json': 'Europe/Amsterdam',
};

const f4 = (n: number | undefined | null) => (n ?? 0).toFixed(4);
const load = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));

for (const set of SETS) {
  describe(`${set.name} priced vectors`, () => {
    const cases = readdirSync(set.dir).flatMap((c) =>
      readdirSync(join(set.dir, c))
        .filter((f) => /^cdr.*\.json$/.test(f))
        .map((f) => `${c}/${f}`),
    );
    it('has the expected number of priced vectors', () => {
      expect(cases.length).toBe(set.name === 'tandemdrive' ? 9 : 10);
    });
    for (const rel of cases) {
      it(rel, () => {
        const cdrJson = load(join(set.dir, rel)) as Record<string, unknown>;
        const parsed = parseCdrInput(cdrJson);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
        const tariffFile = join(set.dir, rel.split('/')[0]!, 'tariff.json');
        let tariffs: Tariff[] = parsed.tariffs;
        if (existsSync(tariffFile)) {
          const t = parseTariff(load(tariffFile), { mode: 'pricing' });
          if (!t.ok) throw new Error(JSON.stringify(t.errors));
          tariffs = [t.tariff];
        }
        const tz = TZ_OVERRIDES[`${set.name}:${rel}`] ?? set.tz;
        const { result } = computePrice({ cdr: parsed.cdr, tariffs, timeZone: tz });
        const expected = { ...cdrJson, ...(SPEC_OVERRIDES[rel] ?? {}) } as Record<string, unknown>;
        if (rel === 'codeberg_issue_228/cdr.json') {
          // Real-world CDR: the CPO says 1.83 / 2.21; exact pricing of its own tariff gives 1.83702 / 2.2227942
          // (tandemdrive's report: 1.84 / 2.22). We assert the exact value, not the CPO's rounding.
          expect(result.breakdown?.exact.total_cost).toEqual({ excl_vat: '1.83702', incl_vat: '2.2227942' });
          expect(result.total_energy_cost).toEqual(result.total_cost);
          return;
        }
        for (const f of PRICE_FIELDS) {
          const exp = expected[f] as { excl_vat: number; incl_vat?: number } | undefined;
          const got = result[f];
          expect({ field: f, excl: got?.excl_vat ?? '0.0000', incl: got?.incl_vat ?? '0.0000' }).toEqual({
            field: f,
            excl: f4(exp?.excl_vat),
            incl: f4(exp?.incl_vat ?? exp?.excl_vat),
          });
        }
        for (const f of QTY_FIELDS)
          expect({ field: f, v: result[f] }).toEqual({ field: f, v: f4(expected[f] as number) });
      });
    }
  });
}
