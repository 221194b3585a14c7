// Deployment settings for the web app: window.__LATAUS_CONFIG__ (set by a host page) wins over GET /api/v1/config.
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { type AppConfig, api } from './api.ts';
import { setMoneyLocale } from './format.ts';

declare global {
  interface Window {
    __LATAUS_CONFIG__?: Partial<{ mapStyleUrl: string | null; currencyLocale: string }>;
  }
}

export interface WebConfig extends AppConfig {
  loaded: boolean;
}

const defaults: WebConfig = { map_style_url: null, admin_token_hint: null, currency_locale: 'de-DE', loaded: false };

const ConfigContext = createContext<WebConfig>(defaults);

export function ConfigProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<WebConfig>(defaults);
  useEffect(() => {
    const ctrl = new AbortController();
    const host = window.__LATAUS_CONFIG__ ?? {};
    api
      .config(ctrl.signal)
      .catch(() => defaults)
      .then((c) => {
        if (ctrl.signal.aborted) return;
        const merged: WebConfig = {
          map_style_url: host.mapStyleUrl ?? c.map_style_url ?? null,
          admin_token_hint: c.admin_token_hint ?? null,
          currency_locale: host.currencyLocale ?? c.currency_locale ?? defaults.currency_locale,
          loaded: true,
        };
        setMoneyLocale(merged.currency_locale);
        setConfig(merged);
      });
    return () => ctrl.abort();
  }, []);
  return <ConfigContext.Provider value={config}>{children}</ConfigContext.Provider>;
}

export function useConfig(): WebConfig {
  return useContext(ConfigContext);
}
