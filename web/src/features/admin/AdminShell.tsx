// The back office frame: one admin token (kept in this browser, sent as a Bearer token) and a navigation shared by
// every back-office page.
import { createContext, useContext, useEffect, useId, useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import { ApiError } from '../../api.ts';
import { useConfig } from '../../config.tsx';

const tokenKey = 'lataus.adminToken';

const AdminTokenContext = createContext<string>('');

export function useAdminToken(): string {
  return useContext(AdminTokenContext);
}

export function adminProblemText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401 || e.status === 403) return 'The admin token was not accepted.';
    if (e.status === 404 && e.problem.code === 'ROUTE_NOT_FOUND')
      return 'This part of the back office is not available on this server yet.';
    return [e.problem.title, e.problem.detail].filter(Boolean).join(': ');
  }
  return e instanceof Error ? e.message : 'Something went wrong.';
}

function TokenField({ token, onChange }: { token: string; onChange: (t: string) => void }) {
  const [show, setShow] = useState(false);
  const id = useId();
  return (
    <div className="field token-field">
      <label htmlFor={id}>Admin token</label>
      <div className="input-row">
        <input
          id={id}
          type={show ? 'text' : 'password'}
          value={token}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          data-testid="admin-token"
        />
        <button type="button" className="btn btn-soft" onClick={() => setShow((s) => !s)}>
          {show ? 'Hide' : 'Show'}
        </button>
      </div>
      <p className="hint">Kept in this browser only. Sent as a Bearer token with each back office request.</p>
    </div>
  );
}

const sections = [
  ['payments', 'Payments'],
  ['charges', 'Charges'],
  ['partners', 'Partners'],
  ['disputes', 'Disputes'],
  ['mails', 'Mails'],
  ['providers', 'Providers'],
] as const;

export default function AdminShell() {
  const config = useConfig();
  const [token, setToken] = useState(() => localStorage.getItem(tokenKey) ?? '');
  useEffect(() => {
    if (!token && config.admin_token_hint) setToken(config.admin_token_hint);
  }, [config.admin_token_hint, token]);
  useEffect(() => {
    if (token) localStorage.setItem(tokenKey, token);
    else localStorage.removeItem(tokenKey);
  }, [token]);

  return (
    <AdminTokenContext.Provider value={token}>
      <div className="admin-shell">
        <nav className="admin-nav" aria-label="Back office" data-testid="admin-nav">
          {sections.map(([path, label]) => (
            <NavLink key={path} to={`/admin/${path}`} data-testid={`admin-nav-${path}`}>
              {label}
            </NavLink>
          ))}
        </nav>
        <details className="admin-token" open={!token}>
          <summary>{token ? 'Admin token set' : 'Enter the admin token'}</summary>
          <TokenField token={token} onChange={setToken} />
        </details>
        <Outlet />
      </div>
    </AdminTokenContext.Provider>
  );
}
