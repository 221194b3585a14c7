import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapCsvToLocations } from '../../../src/modules/providers/core/csv-locations.ts';
import type { ImportContext } from '../../../src/modules/providers/core/import-types.ts';
import { mapJsonToLocations, prepareLocationJson } from '../../../src/modules/providers/core/json-locations.ts';
import { validateCandidates } from '../../../src/modules/providers/core/validate.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../../fixtures/providers/${name}`, import.meta.url), 'utf8');
const ctx: ImportContext = { countryCode: 'DE', partyId: 'SWB', now: new Date('2025-03-01T12:00:00.000Z') };
const NOW = '2025-03-01T12:00:00.000Z';
/** The parts of a built Location these tests look into. */
type Built = {
  id: string;
  address: string;
  country: string;
  coordinates: unknown;
  evses: Array<{ connectors: Array<Record<string, unknown>> }>;
};
const HEADER =
  'id,name,address,city,postal_code,country,latitude,longitude,time_zone,evse_uid,evse_id,connector_id,standard,format,power_type,max_voltage,max_amperage,max_electric_power,tariff_id';
const row = (over: Partial<Record<string, string>> = {}) => {
  const base: Record<string, string> = {
    id: 'L1',
    name: 'Name',
    address: 'Street 1',
    city: 'Town',
    postal_code: '12345',
    country: 'DEU',
    latitude: '52.5',
    longitude: '13.4',
    time_zone: 'Europe/Berlin',
    evse_uid: 'E1',
    evse_id: '',
    connector_id: '1',
    standard: 'IEC_62196_T2',
    format: 'SOCKET',
    power_type: 'AC_3_PHASE',
    max_voltage: '230',
    max_amperage: '16',
    max_electric_power: '',
    tariff_id: '',
  };
  return HEADER.split(',')
    .map((c) => over[c] ?? base[c])
    .join(',');
};

describe('mapCsvToLocations', () => {
  it('groups rows into locations, EVSEs and connectors as OCPI objects', () => {
    const { candidates, errors } = mapCsvToLocations(fixture('stations-good.csv'), ctx);
    expect(errors).toEqual([]);
    expect(candidates.map((c) => [c.json.id, c.row])).toEqual([
      ['BER-001', 2],
      ['BER-002', 4],
      ['HEL-010', 6],
    ]);
    expect(candidates[1]!.json).toEqual({
      country_code: 'DE',
      party_id: 'SWB',
      id: 'BER-002',
      publish: true,
      name: 'Autohof Süd',
      address: 'Am Rasthof 7',
      city: 'Berlin',
      postal_code: '12349',
      country: 'DEU',
      coordinates: { latitude: '52.420100', longitude: '13.425100' },
      time_zone: 'Europe/Berlin',
      opening_times: {
        twentyfourseven: false,
        regular_hours: [
          ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, period_begin: '06:00', period_end: '22:00' })),
          ...[6, 7].map((weekday) => ({ weekday, period_begin: '08:00', period_end: '20:00' })),
        ],
      },
      evses: [
        {
          uid: 'BER-002-1',
          evse_id: 'DE*SWB*E2001',
          status: 'UNKNOWN',
          connectors: [
            {
              id: '1',
              standard: 'IEC_62196_T2_COMBO',
              format: 'CABLE',
              power_type: 'DC',
              max_voltage: 920,
              max_amperage: 250,
              max_electric_power: 150000,
              tariff_ids: ['DC-FAST'],
              last_updated: NOW,
            },
            {
              id: '2',
              standard: 'CHADEMO',
              format: 'CABLE',
              power_type: 'DC',
              max_voltage: 500,
              max_amperage: 125,
              max_electric_power: 50000,
              tariff_ids: ['DC-FAST'],
              last_updated: NOW,
            },
          ],
          last_updated: NOW,
        },
      ],
      last_updated: NOW,
    });
    expect(candidates[0]!.json.opening_times).toEqual({ twentyfourseven: true });
    expect((candidates[0]!.json.evses as unknown[]).length).toBe(2);
    // Optional values left empty are left out, not sent as empty strings.
    const hel = candidates[2]!.json;
    expect(hel.opening_times).toBeUndefined();
    expect((hel.evses as Array<{ connectors: Array<Record<string, unknown>> }>)[0]!.connectors[0]).not.toHaveProperty(
      'max_electric_power',
    );
  });

  it('reads a German Excel export: BOM, semicolons, decimal commas, lower case enums, a blank row', () => {
    const { candidates, errors } = mapCsvToLocations(fixture('stations-excel-de.csv'), ctx);
    expect(errors).toEqual([]);
    expect(candidates).toHaveLength(1);
    const json = candidates[0]!.json as Built;
    expect(json.address).toBe('Marienplatz 1; Eingang B');
    expect(json.country).toBe('DEU');
    expect(json.coordinates).toEqual({ latitude: '48.137154', longitude: '11.576124' });
    expect(json.evses[0]!.connectors[0]).toMatchObject({
      format: 'SOCKET',
      power_type: 'AC_3_PHASE',
      max_electric_power: 11000,
    });
  });

  it('maps JSON paths back to the CSV line and column', () => {
    const text = [
      HEADER,
      row({ evse_uid: 'A' }),
      row({ evse_uid: 'B' }),
      row({ evse_uid: 'B', connector_id: '2' }),
    ].join('\n');
    const [c] = mapCsvToLocations(text, ctx).candidates;
    expect(c!.locate(['time_zone'])).toEqual({ row: 2, field: 'time_zone' });
    expect(c!.locate(['coordinates', 'longitude'])).toEqual({ row: 2, field: 'longitude' });
    expect(c!.locate(['opening_times', 'regular_hours', 0, 'weekday'])).toEqual({ row: 2, field: 'opening_hours' });
    expect(c!.locate(['evses', 1, 'status'])).toEqual({ row: 3, field: 'status' });
    expect(c!.locate(['evses', 1, 'connectors', 1, 'standard'])).toEqual({ row: 4, field: 'standard' });
    expect(c!.locate(['evses', 1, 'connectors', 1, 'tariff_ids', 0])).toEqual({ row: 4, field: 'tariff_id' });
    expect(c!.locate(['evses', 0, 'uid'])).toEqual({ row: 2, field: 'evse_uid' });
    expect(c!.locate(['evses'])).toEqual({ row: 2, field: null });
  });

  it('reports header problems on line 1 and reads no rows', () => {
    const text = 'id,nme,id,address\nL1,x,y,z';
    const { candidates, errors } = mapCsvToLocations(text, ctx);
    expect(candidates).toEqual([]);
    expect(errors.every((e) => e.row === 1)).toBe(true);
    expect(errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['nme', 'id', 'city', 'latitude', 'time_zone', 'evse_uid', 'standard']),
    );
    expect(mapCsvToLocations('', ctx).errors).toEqual([
      { row: 1, field: null, reason: expect.stringContaining('empty') },
    ]);
    expect(mapCsvToLocations(`${HEADER}\n\n`, ctx).errors[0]!.reason).toContain('no data rows');
  });

  it('accepts columns in any order and upper case headers; optional columns may be missing', () => {
    const text =
      'CONNECTOR_ID,max_amperage,max_voltage,power_type,format,standard,evse_uid,time_zone,longitude,latitude,country,city,address,ID\n1,16,230,AC_1_PHASE,SOCKET,IEC_62196_T2,E1,Europe/Berlin,13.4,52.5,DEU,Town,Street,L9';
    const { candidates, errors } = mapCsvToLocations(text, ctx);
    expect(errors).toEqual([]);
    expect(candidates[0]!.json).toMatchObject({
      id: 'L9',
      evses: [{ uid: 'E1', status: 'UNKNOWN', connectors: [{ id: '1', tariff_ids: [] }] }],
    });
    expect(candidates[0]!.json).not.toHaveProperty('name');
  });

  it('reports rows that disagree, ragged rows, duplicate connectors, bad numbers and hours, with line and column', () => {
    const text = [
      HEADER,
      row(), // 2
      row({ city: 'Othertown', connector_id: '2' }), // 3: location column disagrees
      `${row({ connector_id: '3' })},extra`, // 4: ragged
      row(), // 5: duplicate connector 1 of E1
      row({ id: 'L2', evse_uid: 'E1' }), // 6: EVSE uid already used by L1
      row({ id: 'L3', evse_uid: 'X', latitude: '95.1', longitude: 'east' }), // 7
      row({ id: 'L4', evse_uid: 'Y', max_voltage: '230.5' }), // 8: passed on for the OCPI check
      '"L5",,,,,,1,1,UTC,Z,,1,IEC_62196_T2,SOCKET,AC_1_PHASE,230,16,,', // 9: fine here
    ].join('\r\n');
    const { candidates, errors } = mapCsvToLocations(text, ctx);
    expect(errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'city'],
      [4, null],
      [5, 'connector_id'],
      [6, 'evse_uid'],
      [7, 'latitude'],
      [7, 'longitude'],
    ]);
    expect(errors[0]!.reason).toContain('line 2');
    expect(errors[1]!.reason).toContain('20 fields');
    expect(candidates.map((c) => c.json.id)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    const l4 = candidates[3]!.json as Built;
    expect(l4.evses[0]!.connectors[0]!.max_voltage).toBe('230.5');
  });
});

describe('JSON import preparation', () => {
  const loc = { id: 'LOC1', address: 'a', evses: [{ uid: '1', connectors: [{ id: '1' }] }] };

  it('fills the owner, publish and last_updated, keeping what is given', () => {
    const r = prepareLocationJson({ ...loc, last_updated: '2015-06-29T20:39:09Z' }, ctx, 0);
    expect(r).toEqual({
      ok: true,
      json: {
        ...loc,
        country_code: 'DE',
        party_id: 'SWB',
        publish: true,
        evses: [{ uid: '1', last_updated: NOW, connectors: [{ id: '1', last_updated: NOW }] }],
        last_updated: '2015-06-29T20:39:09Z',
      },
    });
  });

  it('rejects another owner than the URL and non-objects', () => {
    expect(prepareLocationJson({ ...loc, country_code: 'BE', party_id: 'swb' }, ctx, 3)).toEqual({
      ok: false,
      errors: [{ row: 3, field: 'country_code', reason: expect.stringContaining('DE/SWB') }],
    });
    expect(prepareLocationJson([], ctx, 1).ok).toBe(false);
  });

  it('reports duplicates and bad items by array index', () => {
    const { candidates, errors } = mapJsonToLocations([loc, 7, { ...loc }], ctx);
    expect(candidates).toHaveLength(1);
    expect(errors.map((e) => [e.row, e.field])).toEqual([
      [1, null],
      [2, 'id'],
    ]);
    expect(mapJsonToLocations({}, ctx).errors[0]!.reason).toContain('array');
    expect(candidates[0]!.locate(['evses', 0, 'connectors', 0, 'standard'])).toEqual({
      row: 0,
      field: 'evses.0.connectors.0.standard',
    });
  });
});

describe('validateCandidates', () => {
  it('translates validator paths to rows and columns, keeps the first error per cell, sorts by row', () => {
    const text = [HEADER, row({ id: 'B', evse_uid: 'B1', standard: 'TYPE_2' }), row({ id: 'A', latitude: 'x' })].join(
      '\n',
    );
    const mapped = mapCsvToLocations(text, ctx);
    const parse = (json: unknown) => {
      const j = json as { id?: unknown };
      if (j.id === 'B')
        return { ok: false as const, errors: [{ path: 'evses.0.connectors.0.standard', message: 'bad standard' }] };
      return {
        ok: false as const,
        errors: [
          { path: ['coordinates', 'latitude'], message: 'duplicate of the reader error' },
          { path: '/time_zone', message: 'bad zone' },
        ],
      };
    };
    const r = validateCandidates(mapped.candidates, parse, mapped.errors);
    expect(r).toEqual({
      ok: false,
      errors: [
        { row: 2, field: 'standard', reason: 'bad standard' },
        { row: 3, field: 'latitude', reason: expect.stringContaining('"x" is not a latitude') },
        { row: 3, field: 'time_zone', reason: 'bad zone' },
      ],
    });
  });

  it('returns the parsed locations when all are valid', () => {
    const mapped = mapCsvToLocations([HEADER, row()].join('\n'), ctx);
    expect(validateCandidates(mapped.candidates, (json) => ({ ok: true, location: json }))).toEqual({
      ok: true,
      locations: [mapped.candidates[0]!.json],
    });
  });
});

describe('country codes', () => {
  it('rejects a three-letter code that is not ISO 3166-1 alpha-3, in CSV and JSON', () => {
    const csv = mapCsvToLocations(
      [HEADER, row({ country: 'GER' }), row({ id: 'L2', evse_uid: 'E2', country: 'fin' })].join('\n'),
      ctx,
    );
    expect(csv.errors).toEqual([{ row: 2, field: 'country', reason: expect.stringContaining('DEU') }]);
    expect(csv.candidates[1]!.json.country).toBe('FIN');
    expect(prepareLocationJson({ id: 'x', country: 'GER' }, ctx, 4)).toEqual({
      ok: false,
      errors: [{ row: 4, field: 'country', reason: expect.stringContaining('alpha-3') }],
    });
  });
});
