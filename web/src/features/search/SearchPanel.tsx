import { useEffect, useId, useRef, useState } from 'react';
import type { SearchFilters } from '../../api.ts';
import { searchableStandards, standardName } from '../../format.ts';
import { useGeo } from './geo.tsx';

const powerSteps = [0, 11, 22, 50, 150, 300];

interface Props {
  filters: SearchFilters;
  onChange: (next: SearchFilters) => void;
  onNearMe?: () => void;
  /** e.g. "128 stations" */
  summary?: React.ReactNode;
}

export function SearchPanel({ filters, onChange, onNearMe, summary }: Props) {
  const geo = useGeo();
  const [text, setText] = useState(filters.q);
  const [open, setOpen] = useState(false);
  const filtersId = useId();
  const latest = useRef(filters);
  latest.current = filters;

  // Follow outside changes of the query (back button, shared link).
  useEffect(() => setText(filters.q), [filters.q]);

  // Debounce typing so each keystroke does not fire a search.
  useEffect(() => {
    if (text === latest.current.q) return;
    const t = setTimeout(() => onChange({ ...latest.current, q: text }), 300);
    return () => clearTimeout(t);
  }, [text, onChange]);

  const activeCount =
    filters.standards.length + (filters.minPowerKw ? 1 : 0) + (filters.available ? 1 : 0) + (filters.openNow ? 1 : 0);

  const toggleStandard = (s: string) =>
    onChange({
      ...filters,
      standards: filters.standards.includes(s) ? filters.standards.filter((x) => x !== s) : [...filters.standards, s],
    });

  return (
    <section className="search" aria-label="Search charging stations">
      <form
        className="search-row"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ ...filters, q: text });
        }}
      >
        <label className="search-input">
          <span className="visually-hidden">Search by name, street or city</span>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path
              d="M10.5 3a7.5 7.5 0 0 1 5.9 12.1l4.3 4.3-1.4 1.4-4.3-4.3A7.5 7.5 0 1 1 10.5 3Zm0 2a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11Z"
              fill="currentColor"
            />
          </svg>
          <input
            type="search"
            value={text}
            placeholder="Name, street or city"
            onChange={(e) => setText(e.target.value)}
            data-testid="search-input"
            enterKeyHint="search"
          />
        </label>
        <button
          type="button"
          className={`btn btn-soft${open ? ' is-on' : ''}`}
          aria-expanded={open}
          aria-controls={filtersId}
          onClick={() => setOpen((o) => !o)}
          data-testid="filters-toggle"
        >
          Filters{activeCount > 0 && <span className="badge-count">{activeCount}</span>}
        </button>
        {onNearMe && (
          <button
            type="button"
            className={`btn btn-soft${geo.position ? ' is-on' : ''}`}
            onClick={onNearMe}
            disabled={geo.locating}
            data-testid="near-me"
            title="Show stations near my location"
            aria-label={geo.position ? 'Near me (on)' : 'Near me'}
          >
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
              <path
                d="M12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8Zm-1-7h2v3.06A8 8 0 0 1 19.94 11H23v2h-3.06A8 8 0 0 1 13 19.94V23h-2v-3.06A8 8 0 0 1 4.06 13H1v-2h3.06A8 8 0 0 1 11 4.06V1Zm1 5a6 6 0 1 0 0 12 6 6 0 0 0 0-12Z"
                fill="currentColor"
              />
            </svg>
            <span className="hide-xs">{geo.locating ? 'Locating…' : 'Near me'}</span>
          </button>
        )}
      </form>
      {geo.error && (
        <p className="hint warn" role="status">
          {geo.error}
        </p>
      )}
      {open && (
        <div className="filters" id={filtersId} data-testid="filters">
          <fieldset>
            <legend>Connector</legend>
            <div className="chips">
              {searchableStandards.map((s) => (
                <button
                  key={s}
                  type="button"
                  className="chip"
                  aria-pressed={filters.standards.includes(s)}
                  onClick={() => toggleStandard(s)}
                  data-testid={`filter-standard-${s}`}
                >
                  {standardName(s)}
                </button>
              ))}
            </div>
          </fieldset>
          <fieldset>
            <legend>Minimum power</legend>
            <div className="chips">
              {powerSteps.map((kw) => (
                <button
                  key={kw}
                  type="button"
                  className="chip"
                  aria-pressed={(filters.minPowerKw ?? 0) === kw}
                  onClick={() => onChange({ ...filters, minPowerKw: kw || null })}
                  data-testid={`filter-power-${kw}`}
                >
                  {kw ? `${kw}+ kW` : 'Any'}
                </button>
              ))}
            </div>
          </fieldset>
          <div className="switches">
            <label className="switch">
              <input
                type="checkbox"
                checked={filters.available}
                onChange={(e) => onChange({ ...filters, available: e.target.checked })}
                data-testid="filter-available"
              />
              <span>Available now</span>
            </label>
            <label className="switch">
              <input
                type="checkbox"
                checked={filters.openNow}
                onChange={(e) => onChange({ ...filters, openNow: e.target.checked })}
                data-testid="filter-open-now"
              />
              <span>Open now</span>
            </label>
            {activeCount > 0 && (
              <button
                type="button"
                className="btn btn-link"
                onClick={() =>
                  onChange({ ...filters, standards: [], minPowerKw: null, available: false, openNow: false })
                }
              >
                Clear filters
              </button>
            )}
          </div>
        </div>
      )}
      {summary && (
        <div className="search-summary" aria-live="polite">
          {summary}
        </div>
      )}
    </section>
  );
}
