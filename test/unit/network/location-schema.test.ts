import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Location, parseLocation } from '../../../src/modules/network/core/location.schema.ts';
import { applyLocationPatch } from '../../../src/modules/network/core/location-patch.ts';
import { deriveSearchColumns, listEvses } from '../../../src/modules/network/core/search-columns.ts';

const example = (): Location => {
  const r = parseLocation(JSON.parse(fs.readFileSync('test/fixtures/ocpi-examples/location_example.json', 'utf8')));
  if (!r.ok) throw new Error('example does not parse');
  return r.location;
};

describe('parseLocation', () => {
  it('names every problem with its JSON path', () => {
    const bad = structuredClone(example()) as unknown as {
      coordinates: { latitude: unknown };
      evses: { status: string; connectors: { standard: string }[] }[];
      city: string;
    };
    bad.coordinates.latitude = 51.047599; // a number, not a string
    bad.evses[0]!.connectors[0]!.standard = 'TYPE2';
    bad.evses[1]!.status = 'available';
    bad.city = 'x'.repeat(46);
    const r = parseLocation(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['coordinates.latitude', 'evses[0].connectors[0].standard', 'evses[1].status', 'city']),
    );
    expect(r.errors.find((e) => e.path === 'city')?.message).toBe('at most 45 characters');
  });

  it('checks the coordinate format of OCPI (strings with 5-7 decimals)', () => {
    const l = example();
    for (const latitude of ['51.0475', '151.047599', '51,047599', '91.000000']) {
      const r = parseLocation({ ...l, coordinates: { ...l.coordinates, latitude } });
      expect(r.ok, latitude).toBe(false);
    }
    expect(parseLocation({ ...l, coordinates: { latitude: '-33.8688000', longitude: '151.209300' } }).ok).toBe(true);
  });

  it('rejects duplicate EVSE uids and connector ids, unknown time zones, empty connector lists', () => {
    const l = example();
    const evse = l.evses![0]!;
    const dupEvse = parseLocation({ ...l, evses: [evse, { ...evse }] });
    expect(dupEvse.ok ? [] : dupEvse.errors).toEqual([{ path: 'evses[1].uid', message: 'duplicate EVSE uid "3256"' }]);
    const dupConn = parseLocation({ ...l, evses: [{ ...evse, connectors: [evse.connectors[0], evse.connectors[0]] }] });
    expect(dupConn.ok ? [] : dupConn.errors.map((e) => e.path)).toEqual(['evses[0].connectors[1].id']);
    expect(parseLocation({ ...l, time_zone: 'Europe/Atlantis' }).ok).toBe(false);
    expect(parseLocation({ ...l, evses: [{ ...evse, connectors: [] }] }).ok).toBe(false);
  });

  it('accepts null for optional fields and upper-cases the party', () => {
    const r = parseLocation({ ...example(), name: null, postal_code: null, country_code: 'be', party_id: 'bec' });
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.location.country_code, r.location.party_id, r.location.name]).toEqual(['BE', 'BEC', null]);
  });

  it('requires regular hours when not 24/7', () => {
    const r = parseLocation({ ...example(), opening_times: { twentyfourseven: false } });
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual(['opening_times.regular_hours']);
  });
});

describe('applyLocationPatch', () => {
  it('patches an EVSE status and propagates last_updated', () => {
    const r = applyLocationPatch(
      example(),
      { status: 'CHARGING', last_updated: '2019-06-24T12:39:09Z' },
      { evse_uid: '3257' },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.location.evses?.[1]?.status).toBe('CHARGING');
    expect(r.location.evses?.[1]?.last_updated).toBe('2019-06-24T12:39:09Z');
    expect(r.location.last_updated).toBe('2019-06-24T12:39:09Z');
    expect(r.location.evses?.[0]).toEqual(example().evses?.[0]);
  });

  it('rejects a PATCH without last_updated, or one that would make the location invalid', () => {
    const noStamp = applyLocationPatch(example(), { name: 'x' });
    expect(noStamp.ok ? [] : noStamp.errors).toEqual([{ path: 'last_updated', message: 'required field is missing' }]);
    const bad = applyLocationPatch(
      example(),
      { status: 'BROKEN', last_updated: '2019-06-24T12:39:09Z' },
      { evse_uid: '3256' },
    );
    expect(bad.ok).toBe(false);
    const newEvse = applyLocationPatch(
      example(),
      { status: 'AVAILABLE', last_updated: '2019-06-24T12:39:09Z' },
      { evse_uid: 'NEW' },
    );
    expect(newEvse.ok ? [] : newEvse.errors.map((e) => e.path)).toEqual(['evses[2].connectors']);
    const moved = applyLocationPatch(example(), { party_id: 'XYZ', last_updated: '2019-06-24T12:39:09Z' });
    expect(moved.ok).toBe(false);
  });

  it('patches a connector and keeps an older last_updated from going backwards', () => {
    const r = applyLocationPatch(
      example(),
      { tariff_ids: ['15'], last_updated: '2010-01-01T00:00:00Z' },
      { evse_uid: '3256', connector_id: '2' },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.location.evses?.[0]?.connectors[1]?.tariff_ids).toEqual(['15']);
    expect(r.location.last_updated).toBe(example().last_updated);
  });
});

describe('deriveSearchColumns', () => {
  it('counts EVSEs by status, ignores REMOVED ones and lists the connectors', () => {
    const l = example(); // EVSE 1 AVAILABLE (2 × T2 11 kW derived from 220 V × 16 A × 3), EVSE 2 RESERVED
    expect(deriveSearchColumns(l)).toEqual({
      evse_total: 2,
      evse_available: 1,
      evse_occupied: 1,
      max_power_w: 10560,
      std_names: ['IEC_62196_T2'],
      std_max_w: [10560],
      std_available_w: [10560],
      available_max_w: 10560,
      always_open: true,
      evse_statuses: ['AVAILABLE', 'RESERVED'],
    });
    l.evses![0]!.status = 'REMOVED';
    expect(deriveSearchColumns(l)).toMatchObject({
      evse_total: 1,
      evse_available: 0,
      std_available_w: [-1],
      available_max_w: -1,
      evse_statuses: ['REMOVED', 'RESERVED'], // the statuses pair with listEvses, which keeps REMOVED EVSEs
    });
    expect(listEvses(l).map((e) => e.length)).toEqual([2, 1]);
    expect(listEvses(l)[1]).toEqual([['IEC_62196_T2', 'AC_3_PHASE', 10560, expect.any(Array)]]);
  });

  it('keeps, per standard in byte order, the best power of all its connectors and of those on AVAILABLE EVSEs', () => {
    const l = example();
    const [free, reserved] = [l.evses![0]!, l.evses![1]!];
    free.connectors = [
      { ...free.connectors[0]!, standard: 'IEC_62196_T2_COMBO', power_type: 'DC', max_electric_power: 50_000 },
      { ...free.connectors[1]!, standard: 'CHADEMO', power_type: 'DC', max_electric_power: 50_000 },
    ];
    reserved.connectors = [
      { ...reserved.connectors[0]!, standard: 'IEC_62196_T2_COMBO', power_type: 'DC', max_electric_power: 150_000 },
    ];
    l.evses!.push({ ...structuredClone(free), uid: 'gone', status: 'REMOVED' });
    l.evses![2]!.connectors[0]!.max_electric_power = 350_000;
    expect(deriveSearchColumns(l)).toMatchObject({
      max_power_w: 150_000,
      std_names: ['CHADEMO', 'IEC_62196_T2_COMBO'],
      std_max_w: [50_000, 150_000],
      std_available_w: [50_000, 50_000],
      available_max_w: 50_000,
    });
    free.status = 'CHARGING';
    expect(deriveSearchColumns(l)).toMatchObject({ std_available_w: [-1, -1], available_max_w: -1 });
  });
});
