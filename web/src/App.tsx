import { lazy, Suspense } from 'react';
import { BrowserRouter, Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { ConfigProvider } from './config.tsx';
import { SessionProvider, useSession } from './features/account/session.tsx';
import { GeoProvider } from './features/search/geo.tsx';
import { ResetPasswordPage, SignInPage, SignUpPage } from './routes/AuthPages.tsx';
import { ListPage } from './routes/ListPage.tsx';
import { StationPage } from './routes/StationPage.tsx';
import { Spinner } from './ui/Spinner.tsx';

// The map pulls in MapLibre and the world outlines (~2 MB): load it only on the map route.
const MapPage = lazy(() => import('./routes/MapPage.tsx'));
const ChargeStartPage = lazy(() => import('./routes/ChargeStartPage.tsx'));
const LiveChargePage = lazy(() => import('./routes/LiveChargePage.tsx'));
const AccountPage = lazy(() => import('./routes/AccountPage.tsx'));
const AdminShell = lazy(() => import('./features/admin/AdminShell.tsx'));
const AdminProvidersPage = lazy(() => import('./routes/AdminProvidersPage.tsx'));
const AdminPaymentsPage = lazy(() =>
  import('./routes/admin/AdminPaymentsPage.tsx').then((m) => ({ default: m.AdminPaymentsPage })),
);
const AdminPaymentPage = lazy(() =>
  import('./routes/admin/AdminPaymentsPage.tsx').then((m) => ({ default: m.AdminPaymentPage })),
);
const AdminChargesPage = lazy(() =>
  import('./routes/admin/AdminChargesPage.tsx').then((m) => ({ default: m.AdminChargesPage })),
);
const AdminChargePage = lazy(() =>
  import('./routes/admin/AdminChargesPage.tsx').then((m) => ({ default: m.AdminChargePage })),
);
const AdminPartnersPage = lazy(() =>
  import('./routes/admin/AdminPartnersPage.tsx').then((m) => ({ default: m.AdminPartnersPage })),
);
const AdminDisputesPage = lazy(() =>
  import('./routes/admin/AdminDisputesPage.tsx').then((m) => ({ default: m.AdminDisputesPage })),
);
const AdminMailsPage = lazy(() =>
  import('./routes/admin/AdminMailsPage.tsx').then((m) => ({ default: m.AdminMailsPage })),
);
const AdminMailPage = lazy(() =>
  import('./routes/admin/AdminMailsPage.tsx').then((m) => ({ default: m.AdminMailPage })),
);

function AccountLink() {
  const { driver } = useSession();
  if (driver === undefined) return null;
  return driver ? (
    <NavLink to="/account" data-testid="nav-account">
      Account
    </NavLink>
  ) : (
    <NavLink to="/signin" data-testid="nav-signin">
      Sign in
    </NavLink>
  );
}

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
        <AccountLink />
        <NavLink to="/admin/payments" className="nav-admin" data-testid="nav-admin">
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
        <SessionProvider>
          <BrowserRouter>
            <div className="app">
              <Header />
              <Suspense fallback={<Spinner label="Loading…" />}>
                <Routes>
                  <Route path="/" element={<MapPage />} />
                  <Route path="/list" element={<ListPage />} />
                  <Route path="/stations/:locationId" element={<StationPage />} />
                  <Route path="/c/:evseId" element={<ChargeStartPage />} />
                  <Route path="/charges/:id" element={<LiveChargePage />} />
                  <Route path="/signin" element={<SignInPage />} />
                  <Route path="/signup" element={<SignUpPage />} />
                  <Route path="/reset-password" element={<ResetPasswordPage />} />
                  <Route path="/account" element={<AccountPage />} />
                  <Route path="/admin" element={<AdminShell />}>
                    <Route index element={<Navigate to="/admin/payments" replace />} />
                    <Route path="providers" element={<AdminProvidersPage />} />
                    <Route path="payments" element={<AdminPaymentsPage />} />
                    <Route path="payments/:id" element={<AdminPaymentPage />} />
                    <Route path="charges" element={<AdminChargesPage />} />
                    <Route path="charges/:id" element={<AdminChargePage />} />
                    <Route path="partners" element={<AdminPartnersPage />} />
                    <Route path="disputes" element={<AdminDisputesPage />} />
                    <Route path="mails" element={<AdminMailsPage />} />
                    <Route path="mails/:id" element={<AdminMailPage />} />
                  </Route>
                  <Route path="*" element={<NotFound />} />
                </Routes>
              </Suspense>
            </div>
          </BrowserRouter>
        </SessionProvider>
      </GeoProvider>
    </ConfigProvider>
  );
}
