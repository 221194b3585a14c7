// The memo shared by the CDR audit and the driver's price: the same CDR with the same inputs is priced once.
import { describe, expect, it } from 'vitest';
import { createPriceMemo, priceCdr } from '../../../src/modules/tariffs/index.ts';
import { cdrFrom, tariff } from './helpers.ts';

const energy = tariff([{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 19, step_size: 1 }] }]);
const cdr = { ...cdrFrom('2024-03-01T10:00:00Z', [{ minutes: 30, dims: { ENERGY: 11 } }]), currency: 'EUR' };
const req = { cdr, tariffs: [energy], timeZone: 'Europe/Berlin', breakdown: true };

describe('price memo', () => {
  it('answers a second caller with the same inputs from memory (the full CDR or only its pricing fields)', () => {
    const memo = createPriceMemo();
    const first = memo.price('DE*LTS*1', req);
    expect(first).toEqual(priceCdr(req));
    expect(first.ok && first.result.total_cost.incl_vat).toBe('3.9270');
    // The audit passes only the pricing fields; the driver's price passes the whole CDR (more fields).
    const whole = { ...req, cdr: { ...cdr, id: '1', total_cost: { excl_vat: 3.3 } } };
    expect(memo.price('DE*LTS*1', whole)).toBe(first);
  });

  it('prices anew when any input differs, or under another key', () => {
    const memo = createPriceMemo();
    const first = memo.price('DE*LTS*1', req);
    const otherZone = memo.price('DE*LTS*1', { ...req, timeZone: 'UTC' });
    expect(otherZone).not.toBe(first);
    expect(otherZone).toEqual(priceCdr({ ...req, timeZone: 'UTC' }));
    const dearer = tariff([{ price_components: [{ type: 'ENERGY', price: 0.5, vat: 19, step_size: 1 }] }]);
    const other = memo.price('DE*LTS*1', { ...req, tariffs: [dearer] });
    expect(other.ok && other.result.total_cost.excl_vat).toBe('5.5000');
    expect(memo.price('DE*LTS*2', req)).not.toBe(memo.price('DE*LTS*3', req));
    expect(memo.price('DE*LTS*1', { ...req, breakdown: false })).not.toBe(memo.price('DE*LTS*1', req));
  });

  it('stays bounded: the oldest entries are forgotten', () => {
    const memo = createPriceMemo(2);
    const a = memo.price('a', req);
    memo.price('b', req);
    memo.price('c', req);
    expect(memo.price('a', req)).not.toBe(a);
  });
});
