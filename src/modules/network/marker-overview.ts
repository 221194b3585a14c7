// The network overview: every published location summed into cells of a fine fixed grid, kept in memory and
// refreshed in the background. A zoomed-out map without filters is clustered from these cells (a few thousand)
// instead of from every location in view (a country: tens of thousands of rows read per request, 50–95 ms in the
// database at 150,000 locations). Its counts and availability are at most `maxAgeMs` old (default 30 s); zoomed
// in, or with any filter, the map is built live from the locations as before.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { type CellSummary, cellWidthDeg } from './core/marker-grid.ts';
import type { Marker } from './core/search.schema.ts';
import { overviewCells } from './network.repository.ts';

/** The overview's cells: the 64 px cells of zoom 10 (0.044°, about 3–5 km). */
export const OVERVIEW_CELL_DEG = cellWidthDeg(10);
/** Maps at this zoom level or further out use the overview: its cells are at most a quarter of theirs. */
export const OVERVIEW_MAX_ZOOM = 8;

export interface MarkerOverview {
  /** The current cells; loads them on first use, and starts a refresh in the background when they are too old. */
  cells(): Promise<CellSummary[]>;
  /** Loads the cells now (tests, or to warm the overview at start). */
  refresh(): Promise<CellSummary[]>;
}

export function createMarkerOverview(
  db: Kysely<Database>,
  opts: { maxAgeMs?: number; clock?: () => number; onError?: (e: unknown) => void } = {},
): MarkerOverview {
  const maxAgeMs = opts.maxAgeMs ?? 30_000;
  const clock = opts.clock ?? Date.now;
  let snapshot: { cells: CellSummary[]; at: number } | null = null;
  let loading: Promise<CellSummary[]> | null = null;

  const refresh = () => {
    loading ??= (async () => {
      const at = clock();
      try {
        const rows = await overviewCells(db, OVERVIEW_CELL_DEG);
        const cells = rows.map(
          (r): CellSummary => ({
            count: r.count,
            sumLon: r.sum_lon,
            sumLat: r.sum_lat,
            available: r.available,
            occupied: r.occupied,
            marker: r.marker === null ? null : (JSON.parse(r.marker) as Marker),
          }),
        );
        snapshot = { cells, at };
        return cells;
      } finally {
        loading = null;
      }
    })();
    return loading;
  };

  return {
    refresh,
    async cells() {
      if (!snapshot) return refresh();
      if (clock() - snapshot.at > maxAgeMs && !loading)
        // Stale: answer from the old cells meanwhile; a failed refresh keeps them and the next request tries again.
        refresh().catch((e: unknown) => opts.onError?.(e));
      return snapshot.cells;
    },
  };
}
