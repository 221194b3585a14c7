// The driver's position from "Near me", shared by the map and the list for this visit.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

export interface Position {
  lat: number;
  lon: number;
}

interface GeoState {
  position: Position | null;
  locating: boolean;
  error: string | null;
  locate: () => Promise<Position | null>;
  clear: () => void;
}

const GeoContext = createContext<GeoState | null>(null);

const storageKey = 'lataus.position';

function stored(): Position | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as Position | null;
    return v && Number.isFinite(v.lat) && Number.isFinite(v.lon) ? v : null;
  } catch {
    return null;
  }
}

export function GeoProvider({ children }: { children: ReactNode }) {
  const [position, setPosition] = useState<Position | null>(stored);
  const [locating, setLocating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const locate = useCallback(async (): Promise<Position | null> => {
    if (!('geolocation' in navigator)) {
      setError('Your browser cannot share your location.');
      return null;
    }
    setLocating(true);
    setError(null);
    try {
      const pos = await new Promise<GeolocationPosition>((resolve, reject) =>
        navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: false, timeout: 10_000 }),
      );
      const p = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      sessionStorage.setItem(storageKey, JSON.stringify(p));
      setPosition(p);
      return p;
    } catch (e) {
      const denied = (e as GeolocationPositionError).code === 1;
      setError(denied ? 'Location access was denied.' : 'Your location could not be found.');
      return null;
    } finally {
      setLocating(false);
    }
  }, []);

  const clear = useCallback(() => {
    sessionStorage.removeItem(storageKey);
    setPosition(null);
  }, []);

  const value = useMemo(
    () => ({ position, locating, error, locate, clear }),
    [position, locating, error, locate, clear],
  );
  return <GeoContext.Provider value={value}>{children}</GeoContext.Provider>;
}

export function useGeo(): GeoState {
  const g = useContext(GeoContext);
  if (!g) throw new Error('useGeo outside GeoProvider');
  return g;
}
