// Shared shapes of a location import: the rejected-row report and the candidates awaiting OCPI validation.

/** One reason an import was rejected. `row` is the CSV line (header = 1) or the JSON array index. */
export interface RowError {
  row: number;
  /** CSV column name or JSON path (`evses.0.connectors.1.standard`); null when the whole row is concerned. */
  field: string | null;
  reason: string;
}

/** A JSON path as produced by schema validators: segments, or a dotted string. */
export type JsonPath = ReadonlyArray<string | number> | string;

export interface ImportContext {
  /** The provider the import is for (from the URL). */
  countryCode: string;
  partyId: string;
  /** The import's instant: `last_updated` of what it writes. */
  now: Date;
}

/** An OCPI Location object built from the input, not yet validated, and where each of its parts came from. */
export interface LocationCandidate {
  json: Record<string, unknown>;
  /** The row that stands for the location as a whole. */
  row: number;
  /** Maps a JSON path inside `json` back to the input's row and field. */
  locate(path: ReadonlyArray<string | number>): { row: number; field: string | null };
}

export function pathSegments(path: JsonPath): Array<string | number> {
  if (typeof path !== 'string') return [...path];
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split(/[./]/)
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function byRowThenField(a: RowError, b: RowError): number {
  return a.row - b.row || (a.field ?? '').localeCompare(b.field ?? '');
}
