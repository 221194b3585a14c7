// The MapLibre map of partner stations: clustered GeoJSON circles coloured by availability, HTML count badges on
// clusters (the offline style has no glyphs for text), click to select, and hooks for browser tests. A dense viewport
// comes from the server as grid clusters (features with `server_cluster`); MapLibre clusters what it is given on top,
// adding up the stations and their availability, so both kinds of cluster look and count the same.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import type { MarkerCollection } from '../../api.ts';
import type { Position } from '../search/geo.tsx';
import { offlineStyle } from './offlineStyle.ts';

// Vite does not emit the worker MapLibre builds with new URL(..., import.meta.url); point it at the bundled file.
maplibregl.setWorkerUrl(workerUrl);

declare global {
  interface Window {
    __latausMap?: maplibregl.Map;
  }
}

export const colours = { available: '#15803d', occupied: '#1d4ed8', unavailable: '#6b7280' };

const sourceId = 'stations';
const clusterLayer = 'station-clusters';
const pointLayer = 'station-points';
const selectedLayer = 'station-selected';

export interface StationMapHandle {
  flyTo(p: Position, zoom?: number): void;
  /** Fits the view to these markers (e.g. what a search found anywhere); `first`: at once, as on opening. */
  fitTo(data: MarkerCollection, first?: boolean): void;
  /** The zoom level now (null before the map exists). */
  zoom(): number | null;
}

/** What the map shows: its bounds (clamped to the world) and zoom level, reported after every move. */
export interface MapView {
  bbox: [number, number, number, number];
  zoom: number;
}

interface Props {
  styleUrl: string | null;
  data: MarkerCollection | null;
  selectedId: string | null;
  user: Position | null;
  onSelect: (id: string | null) => void;
  onView: (view: MapView) => void;
  /** True while newer markers are being fetched; else the zoom level they were fetched for (for browser tests). */
  loading: boolean;
  dataZoom: number | null;
}

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

function viewOf(map: maplibregl.Map): MapView {
  const b = map.getBounds();
  const clamp = (v: number, max: number) => Math.max(-max, Math.min(max, v));
  return {
    bbox: [
      round(clamp(b.getWest(), 180), 5),
      round(clamp(b.getSouth(), 90), 5),
      round(clamp(b.getEast(), 180), 5),
      round(clamp(b.getNorth(), 90), 5),
    ],
    zoom: round(map.getZoom(), 1),
  };
}

/** A cluster's station count as a short label: 7, 312, 1.2k, 14k. */
function countLabel(n: number): string {
  if (n < 1000) return String(n);
  return n < 10_000 ? `${round(n / 1000, 1)}k` : `${Math.round(n / 1000)}k`;
}

/** Clusters: MapLibre's own (point_count) and the server's. */
const isCluster: maplibregl.ExpressionSpecification = ['any', ['has', 'point_count'], ['has', 'server_cluster']];
/** Stations in a cluster and of them available / in use: summed by MapLibre, or as the server sent them. */
const stationsOf: maplibregl.ExpressionSpecification = ['coalesce', ['get', 'stations'], ['get', 'count']];
const availableOf: maplibregl.ExpressionSpecification = ['coalesce', ['get', 'n_available'], ['get', 'avail']];
const occupiedOf: maplibregl.ExpressionSpecification = ['coalesce', ['get', 'n_occupied'], ['get', 'occ']];

function dataBounds(data: MarkerCollection): maplibregl.LngLatBounds | null {
  if (data.features.length === 0) return null;
  const b = new maplibregl.LngLatBounds();
  for (const f of data.features) b.extend(f.geometry.coordinates);
  return b;
}

function addStationLayers(map: maplibregl.Map, data: MarkerCollection | null) {
  map.addSource(sourceId, {
    type: 'geojson',
    data: data ?? { type: 'FeatureCollection', features: [] },
    cluster: true,
    clusterRadius: 48,
    clusterMaxZoom: 12,
    // Every feature carries its station count and availability (a marker 1 and 0/1, a server cluster its sums).
    clusterProperties: {
      stations: ['+', ['get', 'count']],
      n_available: ['+', ['get', 'avail']],
      n_occupied: ['+', ['get', 'occ']],
    },
  });
  map.addLayer({
    id: clusterLayer,
    type: 'circle',
    source: sourceId,
    filter: isCluster,
    paint: {
      'circle-color': [
        'case',
        ['>', availableOf, 0],
        colours.available,
        ['>', occupiedOf, 0],
        colours.occupied,
        colours.unavailable,
      ],
      'circle-radius': ['step', stationsOf, 15, 10, 18, 50, 22, 200, 27, 1000, 32],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 3,
      'circle-opacity': 0.92,
    },
  });
  map.addLayer({
    id: selectedLayer,
    type: 'circle',
    source: sourceId,
    filter: ['==', ['get', 'id'], '__none__'],
    paint: {
      'circle-color': 'rgba(0,0,0,0)',
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 11, 14, 17],
      'circle-stroke-color': '#0f172a',
      'circle-stroke-width': 3,
    },
  });
  map.addLayer({
    id: pointLayer,
    type: 'circle',
    source: sourceId,
    filter: ['!', isCluster],
    paint: {
      'circle-color': [
        'match',
        ['get', 'status'],
        'AVAILABLE',
        colours.available,
        'OCCUPIED',
        colours.occupied,
        colours.unavailable,
      ],
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 5, 10, 7, 15, 10],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 2,
    },
  });
}

export const StationMap = forwardRef<StationMapHandle, Props>(function StationMap(
  { styleUrl, data, selectedId, user, onSelect, onView, loading, dataZoom },
  ref,
) {
  const container = useRef<HTMLElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onViewRef = useRef(onView);
  onViewRef.current = onView;
  const dataRef = useRef(data);
  dataRef.current = data;

  useImperativeHandle(ref, () => ({
    flyTo(p, zoom = 12) {
      mapRef.current?.flyTo({ center: [p.lon, p.lat], zoom, essential: true });
    },
    fitTo(fit, first = false) {
      const map = mapRef.current;
      const b = dataBounds(fit);
      if (!map || !b) return;
      if (first) map.fitBounds(b, { padding: 40, maxZoom: 12, duration: 0 });
      else map.fitBounds(b, { padding: 48, maxZoom: 13, duration: 600 });
    },
    zoom: () => mapRef.current?.getZoom() ?? null,
  }));

  // Create the map once per style.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let map: maplibregl.Map | null = null;
    let cancelled = false;
    const clusterBadges = new Map<string, maplibregl.Marker>();

    const updateBadges = () => {
      if (!map?.getSource(sourceId) || !map.isSourceLoaded(sourceId)) return;
      const seen = new Set<string>();
      for (const f of map.querySourceFeatures(sourceId, { filter: isCluster })) {
        const props = f.properties as { cluster_id?: number; stations?: number; count?: number };
        const stations = props.stations ?? props.count ?? 0;
        const coords = (f.geometry as GeoJSON.Point).coordinates as [number, number];
        const key = `${props.cluster_id ?? 's'}:${stations}:${coords[0].toFixed(5)}:${coords[1].toFixed(5)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (!clusterBadges.has(key)) {
          const badge = document.createElement('div');
          badge.className = 'cluster-count';
          badge.textContent = countLabel(stations);
          clusterBadges.set(key, new maplibregl.Marker({ element: badge }).setLngLat(coords).addTo(map));
        }
      }
      for (const [key, marker] of clusterBadges) {
        if (!seen.has(key)) {
          marker.remove();
          clusterBadges.delete(key);
        }
      }
    };

    (async () => {
      const style = styleUrl ?? (await offlineStyle());
      if (cancelled) return;
      map = new maplibregl.Map({
        container: el,
        style,
        center: [10.4, 51.1],
        zoom: 4.5,
        minZoom: 1.5,
        maxZoom: 18,
        attributionControl: { compact: true },
        dragRotate: false,
        pitchWithRotate: false,
        cooperativeGestures: false,
      });
      map.touchZoomRotate.disableRotation();
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
      mapRef.current = map;
      window.__latausMap = map;

      map.on('error', (e) => {
        console.warn('map error', e.error?.message);
        if (/Worker failed/i.test(e.error?.message ?? '')) setFailed('The map could not start.');
      });
      let styleLoaded = false;
      map.on('load', () => {
        if (!map) return;
        addStationLayers(map, dataRef.current);
        styleLoaded = true;
        setReady(true);
        onViewRef.current(viewOf(map));
      });
      map.on('moveend', () => {
        if (map && styleLoaded) onViewRef.current(viewOf(map));
      });
      map.on('render', updateBadges);
      map.on('click', clusterLayer, async (e) => {
        const f = e.features?.[0];
        if (!map || !f) return;
        const center = (f.geometry as GeoJSON.Point).coordinates as [number, number];
        if (f.properties.server_cluster) {
          // A grid cell of the server: two levels closer, its cell is 4 × as wide and the stations spread out.
          map.easeTo({ center, zoom: Math.min(map.getZoom() + 2, map.getMaxZoom()) });
          return;
        }
        const source = map.getSource<maplibregl.GeoJSONSource>(sourceId);
        const zoom = await source?.getClusterExpansionZoom(f.properties.cluster_id as number);
        map.easeTo({ center, zoom: zoom ?? 10 });
      });
      map.on('click', pointLayer, (e) => {
        const id = e.features?.[0]?.properties.id as string | undefined;
        if (id) onSelectRef.current(id);
      });
      map.on('click', (e) => {
        if (!map) return;
        const hits = map.queryRenderedFeatures(e.point, { layers: [clusterLayer, pointLayer] });
        if (hits.length === 0) onSelectRef.current(null);
      });
      for (const layer of [clusterLayer, pointLayer]) {
        map.on('mouseenter', layer, () => {
          if (map) map.getCanvas().style.cursor = 'pointer';
        });
        map.on('mouseleave', layer, () => {
          if (map) map.getCanvas().style.cursor = '';
        });
      }
    })().catch((e: unknown) => setFailed(e instanceof Error ? e.message : 'The map could not start.'));

    return () => {
      cancelled = true;
      for (const m of clusterBadges.values()) m.remove();
      map?.remove();
      if (window.__latausMap === map) window.__latausMap = undefined;
      mapRef.current = null;
      setReady(false);
    };
  }, [styleUrl]);

  // New markers: replace the source data.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || !data) return;
    map.getSource<maplibregl.GeoJSONSource>(sourceId)?.setData(data);
  }, [ready, data]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    map.setFilter(selectedLayer, ['==', ['get', 'id'], selectedId ?? '__none__']);
  }, [ready, selectedId]);

  // The driver's position as a pulsing dot.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || !user) return;
    const dot = document.createElement('div');
    dot.className = 'user-dot';
    dot.setAttribute('aria-label', 'Your location');
    const marker = new maplibregl.Marker({ element: dot }).setLngLat([user.lon, user.lat]).addTo(map);
    return () => {
      marker.remove();
    };
  }, [ready, user]);

  return (
    <div className="map-host">
      <section
        ref={container}
        className="map"
        data-testid="map"
        data-map-ready={ready ? 'true' : 'false'}
        data-marker-count={data ? data.features.length : undefined}
        data-markers={loading ? 'loading' : 'ready'}
        data-marker-zoom={loading || dataZoom === null ? undefined : dataZoom}
        aria-label="Map of charging stations"
      />
      {failed && (
        <div className="map-failed" role="alert">
          {failed}
        </div>
      )}
    </div>
  );
});
