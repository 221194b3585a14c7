// Server-side marker clustering on a grid: a dense viewport comes back as one cluster per grid cell instead of
// thousands of markers. The grid is computed here once per request; PostgreSQL (network.repository.ts,
// clusteredMarkersJson) and clusterOnGrid below assign rows to cells with the same float8 divisions, so both give the
// same cells.
import type { BBox, Cluster, Marker } from './search.schema.ts';

/** The side of a cell in screen pixels (MapLibre's zoom: the world is 512 · 2^zoom pixels wide). */
export const CLUSTER_CELL_PX = 64;

export interface MarkerGrid {
  /** Cell width and height in degrees. */
  cellLon: number;
  cellLat: number;
}

/**
 * The cells of a viewport at a zoom level: 64 px wide, and 64 px high at the viewport's middle latitude (rounded to
 * a whole degree, so that panning a little keeps the same cells). Cells are aligned to multiples of their size from
 * 0°, so they stay put as the map pans.
 */
export function markerGrid(zoom: number, bbox: BBox): MarkerGrid {
  const cellLon = (360 * CLUSTER_CELL_PX) / (512 * 2 ** zoom);
  const midLat = Math.max(-85, Math.min(85, Math.round((bbox.minLat + bbox.maxLat) / 2)));
  return { cellLon, cellLat: cellLon * Math.cos((midLat * Math.PI) / 180) };
}

/** A cluster's position: the members' mean, to 5 decimals (about 1 m), rounded half up as the SQL does. */
export const clusterCoordinate = (mean: number) => Math.floor(mean * 1e5 + 0.5) / 1e5;

export interface GridRow {
  longitude: number;
  latitude: number;
  evse_available: number;
  evse_occupied: number;
}

/**
 * Groups rows by grid cell: rows alone in their cell stay single, the others become clusters [lon, lat, count,
 * available, occupied] (members with status A, members with status O), both in the order their cells were first
 * seen.
 */
export function clusterOnGrid<T extends GridRow>(rows: T[], grid: MarkerGrid): { singles: T[]; clusters: Cluster[] } {
  const cells = new Map<string, T[]>();
  for (const r of rows) {
    const key = `${Math.floor(r.longitude / grid.cellLon)},${Math.floor(r.latitude / grid.cellLat)}`;
    const members = cells.get(key);
    if (members) members.push(r);
    else cells.set(key, [r]);
  }
  const singles: T[] = [];
  const clusters: Cluster[] = [];
  for (const members of cells.values()) {
    if (members.length === 1) {
      singles.push(members[0]!);
      continue;
    }
    let lon = 0;
    let lat = 0;
    let available = 0;
    let occupied = 0;
    for (const m of members) {
      lon += m.longitude;
      lat += m.latitude;
      if (m.evse_available > 0) available++;
      else if (m.evse_occupied > 0) occupied++;
    }
    clusters.push([
      clusterCoordinate(lon / members.length),
      clusterCoordinate(lat / members.length),
      members.length,
      available,
      occupied,
    ]);
  }
  return { singles, clusters };
}

/**
 * A cell of the network overview (marker-overview.ts): the published locations whose position falls in one cell of
 * a fine fixed grid, summed. `marker`: the cell's only location's marker row, when it holds one.
 */
export interface OverviewCell {
  count: number;
  sumLon: number;
  sumLat: number;
  available: number;
  occupied: number;
  marker: Marker | null;
}

/**
 * A zoomed-out viewport's clusters from overview cells instead of locations: each overview cell counts as its members
 * at their mean position, so it falls into one viewport cell whole (exact when the overview grid nests in the
 * viewport's; otherwise a location within about one overview cell of a viewport cell's edge may be counted in the
 * neighbouring cluster, or at the viewport's edge in or out of it). Clusters are [lon, lat, count, available,
 * occupied] at their members' mean position, a viewport cell holding one location gives its marker; `count` is the
 * number of locations in the viewport.
 */
export function clusterOverview(
  cells: Iterable<OverviewCell>,
  bbox: BBox,
  grid: MarkerGrid,
): { markers: Marker[]; clusters: Cluster[]; count: number } {
  const groups = new Map<string, OverviewCell[]>();
  let count = 0;
  for (const c of cells) {
    const lon = c.sumLon / c.count;
    const lat = c.sumLat / c.count;
    if (lon < bbox.minLon || lon > bbox.maxLon || lat < bbox.minLat || lat > bbox.maxLat) continue;
    count += c.count;
    const key = `${Math.floor(lon / grid.cellLon)},${Math.floor(lat / grid.cellLat)}`;
    const members = groups.get(key);
    if (members) members.push(c);
    else groups.set(key, [c]);
  }
  const markers: Marker[] = [];
  const clusters: Cluster[] = [];
  for (const members of groups.values()) {
    if (members.length === 1 && members[0]!.marker) {
      markers.push(members[0]!.marker);
      continue;
    }
    let n = 0;
    let lon = 0;
    let lat = 0;
    let available = 0;
    let occupied = 0;
    for (const m of members) {
      n += m.count;
      lon += m.sumLon;
      lat += m.sumLat;
      available += m.available;
      occupied += m.occupied;
    }
    clusters.push([clusterCoordinate(lon / n), clusterCoordinate(lat / n), n, available, occupied]);
  }
  return { markers, clusters, count };
}
