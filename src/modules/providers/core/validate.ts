// Runs the OCPI Location validation (the network module's) over import candidates and reports every problem
// against the input's rows and fields. Pure: the validator is passed in.
import { byRowThenField, type JsonPath, type LocationCandidate, pathSegments, type RowError } from './import-types.ts';

export type LocationValidation<L> =
  | { ok: true; location: L }
  | { ok: false; errors: ReadonlyArray<{ path: JsonPath; message: string }> };

export type ImportValidation<L> = { ok: true; locations: L[] } | { ok: false; errors: RowError[] };

/**
 * Validates every candidate. `earlier` are errors already found while reading the input; the first error for a
 * given row and field wins, so a value the reader rejected is not reported a second time by the OCPI check.
 */
export function validateCandidates<L>(
  candidates: readonly LocationCandidate[],
  parse: (json: unknown) => LocationValidation<L>,
  earlier: readonly RowError[] = [],
): ImportValidation<L> {
  const errors: RowError[] = [...earlier];
  const locations: L[] = [];
  for (const candidate of candidates) {
    const result = parse(candidate.json);
    if (result.ok) {
      locations.push(result.location);
      continue;
    }
    for (const issue of result.errors) {
      const { row, field } = candidate.locate(pathSegments(issue.path));
      errors.push({ row, field, reason: issue.message });
    }
  }
  if (errors.length === 0) return { ok: true, locations };
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = `${e.row}\u0000${e.field ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ok: false, errors: unique.sort(byRowThenField) };
}
