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

type Ring = GeoJSON.Position[];

function crossesAntimeridian(ring: Ring): boolean {
  for (let i = 1; i < ring.length; i++) if (Math.abs(ring[i]![0]! - ring[i - 1]![0]!) > 180) return true;
  return false;
}

function planarArea(ring: Ring): number {
  let a = 0;
  for (let i = 0; i < ring.length - 1; i++) a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return a / 2;
}

/**
 * Natural Earth rings that cross the antimeridian (Russia's Chukotka, Fiji) jump from 180 to -180 and MapLibre
 * would draw them straight across the world; unwrap them east of 180 instead. MapLibre also reads a feature's
 * rings by their planar winding, so give every outer ring the same winding and every hole the opposite one.
 */
function fixPolygon(rings: Ring[]): Ring[] {
  return rings.map((ring, i) => {
    const r = crossesAntimeridian(ring) ? ring.map(([x, y]) => [x! < 0 ? x! + 360 : x!, y!]) : ring;
    const outer = i === 0;
    return planarArea(r) < 0 === outer ? r : [...r].reverse();
  });
}

/** Splits lines where they jump across the antimeridian, so no segment spans the whole map. */
function splitLines(lines: GeoJSON.MultiLineString): GeoJSON.MultiLineString {
  const out: Ring[] = [];
  for (const line of lines.coordinates) {
    let part: Ring = [];
    for (const pt of line) {
      const prev = part[part.length - 1];
      if (prev && Math.abs(pt[0]! - prev[0]!) > 180) {
        if (part.length > 1) out.push(part);
        part = [];
      }
      part.push(pt);
    }
    if (part.length > 1) out.push(part);
  }
  return { type: 'MultiLineString', coordinates: out };
}

function fixCountries(fc: GeoJSON.FeatureCollection): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: fc.features
      // Antarctica's ring runs along the whole antimeridian and the pole; nobody charges there.
      .filter((f) => f.properties?.name !== 'Antarctica' && f.geometry)
      .map((f) => {
        const g = f.geometry;
        if (g.type === 'Polygon') return { ...f, geometry: { ...g, coordinates: fixPolygon(g.coordinates) } };
        if (g.type === 'MultiPolygon')
          return { ...f, geometry: { ...g, coordinates: g.coordinates.map((p) => fixPolygon(p)) } };
        return f;
      }),
  };
}

export async function offlineStyle(): Promise<StyleSpecification> {
  const topo = (await import('world-atlas/countries-50m.json')).default as unknown as Topology<{
    countries: GeometryCollection;
  }>;
  const countries = fixCountries(feature(topo, topo.objects.countries));
  const borders = splitLines(mesh(topo, topo.objects.countries, (a, b) => a !== b));
  const coast = splitLines(
    mesh(topo, topo.objects.countries, (a, b) => a === b && (a.properties as { name?: string })?.name !== 'Antarctica'),
  );
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
