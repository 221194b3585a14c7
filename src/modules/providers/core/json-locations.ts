// Prepares OCPI Location objects given as JSON (an import array or a single POST) for validation: fills what
// an admin may leave out (owner from the URL, publish, last_updated) and rejects an owner that is not the URL's.
import { isCountryAlpha3 } from './countries.ts';
import { unknownCountry } from './csv-locations.ts';
import type { ImportContext, LocationCandidate, RowError } from './import-types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export type PreparedLocation = { ok: true; json: Record<string, unknown> } | { ok: false; errors: RowError[] };

/** Fills defaults into one Location object; `row` is used in the errors (the array index for imports). */
export function prepareLocationJson(input: unknown, ctx: ImportContext, row: number): PreparedLocation {
  if (!isObject(input)) return { ok: false, errors: [{ row, field: null, reason: 'must be an OCPI Location object' }] };
  const errors: RowError[] = [];
  for (const [field, expected] of [
    ['country_code', ctx.countryCode],
    ['party_id', ctx.partyId],
  ] as const) {
    const given = input[field];
    if (given !== undefined && (typeof given !== 'string' || given.toUpperCase() !== expected)) {
      errors.push({
        row,
        field,
        reason: `${field} ${JSON.stringify(given)} does not match the provider ${ctx.countryCode}/${ctx.partyId} in the URL`,
      });
    }
  }
  if (typeof input.country === 'string' && /^[A-Z]{3}$/.test(input.country) && !isCountryAlpha3(input.country)) {
    errors.push({ row, field: 'country', reason: unknownCountry(input.country) });
  }
  if (errors.length > 0) return { ok: false, errors };
  const now = ctx.now.toISOString();
  const withUpdated = (v: unknown): unknown =>
    isObject(v) && v.last_updated === undefined ? { ...v, last_updated: now } : v;
  const evses = Array.isArray(input.evses)
    ? input.evses.map((e) => {
        const evse = withUpdated(e);
        return isObject(evse) && Array.isArray(evse.connectors)
          ? { ...evse, connectors: evse.connectors.map(withUpdated) }
          : evse;
      })
    : input.evses;
  return {
    ok: true,
    json: {
      ...input,
      country_code: ctx.countryCode,
      party_id: ctx.partyId,
      publish: input.publish ?? true,
      ...(evses === undefined ? {} : { evses }),
      last_updated: input.last_updated ?? now,
    },
  };
}

/** An import body: an array of Location objects. Duplicate ids in one import are rejected. */
export function mapJsonToLocations(
  body: unknown,
  ctx: ImportContext,
): { candidates: LocationCandidate[]; errors: RowError[] } {
  if (!Array.isArray(body)) {
    return { candidates: [], errors: [{ row: 0, field: null, reason: 'the body must be a JSON array of Locations' }] };
  }
  if (body.length === 0) {
    return { candidates: [], errors: [{ row: 0, field: null, reason: 'the array is empty; nothing to import' }] };
  }
  const errors: RowError[] = [];
  const candidates: LocationCandidate[] = [];
  const seen = new Map<string, number>();
  body.forEach((item, row) => {
    const prepared = prepareLocationJson(item, ctx, row);
    if (!prepared.ok) {
      errors.push(...prepared.errors);
      return;
    }
    const id = prepared.json.id;
    if (typeof id === 'string') {
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        errors.push({ row, field: 'id', reason: `location "${id}" already appears at index ${earlier}` });
        return;
      }
      seen.set(id, row);
    }
    candidates.push({
      json: prepared.json,
      row,
      locate: (path) => ({ row, field: path.length > 0 ? path.join('.') : null }),
    });
  });
  return { candidates, errors };
}
