// Clustering summed locations by grid cell (core/marker-grid.ts, clusterCells): the network overview's cells.
import { describe, expect, it } from 'vitest';
import { type CellSummary, clusterCells } from '../../../src/modules/network/core/marker-grid.ts';
import type { Marker } from '../../../src/modules/network/core/search.schema.ts';

const marker = (lon: number, lat: number, id: string): Marker => [lon, lat, 'DEAAA', id, 'A', 1, 1, 22];
const cell = (c: Partial<CellSummary> & { count: number; sumLon: number; sumLat: number }): CellSummary => ({
  available: 0,
  occupied: 0,
  marker: null,
  ...c,
});
const grid = { cellLon: 1, cellLat: 1 };
const bbox = { minLon: 0, minLat: 0, maxLon: 3, maxLat: 3 };

describe('clusterCells', () => {
  it('sums the overview cells of each viewport cell at their members’ mean position', () => {
    const r = clusterCells(
      [
        cell({ count: 2, sumLon: 0.4, sumLat: 0.4, available: 1, occupied: 1 }),
        cell({ count: 1, sumLon: 0.7, sumLat: 0.6, available: 1, marker: marker(0.7, 0.6, 'B') }),
        cell({ count: 1, sumLon: 1.5, sumLat: 0.5, marker: marker(1.5, 0.5, 'C') }),
        cell({ count: 3, sumLon: 15, sumLat: 15, available: 3 }), // at (5, 5): outside the viewport
      ],
      bbox,
      grid,
    );
    // [mean lon, mean lat (5 decimals), locations, available, only in use]; C alone in its cell: its marker.
    expect(r.clusters).toEqual([[0.36667, 0.33333, 3, 2, 1]]);
    expect(r.markers).toEqual([marker(1.5, 0.5, 'C')]);
    expect(r.count).toBe(4);
  });

  it('makes a cluster of one overview cell with several locations, and nothing of an empty view', () => {
    const r = clusterCells([cell({ count: 2, sumLon: 5, sumLat: 5, available: 2 })], bbox, grid);
    expect(r).toEqual({ markers: [], clusters: [[2.5, 2.5, 2, 2, 0]], count: 2 });
    expect(clusterCells([], bbox, grid)).toEqual({ markers: [], clusters: [], count: 0 });
  });

  it('shows every location in view once: the counts add up to the locations whose cell mean is in view', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const cells = Array.from({ length: 500 }, (_, i) => {
      const count = 1 + Math.floor(rnd() * 4);
      const lon = rnd() * 4 - 0.5;
      const lat = rnd() * 4 - 0.5;
      const available = Math.floor(rnd() * (count + 1));
      return cell({
        count,
        sumLon: lon * count,
        sumLat: lat * count,
        available,
        occupied: count - available,
        marker: count === 1 ? [lon, lat, 'DEAAA', `M${i}`, available ? 'A' : 'O', available, 1, 22] : null,
      });
    });
    const inView = cells.filter((c) => {
      const lon = c.sumLon / c.count;
      const lat = c.sumLat / c.count;
      return lon >= 0 && lon <= 3 && lat >= 0 && lat <= 3;
    });
    const expected = inView.reduce((n, c) => n + c.count, 0);
    for (const g of [grid, { cellLon: 0.25, cellLat: 0.17 }, { cellLon: 10, cellLat: 10 }]) {
      const r = clusterCells(cells, bbox, g);
      const shown = r.markers.length + r.clusters.reduce((n, c) => n + c[2], 0);
      expect(shown).toBe(expected);
      expect(r.count).toBe(expected);
      const available = r.clusters.reduce((n, c) => n + c[3], 0) + r.markers.filter((m) => m[4] === 'A').length;
      expect(available).toBe(inView.reduce((n, c) => n + c.available, 0));
    }
  });
});
