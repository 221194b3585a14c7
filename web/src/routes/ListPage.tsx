import { useEffect, useState } from 'react';
import { api, type LocationSummary, type Page } from '../api.ts';
import { useGeo } from '../features/search/geo.tsx';
import { SearchPanel } from '../features/search/SearchPanel.tsx';
import { useFilters } from '../features/search/useFilters.ts';
import { formatNumber } from '../format.ts';
import { ErrorNote, Spinner } from '../ui/Spinner.tsx';
import { StationCard } from '../ui/StationBits.tsx';
import { useResource } from '../ui/useResource.ts';

const pageSize = 30;
const nearRadiusM = 50_000;

export function ListPage() {
  const [filters, setFilters] = useFilters();
  const geo = useGeo();
  const [pages, setPages] = useState(1);
  const near = geo.position ? { lat: geo.position.lat, lon: geo.position.lon, radius: nearRadiusM } : undefined;
  const key = JSON.stringify([filters, near]);

  // A new search starts again at the first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is the identity of the search
  useEffect(() => setPages(1), [key]);

  const first = useResource((signal) => api.locations(filters, { near, limit: pageSize }, signal), [key]);
  const [later, setLater] = useState<{ key: string; items: LocationSummary[]; last: Page<LocationSummary> | null }>({
    key: '',
    items: [],
    last: null,
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const extra = later.key === key ? later.items : [];

  const items = [...(first.data?.items ?? []), ...extra];
  // The newest page's count: a nearby search counts up to 1,000 (or as far as the pages go) and then says `more`.
  const counted = (later.key === key ? later.last : null) ?? first.data;
  const total = counted?.total ?? 0;
  const uncounted = counted?.more === true;

  const loadMore = async () => {
    setLoadingMore(true);
    try {
      const page = await api.locations(filters, { near, limit: pageSize, offset: pageSize * pages });
      setLater({ key, items: [...extra, ...page.items], last: page });
      setPages((p) => p + 1);
    } finally {
      setLoadingMore(false);
    }
  };

  const summary =
    first.state === 'loading' && !first.data ? (
      'Searching…'
    ) : (
      <span data-testid="result-count" data-total={total}>
        {uncounted ? `${formatNumber(total)}+ stations` : total === 1 ? '1 station' : `${formatNumber(total)} stations`}
        {near ? ' within 50 km of you' : ''}
        {first.state === 'loading' && <span className="muted"> · updating…</span>}
      </span>
    );

  return (
    <main className="page list-page">
      <SearchPanel
        filters={filters}
        onChange={setFilters}
        onNearMe={() => (geo.position ? geo.clear() : void geo.locate())}
        summary={summary}
      />
      {first.state === 'error' && <ErrorNote error={first.error} onRetry={first.reload} />}
      {first.state === 'loading' && !first.data && <Spinner label="Finding stations…" />}
      {first.data && items.length === 0 && (
        <div className="empty" data-testid="no-results">
          <h2>No stations match</h2>
          <p>Try fewer filters or another place.</p>
        </div>
      )}
      <div className="card-list" data-testid="station-list">
        {items.map((s) => (
          <StationCard key={`${s.country_code}-${s.party_id}-${s.id}`} s={s} />
        ))}
      </div>
      {(items.length < total || (uncounted && items.length > 0)) && (
        <div className="center">
          <button type="button" className="btn" onClick={loadMore} disabled={loadingMore} data-testid="load-more">
            {loadingMore
              ? 'Loading…'
              : uncounted
                ? 'Show more'
                : `Show more (${formatNumber(total - items.length)} left)`}
          </button>
        </div>
      )}
    </main>
  );
}
