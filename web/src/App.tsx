import { lazy, Suspense } from 'react';
import { BrowserRouter, Link, NavLink, Route, Routes, useLocation } from 'react-router';
import { ConfigProvider } from './config.tsx';
import { GeoProvider } from './features/search/geo.tsx';
import { ListPage } from './routes/ListPage.tsx';
import { StationPage } from './routes/StationPage.tsx';
import { Spinner } from './ui/Spinner.tsx';

// The map pulls in MapLibre and the world outlines (~2 MB): load it only on the map route.
const MapPage = lazy(() => import('./routes/MapPage.tsx'));
const AdminProvidersPage = lazy(() => import('./routes/AdminProvidersPage.tsx'));

function Header() {
  const { search, pathname } = useLocation();
  // Map and list share the search filters through the query string.
  const keep = pathname === '/' || pathname === '/list' ? search : '';
  return (
    <header className="app-header">
      <Link to="/" className="brand" aria-label="Lataus home">
        <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
          <rect width="32" height="32" rx="8" fill="currentColor" />
          <path d="M18 4 8 18h7l-2 10 11-15h-7z" fill="#34d399" />
        </svg>
        <span>Lataus</span>
      </Link>
      <nav className="main-nav" aria-label="Main">
        <NavLink to={{ pathname: '/', search: keep }} end data-testid="nav-map">
          Map
        </NavLink>
        <NavLink to={{ pathname: '/list', search: keep }} data-testid="nav-list">
          List
        </NavLink>
        <NavLink to="/admin/providers" className="nav-admin" data-testid="nav-admin">
          Back office
        </NavLink>
      </nav>
    </header>
  );
}

function NotFound() {
  return (
    <main className="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Back to the map</Link>
      </p>
    </main>
  );
}

export function App() {
  return (
    <ConfigProvider>
      <GeoProvider>
        <BrowserRouter>
          <div className="app">
            <Header />
            <Suspense fallback={<Spinner label="Loading…" />}>
              <Routes>
                <Route path="/" element={<MapPage />} />
                <Route path="/list" element={<ListPage />} />
                <Route path="/stations/:locationId" element={<StationPage />} />
                <Route path="/admin/providers" element={<AdminProvidersPage />} />
                <Route path="*" element={<NotFound />} />
              </Routes>
            </Suspense>
          </div>
        </BrowserRouter>
      </GeoProvider>
    </ConfigProvider>
  );
}
