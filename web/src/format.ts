// Display formatting: money (decimal strings, formatted only, never computed with), connector names, hours, distance.
import type { ConnectorGroup, EvseStatus, OcpiHours, Price, PriceSummary } from './api.ts';

let moneyLocale = 'de-DE';
/** UI words are English; numbers and money follow the deployment's currency locale. */
export const uiLocale = 'en-GB';

export function setMoneyLocale(locale: string): void {
  try {
    new Intl.NumberFormat(locale);
    moneyLocale = locale;
  } catch {
    // keep the default when the server names a locale this browser does not know
  }
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Formats a decimal string such as "0.4500" as "0,45 €" (up to 4 decimals when the price has them). */
export function formatMoney(amount: string, currency: string): string {
  const key = `${moneyLocale}|${currency}`;
  let nf = moneyFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(moneyLocale, {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 4,
    });
    moneyFormats.set(key, nf);
  }
  // Intl.NumberFormat v3 formats a decimal string exactly; no float conversion of the amount happens here.
  return nf.format(amount as Intl.StringNumericLiteral);
}

export function formatVatRate(vat: string | null): string {
  if (vat === null) return 'VAT rate not stated';
  const n = new Intl.NumberFormat(moneyLocale, { maximumFractionDigits: 2 }).format(vat as Intl.StringNumericLiteral);
  return `incl. ${n} % VAT`;
}

export function formatNumber(n: number, maxFractionDigits = 0): string {
  return new Intl.NumberFormat(moneyLocale, { maximumFractionDigits: maxFractionDigits }).format(n);
}

export function formatKw(kw: number): string {
  return `${formatNumber(kw, 1)} kW`;
}

export interface PricePart {
  key: string;
  text: string;
}

/** The parts of a price line, e.g. ["0,45 €/kWh", "6,00 €/h", "start 1,00 €"], all incl. VAT. */
export function priceParts(p: PriceSummary): PricePart[] {
  const m = (price: Price) => formatMoney(price.incl_vat, p.currency);
  const parts: PricePart[] = [];
  if (p.energy_per_kwh) parts.push({ key: 'energy', text: `${m(p.energy_per_kwh)}/kWh` });
  if (p.time_per_hour) parts.push({ key: 'time', text: `${m(p.time_per_hour)}/h charging` });
  if (p.parking_per_hour) parts.push({ key: 'parking', text: `${m(p.parking_per_hour)}/h parking` });
  if (p.flat) parts.push({ key: 'flat', text: `start ${m(p.flat)}` });
  if (p.min_price) parts.push({ key: 'min', text: `min. ${m(p.min_price)}` });
  if (p.max_price) parts.push({ key: 'max', text: `max. ${m(p.max_price)}` });
  if (parts.length === 0) parts.push({ key: 'free', text: 'Free of charge' });
  return parts;
}

export function priceLine(p: PriceSummary | null): string {
  if (!p) return 'Price not published by the operator';
  return priceParts(p)
    .map((x) => x.text)
    .join(' · ');
}

/** The VAT rate of the first component that states one. */
export function priceVat(p: PriceSummary): string | null {
  for (const x of [p.energy_per_kwh, p.time_per_hour, p.flat, p.parking_per_hour, p.min_price, p.max_price]) {
    if (x?.vat != null) return x.vat;
  }
  return null;
}

const varyWords: Record<string, string> = {
  time_of_day: 'time of day',
  day_of_week: 'day of the week',
  date: 'date',
  power: 'charging power',
  duration: 'charging duration',
  energy: 'energy charged',
  current: 'current',
  reservation: 'reservation',
};

export function variesNote(p: PriceSummary | null, compact = false): string | null {
  if (!p || p.varies.length === 0) return null;
  // The server may send OCPI-style upper case (TIME_OF_DAY) or lower case (time_of_day).
  const words = p.varies.map((v) => v.toLowerCase()).map((v) => varyWords[v] ?? v.replaceAll('_', ' '));
  const list = new Intl.ListFormat(uiLocale, { type: 'conjunction' }).format(words);
  return compact ? `Varies by ${list}` : `Prices vary by ${list}; the price shown applies now.`;
}

const standardWords: Record<string, string> = {
  CHADEMO: 'CHAdeMO',
  CHAOJI: 'ChaoJi',
  IEC_62196_T1: 'Type 1',
  IEC_62196_T1_COMBO: 'CCS (Combo 1)',
  IEC_62196_T2: 'Type 2',
  IEC_62196_T2_COMBO: 'CCS (Combo 2)',
  IEC_62196_T3A: 'Type 3A',
  IEC_62196_T3C: 'Type 3C',
  GBT_AC: 'GB/T AC',
  GBT_DC: 'GB/T DC',
  TESLA_R: 'Tesla Roadster',
  TESLA_S: 'Tesla (NACS)',
  DOMESTIC_F: 'Schuko (CEE 7/4)',
  DOMESTIC_E: 'French socket (CEE 7/5)',
  DOMESTIC_G: 'UK socket (BS 1363)',
  DOMESTIC_J: 'Swiss socket (Type J)',
  IEC_60309_2_single_16: 'CEE blue 16 A',
  IEC_60309_2_three_16: 'CEE red 16 A',
  IEC_60309_2_three_32: 'CEE red 32 A',
  IEC_60309_2_three_64: 'CEE red 64 A',
  PANTOGRAPH_BOTTOM_UP: 'Pantograph (bottom-up)',
  PANTOGRAPH_TOP_DOWN: 'Pantograph (top-down)',
};

export function standardName(standard: string): string {
  return standardWords[standard] ?? standard.replaceAll('_', ' ');
}

/** The connector standards offered in the search filter (OCPI ConnectorType values). */
export const searchableStandards = [
  'IEC_62196_T2_COMBO',
  'IEC_62196_T2',
  'CHADEMO',
  'IEC_62196_T1_COMBO',
  'IEC_62196_T1',
  'DOMESTIC_F',
];

export function powerTypeName(powerType: string): string {
  switch (powerType) {
    case 'DC':
      return 'DC';
    case 'AC_1_PHASE':
      return 'AC single-phase';
    case 'AC_2_PHASE':
    case 'AC_2_PHASE_SPLIT':
      return 'AC two-phase';
    case 'AC_3_PHASE':
      return 'AC three-phase';
    default:
      return powerType;
  }
}

export function isDc(powerType: string): boolean {
  return powerType === 'DC';
}

export function connectorSummary(groups: ConnectorGroup[]): string {
  return groups.map((g) => `${g.count}× ${standardName(g.standard)} ${formatKw(g.max_power_kw)}`).join(', ');
}

export const evseStatusWords: Record<EvseStatus, string> = {
  AVAILABLE: 'Available',
  BLOCKED: 'Blocked',
  CHARGING: 'Charging',
  INOPERATIVE: 'Inoperative',
  OUTOFORDER: 'Out of order',
  PLANNED: 'Planned',
  REMOVED: 'Removed',
  RESERVED: 'Reserved',
  UNKNOWN: 'Unknown',
};

export type Tone = 'ok' | 'busy' | 'off';

export function evseTone(status: EvseStatus): Tone {
  if (status === 'AVAILABLE') return 'ok';
  if (status === 'CHARGING' || status === 'BLOCKED' || status === 'RESERVED') return 'busy';
  return 'off';
}

export function availabilityTone(a: { available: number; charging: number; blocked: number; total: number }): Tone {
  if (a.available > 0) return 'ok';
  if (a.charging + a.blocked > 0) return 'busy';
  return 'off';
}

export function formatDistance(m: number | null): string | null {
  if (m === null || !Number.isFinite(m)) return null;
  if (m < 1000) return `${Math.round(m / 10) * 10} m`;
  return `${formatNumber(m / 1000, m < 10_000 ? 1 : 0)} km`;
}

const weekdayNames = Array.from({ length: 7 }, (_, i) =>
  // 2024-01-01 was a Monday; OCPI weekday 1 = Monday.
  new Intl.DateTimeFormat(uiLocale, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + i)),
);

export function weekdayName(weekday: number): string {
  return weekdayNames[weekday - 1] ?? String(weekday);
}

export interface DayHours {
  weekday: number;
  name: string;
  periods: string[];
}

/** Regular hours grouped by weekday (Monday first); a day without periods is closed. */
export function weeklyHours(h: OcpiHours): DayHours[] {
  return Array.from({ length: 7 }, (_, i) => {
    const weekday = i + 1;
    const periods = (h.regular_hours ?? [])
      .filter((r) => r.weekday === weekday)
      .sort((a, b) => a.period_begin.localeCompare(b.period_begin))
      .map((r) => `${r.period_begin}–${r.period_end}`);
    return { weekday, name: weekdayName(weekday), periods };
  });
}

export function formatPeriod(begin: string, end: string, timeZone: string | null): string {
  const opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  if (timeZone) opts.timeZone = timeZone;
  try {
    const f = new Intl.DateTimeFormat(uiLocale, opts);
    return f.formatRange(new Date(begin), new Date(end));
  } catch {
    return `${begin} – ${end}`;
  }
}

export function hoursShort(h: OcpiHours | null): string | null {
  if (!h) return null;
  if (h.twentyfourseven) return 'Open 24/7';
  return null;
}

/** Integer minor units (e.g. 5000) as money ("50,00 €"), without float arithmetic. */
export function formatMinor(minor: number, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // unknown currency code: assume cents
  }
  const neg = minor < 0;
  const s = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const dec = digits ? `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}` : s;
  return formatMoney(`${neg ? '-' : ''}${dec}`, currency);
}

/** 4 312 s → "1 h 11 min"; 754 s → "12 min"; 312 s → "5 min 12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m >= 10) return `${m} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

export function formatKwh(kwh: string): string {
  const n = Number(kwh);
  if (!Number.isFinite(n)) return `${kwh} kWh`;
  return `${new Intl.NumberFormat(moneyLocale, { minimumFractionDigits: 2, maximumFractionDigits: 3 }).format(n)} kWh`;
}

export function formatDateTime(iso: string | null | undefined, timeZone?: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(uiLocale, {
      dateStyle: 'medium',
      timeStyle: 'medium',
      ...(timeZone ? { timeZone } : {}),
    }).format(d);
  } catch {
    return d.toISOString();
  }
}
