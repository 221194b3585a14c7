// A map style that needs no tile server: sea background plus country fills and borders from Natural Earth
// (world-atlas 50m; the 110m file leaves Norway and Sweden unfilled in MapLibre). No glyphs or sprites, so the
// style has no text symbols: station counts are drawn as HTML markers instead.
import type { StyleSpecification } from 'maplibre-gl';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

export const palette = {
  sea: '#d7e6ee',
  land: '#f6f4ee',
  border: '#c3bdb0',
  coast: '#a9bfcc',
};

export async function offlineStyle(): Promise<StyleSpecification> {
  const topo = (await import('world-atlas/countries-50m.json')).default as unknown as Topology<{
    countries: GeometryCollection;
  }>;
  const countries = feature(topo, topo.objects.countries);
  const borders = mesh(topo, topo.objects.countries, (a, b) => a !== b);
  const coast = mesh(topo, topo.objects.countries, (a, b) => a === b);
  return {
    version: 8,
    name: 'Lataus offline',
    sources: {
      countries: { type: 'geojson', data: countries, attribution: 'Natural Earth' },
      borders: { type: 'geojson', data: { type: 'Feature', geometry: borders, properties: {} } },
      coast: { type: 'geojson', data: { type: 'Feature', geometry: coast, properties: {} } },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': palette.sea } },
      { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': palette.land } },
      {
        id: 'coast',
        type: 'line',
        source: 'coast',
        paint: { 'line-color': palette.coast, 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.5, 8, 1.5] },
      },
      {
        id: 'borders',
        type: 'line',
        source: 'borders',
        paint: {
          'line-color': palette.border,
          'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.5, 8, 1.6],
          'line-dasharray': [3, 2],
        },
      },
    ],
  };
}
