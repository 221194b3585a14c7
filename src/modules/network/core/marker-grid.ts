// Server-side marker clustering on a grid: a dense viewport comes back as one cluster per grid cell instead of
// thousands of markers. The grid is computed here once per request; PostgreSQL (network.repository.ts,
// clusteredMarkersJson) and clusterCells below assign positions to cells with the same float8 divisions, so both give
// the same cells.
import type { BBox, Cluster, Marker } from './search.schema.ts';

/** The side of a cell in screen pixels (MapLibre's zoom: the world is 512 · 2^zoom pixels wide). */
export const CLUSTER_CELL_PX = 64;

export interface MarkerGrid {
  /** Cell width and height in degrees. */
  cellLon: number;
  cellLat: number;
}

/** The width in degrees of a 64 px cell at a zoom level. */
export const cellWidthDeg = (zoom: number) => (360 * CLUSTER_CELL_PX) / (512 * 2 ** zoom);

/**
 * The cells of a viewport at a zoom level: 64 px wide, and 64 px high at the viewport's middle latitude (rounded to
 * a whole degree, so that panning a little keeps the same cells). Cells are aligned to multiples of their size from
 * 0°, so they stay put as the map pans.
 */
export function markerGrid(zoom: number, bbox: BBox): MarkerGrid {
  const cellLon = cellWidthDeg(zoom);
  const midLat = Math.max(-85, Math.min(85, Math.round((bbox.minLat + bbox.maxLat) / 2)));
  return { cellLon, cellLat: cellLon * Math.cos((midLat * Math.PI) / 180) };
}

/** A cluster's position: the members' mean, to 5 decimals (about 1 m), rounded half up as the SQL does. */
export const clusterCoordinate = (mean: number) => Math.floor(mean * 1e5 + 0.5) / 1e5;

/**
 * Locations summed by position: one location (the live `open_now` path), or the locations of one cell of the network
 * overview (marker-overview.ts). `marker`: the marker row of the location, when it is one.
 */
export interface CellSummary {
  count: number;
  sumLon: number;
  sumLat: number;
  available: number;
  occupied: number;
  marker: Marker | null;
}

/**
 * Groups summed locations by grid cell: those alone in their cell stay single (their marker), the others become
 * clusters [lon, lat, count, available, occupied] at their members' mean position (5 decimals, half up, as the SQL
 * does), both in the order their cells were first seen. Each summary counts as its locations at their mean position,
 * so it falls into one cell whole: exact for single locations; for the overview's cells, a location within about one
 * overview cell of a cell's edge may be counted in the neighbouring cluster, or at the viewport's edge in or out of
 * it. `count`: the locations in the viewport.
 */
export function clusterCells(
  cells: Iterable<CellSummary>,
  bbox: BBox,
  grid: MarkerGrid,
): { markers: Marker[]; clusters: Cluster[]; count: number } {
  const groups = new Map<string, CellSummary[]>();
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
