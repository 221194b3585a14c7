// The signed-in driver (cookie session): loaded once from GET /api/v1/me, refreshed after sign in/out.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { accountApi, type Driver } from '../../driver-api.ts';

interface SessionState {
  /** undefined while loading; null when signed out. */
  driver: Driver | null | undefined;
  refresh(): Promise<Driver | null>;
  setDriver(d: Driver | null): void;
}

const SessionContext = createContext<SessionState>({
  driver: null,
  refresh: async () => null,
  setDriver: () => undefined,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [driver, setDriver] = useState<Driver | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    // 401 (signed out) or any failure counts as signed out; the pages still work without an account.
    const d = await accountApi.me().catch(() => null);
    setDriver(d);
    return d;
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <SessionContext.Provider value={{ driver, refresh, setDriver }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}
