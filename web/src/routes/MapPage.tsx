import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { api, type BBox, type LocationDetail } from '../api.ts';
import { useConfig } from '../config.tsx';
import { colours, type MapView, StationMap, type StationMapHandle } from '../features/map/StationMap.tsx';
import { useGeo } from '../features/search/geo.tsx';
import { SearchPanel } from '../features/search/SearchPanel.tsx';
import { useFilters } from '../features/search/useFilters.ts';
import { connectorSummary, formatKw, formatNumber } from '../format.ts';
import { ErrorNote, Spinner } from '../ui/Spinner.tsx';
import { AvailabilityPill, addressLine, OpenPill, PriceLine } from '../ui/StationBits.tsx';
import { useResource } from '../ui/useResource.ts';

const WORLD: BBox = [-180, -90, 180, 90];

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="dot" style={{ background: colours.available }} /> Available
      </li>
      <li>
        <span className="dot" style={{ background: colours.occupied }} /> In use
      </li>
      <li>
        <span className="dot" style={{ background: colours.unavailable }} /> Unknown / out of order
      </li>
    </ul>
  );
}

function StationSheet({ id, onClose }: { id: string; onClose: () => void }) {
  const res = useResource<LocationDetail>((signal) => api.location(id, signal), [id]);
  const s = res.data && res.data.id === id ? res.data : null;
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <section className="sheet" aria-label="Selected station" data-testid="station-sheet">
      <div className="sheet-grip" aria-hidden="true" />
      <button type="button" className="sheet-close" onClick={onClose} aria-label="Close" ref={closeRef}>
        ×
      </button>
      {!s && res.state === 'loading' && <Spinner label="Loading station…" />}
      {res.state === 'error' && <ErrorNote error={res.error} onRetry={res.reload} />}
      {s && (
        <>
          <h2 className="sheet-title">{s.name ?? s.address}</h2>
          <p className="address">{addressLine(s)}</p>
          {s.operator_name && <p className="muted small">{s.operator_name}</p>}
          <div className="pills">
            <AvailabilityPill a={s.availability} />
            <span className="pill pill-power">up to {formatKw(s.max_power_kw)}</span>
            <OpenPill open={s.open_now} twentyFourSeven={s.opening_hours?.twentyfourseven} />
          </div>
          {s.connectors.length > 0 && <p className="connectors muted small">{connectorSummary(s.connectors)}</p>}
          <PriceLine price={s.price} />
          <Link
            className="btn btn-primary btn-block"
            to={`/stations/${encodeURIComponent(s.id)}`}
            data-testid="sheet-link"
          >
            Station details & prices
          </Link>
        </>
      )}
    </section>
  );
}

export default function MapPage() {
  const config = useConfig();
  const [filters, setFilters] = useFilters();
  const geo = useGeo();
  const { search } = useLocation();
  const mapRef = useRef<StationMapHandle>(null);
  const [selected, setSelected] = useState<string | null>(null);
  // The markers of what the map shows, at its zoom level (the server clusters a dense viewport); again after every
  // move. Nothing is fetched before the map reports its first view.
  const [view, setView] = useState<MapView | null>(null);
  const markers = useResource(
    async (signal) => (view ? { found: await api.markers(filters, view.bbox, view.zoom, signal), view } : null),
    [filters, view],
  );
  const data = markers.data?.found ?? null;
  const onView = useCallback(
    (v: MapView) =>
      setView((old) => (old && old.zoom === v.zoom && old.bbox.every((x, i) => x === v.bbox[i]) ? old : v)),
    [],
  );

  // On opening, and after a text search: find the matches anywhere (clustered at the current zoom level) and fit
  // the map to them; the move then fetches the markers of the new view.
  const mapShown = view !== null;
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const fittedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!mapShown || fittedFor.current === filters.q) return;
    const first = fittedFor.current === null;
    fittedFor.current = filters.q;
    if (!first && !filters.q) return;
    const ctrl = new AbortController();
    const zoom = Math.max(0, Math.round((mapRef.current?.zoom() ?? 4) * 10) / 10);
    api
      .markers(filtersRef.current, WORLD, zoom, ctrl.signal)
      .then((found) => mapRef.current?.fitTo(found, first))
      .catch(() => {}); // the view's own fetch shows errors
    return () => ctrl.abort();
  }, [mapShown, filters.q]);

  const nearMe = async () => {
    const p = geo.position ?? (await geo.locate());
    if (p) mapRef.current?.flyTo(p, 12);
  };
  const close = useCallback(() => setSelected(null), []);

  const count = data?.stations ?? 0;
  const summary =
    (markers.state === 'loading' || !view) && !data ? (
      'Loading stations…'
    ) : (
      <span className="summary-row">
        <span data-testid="marker-count" data-total={count}>
          {count === 1 ? '1 station here' : `${formatNumber(count)} stations here`}
          {markers.state === 'loading' && <span className="muted"> · updating…</span>}
        </span>
        <Link to={{ pathname: '/list', search }} className="btn btn-link" data-testid="show-list">
          Show as list
        </Link>
      </span>
    );

  return (
    <main className="map-page">
      <div className="map-side">
        <SearchPanel filters={filters} onChange={setFilters} onNearMe={nearMe} summary={summary} />
        {markers.state === 'error' && <ErrorNote error={markers.error} onRetry={markers.reload} />}
        {selected ? (
          <StationSheet id={selected} onClose={close} />
        ) : (
          <div className="side-hint hide-mobile">
            <p>Tap a dot to see availability and prices. Numbers show how many stations a circle holds.</p>
            <Legend />
          </div>
        )}
      </div>
      <div className="map-area">
        {config.loaded ? (
          <StationMap
            ref={mapRef}
            styleUrl={config.map_style_url}
            data={data}
            selectedId={selected}
            user={geo.position}
            onSelect={setSelected}
            onView={onView}
            loading={markers.state === 'loading'}
            dataZoom={markers.data?.view.zoom ?? null}
          />
        ) : (
          <Spinner label="Preparing the map…" />
        )}
        <div className="legend-float hide-desktop">
          <Legend />
        </div>
      </div>
    </main>
  );
}
