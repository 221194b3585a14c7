// Maps the provider CSV format (one row per connector) to OCPI Location objects: rows with the same location
// `id` form one location, rows with the same `evse_uid` within it one EVSE. Checks what only the CSV can get
// wrong (columns, numbers, disagreeing rows, opening hours syntax); the OCPI rules are checked afterwards on the
// built objects, whose JSON paths `locate` translates back to the CSV line and column.
import { isCountryAlpha3 } from './countries.ts';
import { parseCsv } from './csv.ts';
import type { ImportContext, LocationCandidate, RowError } from './import-types.ts';
import { parseOpeningHours } from './opening-hours.ts';

export const LOCATION_COLUMNS = [
  'id',
  'name',
  'address',
  'city',
  'postal_code',
  'country',
  'latitude',
  'longitude',
  'time_zone',
  'opening_hours',
] as const;
export const EVSE_COLUMNS = ['evse_uid', 'evse_id', 'status'] as const;
export const CONNECTOR_COLUMNS = [
  'connector_id',
  'standard',
  'format',
  'power_type',
  'max_voltage',
  'max_amperage',
  'max_electric_power',
  'tariff_id',
] as const;
export const CSV_COLUMNS = [...LOCATION_COLUMNS, ...EVSE_COLUMNS, ...CONNECTOR_COLUMNS] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Columns a file must have; the others may be left out (their values are optional). */
export const REQUIRED_COLUMNS: readonly CsvColumn[] = [
  'id',
  'address',
  'city',
  'country',
  'latitude',
  'longitude',
  'time_zone',
  'evse_uid',
  'connector_id',
  'standard',
  'format',
  'power_type',
  'max_voltage',
  'max_amperage',
];

/** Without an OCPI link we do not know live status; UNKNOWN is the honest default. */
export const DEFAULT_EVSE_STATUS = 'UNKNOWN';

/** A data row: its line and its trimmed values (absent columns read as ''). */
interface Row {
  line: number;
  get(column: CsvColumn): string;
}

interface ConnectorRows {
  row: Row;
}
interface EvseRows {
  first: Row;
  connectors: ConnectorRows[];
}
interface LocationRows {
  first: Row;
  evses: Map<string, EvseRows>;
}

export interface CsvMapping {
  candidates: LocationCandidate[];
  errors: RowError[];
}

/** Reads CSV text into location candidates plus the errors found while reading. */
export function mapCsvToLocations(text: string, ctx: ImportContext): CsvMapping {
  const parsed = parseCsv(text);
  if (!parsed.ok)
    return { candidates: [], errors: [{ row: parsed.error.line, field: null, reason: parsed.error.reason }] };
  const records = parsed.records.filter((r) => r.fields.some((f) => f.trim() !== ''));
  const header = records[0];
  if (!header) {
    return { candidates: [], errors: [{ row: 1, field: null, reason: 'the file is empty; a header row is required' }] };
  }

  // Header: known columns, none twice, the required ones present.
  const errors: RowError[] = [];
  const index = new Map<CsvColumn, number>();
  header.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      errors.push({
        row: header.line,
        field: raw.trim() || null,
        reason: `unknown column "${raw.trim()}" (${i + 1}); known columns: ${CSV_COLUMNS.join(', ')}`,
      });
    } else if (index.has(name as CsvColumn)) {
      errors.push({ row: header.line, field: name, reason: `column "${name}" appears twice` });
    } else index.set(name as CsvColumn, i);
  });
  for (const c of REQUIRED_COLUMNS) {
    if (!index.has(c)) errors.push({ row: header.line, field: c, reason: `required column "${c}" is missing` });
  }
  if (errors.length > 0) return { candidates: [], errors };
  if (records.length === 1) {
    return { candidates: [], errors: [{ row: header.line, field: null, reason: 'the file has no data rows' }] };
  }

  // Rows, grouped by location id and EVSE uid (first appearance decides the order).
  const locations = new Map<string, LocationRows>();
  const evseOwners = new Map<string, { locationId: string; line: number }>();
  for (const record of records.slice(1)) {
    if (record.fields.length !== header.fields.length) {
      errors.push({
        row: record.line,
        field: null,
        reason: `the row has ${record.fields.length} fields but the header has ${header.fields.length}`,
      });
      continue;
    }
    const row: Row = {
      line: record.line,
      get: (c) => {
        const i = index.get(c);
        return i === undefined ? '' : (record.fields[i] ?? '').trim();
      },
    };
    const id = row.get('id');
    let location = locations.get(id);
    if (!location) {
      location = { first: row, evses: new Map() };
      locations.set(id, location);
    } else {
      for (const c of LOCATION_COLUMNS) disagree(errors, row, location.first, c, `location "${id}"`);
    }
    const uid = row.get('evse_uid');
    let evse = location.evses.get(uid);
    if (!evse) {
      // EVSE uids are unique within the CPO's platform (OCPI), not only within a location.
      const owner = evseOwners.get(uid);
      if (owner) {
        errors.push({
          row: row.line,
          field: 'evse_uid',
          reason: `EVSE "${uid}" already belongs to location "${owner.locationId}" (line ${owner.line})`,
        });
        continue;
      }
      evseOwners.set(uid, { locationId: id, line: row.line });
      evse = { first: row, connectors: [] };
      location.evses.set(uid, evse);
    } else {
      for (const c of EVSE_COLUMNS) disagree(errors, row, evse.first, c, `EVSE "${uid}"`);
      const connectorId = row.get('connector_id');
      const twin = evse.connectors.find((k) => k.row.get('connector_id') === connectorId);
      if (twin) {
        errors.push({
          row: row.line,
          field: 'connector_id',
          reason: `connector "${connectorId}" of EVSE "${uid}" already appears on line ${twin.row.line}`,
        });
        continue;
      }
    }
    evse.connectors.push({ row });
  }

  const candidates: LocationCandidate[] = [];
  for (const location of locations.values()) candidates.push(buildLocation(location, ctx, errors));
  return { candidates, errors };
}

export const unknownCountry = (code: string) =>
  `"${code}" is not an ISO 3166-1 alpha-3 country code (e.g. DEU for Germany, FIN for Finland)`;

function disagree(errors: RowError[], row: Row, first: Row, column: CsvColumn, what: string): void {
  const a = first.get(column);
  const b = row.get(column);
  if (a !== b) {
    errors.push({
      row: row.line,
      field: column,
      reason: `${column} of ${what} is "${b}" here but "${a}" on line ${first.line}; all its rows must agree`,
    });
  }
}

/** Decimal degrees; a decimal comma (German Excel) is accepted. Emitted in OCPI's 5–7 decimals form. */
function coordinate(raw: string, limit: number): string | undefined {
  const s = raw.replace(',', '.');
  if (!/^[+-]?\d{1,3}(\.\d+)?$/.test(s)) return undefined;
  const value = Number(s);
  if (!Number.isFinite(value) || Math.abs(value) > limit) return undefined;
  const decimals = s.includes('.') ? s.length - s.indexOf('.') - 1 : 0;
  return value.toFixed(Math.min(7, Math.max(6, decimals)));
}

/** A whole number; the raw text is passed on when it is not one, so the OCPI check reports it. */
function integer(raw: string): number | string {
  return /^[+-]?\d+$/.test(raw) ? Number(raw) : raw;
}

function optional<T>(key: string, value: T | undefined | ''): Record<string, T> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

function buildLocation(rows: LocationRows, ctx: ImportContext, errors: RowError[]): LocationCandidate {
  const first = rows.first;
  const now = ctx.now.toISOString();
  const latitude = coordinate(first.get('latitude'), 90);
  const longitude = coordinate(first.get('longitude'), 180);
  if (latitude === undefined) {
    errors.push({
      row: first.line,
      field: 'latitude',
      reason: `"${first.get('latitude')}" is not a latitude in decimal degrees between -90 and 90`,
    });
  }
  if (longitude === undefined) {
    errors.push({
      row: first.line,
      field: 'longitude',
      reason: `"${first.get('longitude')}" is not a longitude in decimal degrees between -180 and 180`,
    });
  }
  const country = first.get('country').toUpperCase();
  if (/^[A-Z]{3}$/.test(country) && !isCountryAlpha3(country)) {
    errors.push({ row: first.line, field: 'country', reason: unknownCountry(country) });
  }
  let openingTimes: unknown;
  const hoursText = first.get('opening_hours');
  if (hoursText !== '') {
    const hours = parseOpeningHours(hoursText);
    if (hours.ok) openingTimes = hours.hours;
    else errors.push({ row: first.line, field: 'opening_hours', reason: hours.reason });
  }

  const evses = [...rows.evses.values()];
  const json: Record<string, unknown> = {
    country_code: ctx.countryCode,
    party_id: ctx.partyId,
    id: first.get('id'),
    publish: true,
    ...optional('name', first.get('name')),
    address: first.get('address'),
    city: first.get('city'),
    ...optional('postal_code', first.get('postal_code')),
    country,
    // An unreadable coordinate is already reported above; the placeholder keeps the object well-formed.
    coordinates: { latitude: latitude ?? '0.000000', longitude: longitude ?? '0.000000' },
    time_zone: first.get('time_zone'),
    ...optional('opening_times', openingTimes),
    evses: evses.map((evse) => ({
      uid: evse.first.get('evse_uid'),
      ...optional('evse_id', evse.first.get('evse_id')),
      status: evse.first.get('status').toUpperCase() || DEFAULT_EVSE_STATUS,
      connectors: evse.connectors.map(({ row }) => ({
        id: row.get('connector_id'),
        standard: row.get('standard'),
        format: row.get('format').toUpperCase(),
        power_type: row.get('power_type').toUpperCase(),
        max_voltage: integer(row.get('max_voltage')),
        max_amperage: integer(row.get('max_amperage')),
        ...optional('max_electric_power', row.get('max_electric_power') && integer(row.get('max_electric_power'))),
        tariff_ids: row.get('tariff_id') === '' ? [] : [row.get('tariff_id')],
        last_updated: now,
      })),
      last_updated: now,
    })),
    last_updated: now,
  };

  return {
    json,
    row: first.line,
    locate(path) {
      const [head, i, sub, j, leaf] = path;
      if (head === 'evses' && typeof i === 'number' && evses[i]) {
        const evse = evses[i];
        if (sub === 'connectors' && typeof j === 'number' && evse.connectors[j]) {
          return { row: evse.connectors[j].row.line, field: connectorField(leaf) };
        }
        return { row: evse.first.line, field: evseField(sub) };
      }
      return { row: first.line, field: locationField(head, i) };
    },
  };
}

function locationField(key: string | number | undefined, sub: string | number | undefined): CsvColumn | null {
  switch (key) {
    case 'id':
    case 'name':
    case 'address':
    case 'city':
    case 'postal_code':
    case 'country':
    case 'time_zone':
      return key;
    case 'coordinates':
      return sub === 'longitude' ? 'longitude' : 'latitude';
    case 'opening_times':
      return 'opening_hours';
    default:
      return null;
  }
}

function evseField(key: string | number | undefined): CsvColumn | null {
  switch (key) {
    case 'uid':
      return 'evse_uid';
    case 'evse_id':
    case 'status':
      return key;
    default:
      return null;
  }
}

function connectorField(key: string | number | undefined): CsvColumn | null {
  switch (key) {
    case 'id':
      return 'connector_id';
    case 'tariff_ids':
      return 'tariff_id';
    case 'standard':
    case 'format':
    case 'power_type':
    case 'max_voltage':
    case 'max_amperage':
    case 'max_electric_power':
      return key;
    default:
      return null;
  }
}
