import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCdrInput, parseTariff } from '../../../src/modules/tariffs/core/tariff.schema.ts';

const EXAMPLES = 'test/fixtures/ocpi-examples';
const readJson = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));
const exampleTariffs = readdirSync(EXAMPLES).filter((f) => /^tariff(restriction)?_.*\.json$/.test(f));

describe('parseTariff on the OCPI 2.2.1 example tariffs', () => {
  it('finds the example files', () => {
    expect(exampleTariffs.length).toBeGreaterThanOrEqual(20);
  });
  for (const file of exampleTariffs) {
    it(`${file} parses`, () => {
      const json = readJson(join(EXAMPLES, file));
      // tariff_put_example.json is a PUT body fragment without last_updated: it is valid for pricing
      // but the full Tariff object requires last_updated (spec §5.1 cardinality 1).
      const r = parseTariff(json, { mode: file === 'tariff_put_example.json' ? 'pricing' : 'strict' });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect(r.ok).toBe(true);
    });
  }
  it('tariff_put_example.json lacks last_updated in strict mode (path + reason)', () => {
    const r = parseTariff(readJson(join(EXAMPLES, 'tariff_put_example.json')));
    expect(r).toEqual({ ok: false, errors: [{ path: 'last_updated', message: 'required field is missing' }] });
  });
  it('the tariff embedded in cdr_example.json parses', () => {
    const r = parseCdrInput(readJson(join(EXAMPLES, 'cdr_example.json')));
    expect(r.ok).toBe(true);
  });
});

const base = () => ({
  country_code: 'DE',
  party_id: 'ALL',
  id: 'T1',
  currency: 'EUR',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, vat: 10, step_size: 1 }] }],
  last_updated: '2024-01-01T00:00:00Z',
});
type Mutable = Record<string, unknown> & { elements: Array<Record<string, unknown>> };

function errorsOf(mutate: (t: Mutable) => void) {
  const t = base() as unknown as Mutable;
  mutate(t);
  const r = parseTariff(t);
  if (r.ok) throw new Error('expected rejection');
  return r.errors;
}

describe('parseTariff rejects malformed tariffs with path and reason', () => {
  it('misspelled dayOfWeek (tandemdrive misspelled_field vector)', () => {
    const json = readJson(
      'test/fixtures/tariff-vectors/Hamza-nabil-ocpi-tariffs-py/tests/test_data/v2_2_1/misspelled_field/tariff.json',
    );
    const r = parseTariff(json);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('elements[0].restrictions.dayOfWeek');
    expect(paths).toContain('elements[1].restrictions.dayOfWeek');
    expect(r.errors.find((e) => e.path === 'elements[0].restrictions.dayOfWeek')?.message).toMatch(/unknown field/);
  });
  it('unknown enum', () => {
    const e = errorsOf((t) => {
      t.elements[0] = { price_components: [{ type: 'KWH', price: 1, step_size: 1 }] };
    });
    expect(e[0]?.path).toBe('elements[0].price_components[0].type');
    expect(e[0]?.message).toMatch(/must be one of/);
  });
  it('bad day_of_week value', () => {
    const e = errorsOf((t) => {
      t.elements[0]!.restrictions = { day_of_week: ['MONDAY', 'Funday'] };
    });
    expect(e[0]?.path).toBe('elements[0].restrictions.day_of_week[1]');
  });
  it.each([['9:00'], ['24:00'], ['12:60'], ['12:00:00']])('bad time %s', (v) => {
    const e = errorsOf((t) => {
      t.elements[0]!.restrictions = { start_time: v };
    });
    expect(e[0]).toEqual({ path: 'elements[0].restrictions.start_time', message: expect.stringMatching(/HH:MM/) });
  });
  it.each([['2024-02-30'], ['2024-1-01'], ['20240101']])('bad date %s', (v) => {
    const e = errorsOf((t) => {
      t.elements[0]!.restrictions = { end_date: v };
    });
    expect(e[0]).toEqual({ path: 'elements[0].restrictions.end_date', message: expect.stringMatching(/YYYY-MM-DD/) });
  });
  it('negative price', () => {
    const e = errorsOf((t) => {
      t.elements[0] = { price_components: [{ type: 'TIME', price: -1, step_size: 1 }] };
    });
    expect(e[0]).toEqual({ path: 'elements[0].price_components[0].price', message: 'price must not be negative' });
  });
  it('non-integer step_size, missing step_size', () => {
    expect(
      errorsOf((t) => {
        t.elements[0] = { price_components: [{ type: 'TIME', price: 1, step_size: 1.5 }] };
      })[0]?.path,
    ).toBe('elements[0].price_components[0].step_size');
    expect(
      errorsOf((t) => {
        t.elements[0] = { price_components: [{ type: 'TIME', price: 1 }] };
      })[0],
    ).toEqual({ path: 'elements[0].price_components[0].step_size', message: 'required field is missing' });
  });
  it('string lengths', () => {
    expect(
      errorsOf((t) => {
        t.id = 'x'.repeat(37);
      })[0]?.path,
    ).toBe('id');
    expect(
      errorsOf((t) => {
        t.country_code = 'DEU';
      })[0]?.path,
    ).toBe('country_code');
    expect(
      errorsOf((t) => {
        t.tariff_alt_text = [{ language: 'en', text: 'x'.repeat(513) }];
      })[0]?.path,
    ).toBe('tariff_alt_text[0].text');
  });
  it('empty elements, bad currency, bad last_updated', () => {
    expect(
      errorsOf((t) => {
        t.elements = [];
      })[0]?.path,
    ).toBe('elements');
    expect(
      errorsOf((t) => {
        t.currency = 'euro';
      })[0]?.path,
    ).toBe('currency');
    expect(
      errorsOf((t) => {
        t.last_updated = '2024-01-01 00:00:00';
      })[0]?.path,
    ).toBe('last_updated');
    expect(
      errorsOf((t) => {
        t.start_date_time = '2024-01-01T00:00:00+01:00';
      })[0]?.path,
    ).toBe('start_date_time');
  });
  it('non-object input', () => {
    const r = parseTariff('nope');
    expect(r.ok).toBe(false);
  });
});
