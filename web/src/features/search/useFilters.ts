import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { filtersFromQuery, filtersToQuery, type SearchFilters } from '../../api.ts';

/** Search filters live in the URL so the map, the list and a shared link agree. */
export function useFilters(): [SearchFilters, (next: SearchFilters) => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query string is the identity of the filters
  const filters = useMemo(() => filtersFromQuery(params), [key]);
  const setFilters = useCallback(
    (next: SearchFilters) => setParams(new URLSearchParams(filtersToQuery(next)), { replace: true }),
    [setParams],
  );
  return [filters, setFilters];
}
