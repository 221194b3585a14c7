// Use cases of the back office for non-integrated providers: create one, look at them, add a location, import
// locations from CSV or JSON. An import is all or nothing: every row is validated before anything is written,
// and the writes run in one transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { ErrorCode } from '../../platform/http/errors.ts';
import { mapCsvToLocations } from './core/csv-locations.ts';
import type { ImportContext, LocationCandidate, RowError } from './core/import-types.ts';
import { mapJsonToLocations, prepareLocationJson } from './core/json-locations.ts';
import { type LocationValidation, validateCandidates } from './core/validate.ts';
import {
  type Executor,
  findProvider,
  insertProvider,
  listProviderLocations,
  listProviders,
  lockParty,
  type Provider,
  type ProviderLocationSummary,
} from './providers.repository.ts';

/** What this module needs from the network module: OCPI Location validation and the location writer. */
export interface LocationStore<L> {
  parseLocation(json: unknown): LocationValidation<L>;
  /**
   * Writes locations with their EVSEs and connectors (replacing previous versions) for `owner`, using `db` — our
   * transaction, so the writer must join it rather than open its own.
   */
  upsertLocations(
    db: Executor,
    locations: L[],
    owner: { country_code: string; party_id: string },
  ): Promise<ReadonlyArray<{ ok: true } | { ok: false; message: string }>>;
}

export interface ProviderDeps<L> {
  db: Kysely<Database>;
  clock: () => Date;
  locations: LocationStore<L>;
}

export interface ProviderFailure {
  code: ErrorCode;
  detail: string;
  extra?: Record<string, unknown>;
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: ProviderFailure };

const fail = (
  code: ErrorCode,
  detail: string,
  extra?: Record<string, unknown>,
): { ok: false; error: ProviderFailure } => ({
  ok: false,
  error: extra ? { code, detail, extra } : { code, detail },
});

/** At most this many rejected rows are listed in a rejection; `error_count` tells the full number. */
export const MAX_REPORTED_ROWS = 1000;

export interface ImportSummary {
  imported: number;
  evses: number;
  connectors: number;
}

export type ImportInput = { format: 'csv'; text: string } | { format: 'json'; body: unknown };

export function listAllProviders<L>(deps: ProviderDeps<L>): Promise<Provider[]> {
  return listProviders(deps.db);
}

export async function createProvider<L>(
  deps: ProviderDeps<L>,
  input: { country_code: string; party_id: string; name: string; website?: string | null | undefined },
): Promise<Result<Provider>> {
  const created = await insertProvider(deps.db, {
    country_code: input.country_code,
    party_id: input.party_id,
    name: input.name,
    website: input.website ?? null,
  });
  if (!created) return fail('CONFLICT', `A party ${input.country_code}/${input.party_id} already exists`);
  return { ok: true, value: created };
}

export async function getProvider<L>(
  deps: ProviderDeps<L>,
  countryCode: string,
  partyId: string,
): Promise<Result<Provider & { locations: ProviderLocationSummary[] }>> {
  const provider = await findProvider(deps.db, countryCode, partyId);
  if (!provider) return notFound(countryCode, partyId);
  const locations = await listProviderLocations(deps.db, countryCode, partyId);
  return { ok: true, value: { ...provider, locations } };
}

/** Adds or replaces one location given as an OCPI Location object. */
export async function addLocation<L>(
  deps: ProviderDeps<L>,
  countryCode: string,
  partyId: string,
  body: unknown,
): Promise<Result<L>> {
  const guard = await importable(deps, countryCode, partyId);
  if (!guard.ok) return guard;
  const ctx: ImportContext = { countryCode, partyId, now: deps.clock() };
  const prepared = prepareLocationJson(body, ctx, 0);
  if (!prepared.ok) {
    const [first] = prepared.errors;
    return fail('VALIDATION_FAILED', first?.reason ?? 'invalid Location', {
      errors: prepared.errors.map((e) => ({ path: e.field, message: e.reason })),
    });
  }
  const parsed = deps.locations.parseLocation(prepared.json);
  if (!parsed.ok) {
    const errors = parsed.errors.map((e) => ({
      path: typeof e.path === 'string' ? e.path : e.path.join('.'),
      message: e.message,
    }));
    return fail('VALIDATION_FAILED', errors.map((e) => `${e.path || '(location)'}: ${e.message}`).join('; '), {
      errors,
    });
  }
  const written = await writeAll(deps, countryCode, partyId, [parsed.location]);
  return written.ok ? { ok: true, value: parsed.location } : written;
}

/** Imports many locations; on any invalid row nothing is written and every rejected row is reported. */
export async function importLocations<L>(
  deps: ProviderDeps<L>,
  countryCode: string,
  partyId: string,
  input: ImportInput,
): Promise<Result<ImportSummary>> {
  const guard = await importable(deps, countryCode, partyId);
  if (!guard.ok) return guard;
  const ctx: ImportContext = { countryCode, partyId, now: deps.clock() };
  const mapped: { candidates: LocationCandidate[]; errors: RowError[] } =
    input.format === 'csv' ? mapCsvToLocations(input.text, ctx) : mapJsonToLocations(input.body, ctx);
  const validated = validateCandidates(mapped.candidates, (json) => deps.locations.parseLocation(json), mapped.errors);
  if (!validated.ok) {
    const rowCount = new Set(validated.errors.map((e) => e.row)).size;
    const what = input.format === 'csv' ? 'line' : 'item';
    return fail(
      'IMPORT_REJECTED',
      `${validated.errors.length} problem(s) in ${rowCount} ${what}(s); nothing was imported`,
      { rows: validated.errors.slice(0, MAX_REPORTED_ROWS), error_count: validated.errors.length },
    );
  }
  const written = await writeAll(deps, countryCode, partyId, validated.locations);
  if (!written.ok) return written;
  const summary: ImportSummary = { imported: validated.locations.length, evses: 0, connectors: 0 };
  for (const location of validated.locations) {
    const evses = (location as { evses?: Array<{ connectors?: unknown[] }> }).evses ?? [];
    summary.evses += evses.length;
    for (const evse of evses) summary.connectors += evse.connectors?.length ?? 0;
  }
  return { ok: true, value: summary };
}

function notFound(countryCode: string, partyId: string) {
  return fail('NOT_FOUND', `No provider ${countryCode}/${partyId}`);
}

function integratedConflict(countryCode: string, partyId: string) {
  return fail(
    'CONFLICT',
    `${countryCode}/${partyId} is connected over OCPI; its locations come from its own platform and cannot be imported`,
  );
}

/** Checked before reading the input, so an unknown or integrated provider is answered without parsing it. */
async function importable<L>(deps: ProviderDeps<L>, countryCode: string, partyId: string): Promise<Result<Provider>> {
  const provider = await findProvider(deps.db, countryCode, partyId);
  if (!provider) return notFound(countryCode, partyId);
  if (provider.integrated) return integratedConflict(countryCode, partyId);
  return { ok: true, value: provider };
}

/** Thrown inside the transaction to roll it back with an expected failure. */
class Rollback extends Error {
  constructor(readonly failure: { ok: false; error: ProviderFailure }) {
    super(failure.error.detail);
  }
}

/** One transaction: any failure, expected or not, rolls back every location of the import. */
async function writeAll<L>(
  deps: ProviderDeps<L>,
  countryCode: string,
  partyId: string,
  locations: L[],
): Promise<Result<null>> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const party = await lockParty(trx, countryCode, partyId);
      if (!party) return notFound(countryCode, partyId);
      if (party.integrated) return integratedConflict(countryCode, partyId);
      const results = await deps.locations.upsertLocations(trx, locations, {
        country_code: countryCode,
        party_id: partyId,
      });
      const refused = results.find((r) => !r.ok);
      // Not expected (owner and party were checked above), but never leave part of an import behind.
      if (refused && !refused.ok) throw new Rollback(fail('CONFLICT', refused.message));
      return { ok: true as const, value: null };
    });
  } catch (e) {
    if (e instanceof Rollback) return e.failure;
    throw e;
  }
}
