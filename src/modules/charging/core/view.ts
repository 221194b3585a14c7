// What the driver's page (and the back office) sees of a charge (pure mapping from the stored row).
import { liveCost, type PricingPeriod, type Tariff } from '../../tariffs/index.ts';
import type { Offer } from './offer.ts';
import { type DriverFinalPrice, type MarkupConfig, major, markUpAmount, minorToMajor } from './pricing.ts';
import { type ChargeStatus, STATUS_TEXT } from './status.ts';

export interface ChargeRecord {
  id: string;
  driver_id: string | null;
  email: string;
  status: ChargeStatus;
  status_history: unknown;
  failure_code: string | null;
  failure_reason: string | null;
  flags: string[];
  currency: string;
  hold_minor: number;
  payment_id: string | null;
  evse_id: string;
  connector_id: string;
  offer: Offer;
  kwh: string;
  session: SessionSnapshot | null;
  cpo_price: unknown;
  driver_price: DriverFinalPrice | null;
  amount_minor: number | null;
  invoice_number: string | null;
  started_at: Date | null;
  stopped_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
  created_at: Date;
}

export interface SessionSnapshot {
  id: string;
  status: string;
  start_date_time: string;
  end_date_time?: string | null;
  kwh: number;
  currency: string;
  charging_periods?: PricingPeriod[];
  last_updated: string;
}

export interface PaymentSummary {
  state: string;
  held_minor: number;
  captured_minor: number;
}

export interface ChargeView {
  id: string;
  status: ChargeStatus;
  status_text: string;
  failure_reason: string | null;
  evse_id: string;
  connector_id: string;
  location_name: string;
  address: string;
  started_at: string | null;
  stopped_at: string | null;
  kwh: string;
  duration_s: number;
  cost_so_far: { incl_vat: string; currency: string; at_least: boolean } | null;
  final: { excl_vat: string; incl_vat: string; currency: string } | null;
  payment: PaymentSummary | null;
  receipt_url: string | null;
  pay_again_url: string | null;
  updated_at: string;
}

const LIVE: ReadonlySet<ChargeStatus> = new Set(['CHARGING', 'STOPPING', 'FINISHED', 'CDR_PENDING']);

/** The cost so far of a live session: liveCost with the offer's tariff, marked up (AT_LEAST). */
export function costSoFar(
  session: SessionSnapshot,
  tariff: Tariff,
  timeZone: string,
  markup: MarkupConfig,
  now: Date,
): { incl_vat: string; currency: string; at_least: boolean } | null {
  const periods = session.charging_periods ?? [];
  const last = periods.at(-1)?.start_date_time;
  const end = session.end_date_time ?? null;
  // The CPO's clock may run ahead of ours (simulators): never price "now" before the last period started.
  let at = end ? new Date(end) : now;
  if (last && Date.parse(last) > at.getTime()) at = new Date(Date.parse(last) + 1000);
  if (periods.length === 0) {
    const flat = markUpAmount({ excl_vat: '0', incl_vat: '0' }, markup);
    return { incl_vat: major(flat.incl_vat, tariff.currency), currency: tariff.currency, at_least: true };
  }
  const r = liveCost({
    session: { start_date_time: session.start_date_time, charging_periods: periods, currency: session.currency },
    tariffs: [tariff],
    timeZone,
    at,
  });
  if (!r.ok) return null;
  const d = markUpAmount(r.result.total_cost, markup);
  return { incl_vat: major(d.incl_vat, r.result.currency), currency: r.result.currency, at_least: true };
}

export function toChargeView(
  r: ChargeRecord,
  x: {
    now: Date;
    payment: PaymentSummary | null;
    receiptUrl: string | null;
    payAgainUrl: string | null;
  },
): ChargeView {
  const start = r.session?.start_date_time ?? r.started_at?.toISOString() ?? null;
  const stop = r.session?.end_date_time ?? r.stopped_at?.toISOString() ?? null;
  const endMs = stop ? Date.parse(stop) : LIVE.has(r.status) ? x.now.getTime() : start ? Date.parse(start) : 0;
  const duration = start ? Math.max(0, Math.round((endMs - Date.parse(start)) / 1000)) : 0;
  let cost: ChargeView['cost_so_far'] = null;
  if (r.session && r.offer.tariff && (r.status === 'CHARGING' || r.status === 'STOPPING' || LIVE.has(r.status)))
    cost = costSoFar(r.session, r.offer.tariff, r.offer.location.time_zone, r.offer.markup, x.now);
  const dp = r.driver_price;
  const final =
    dp && r.amount_minor !== null
      ? {
          excl_vat: minorToMajor(dp.totals.net, r.currency),
          incl_vat: minorToMajor(r.amount_minor, r.currency),
          currency: r.currency,
        }
      : null;
  return {
    id: r.id,
    status: r.status,
    status_text:
      r.status === 'PAYMENT_FAILED' && r.flags.includes('CAPTURE_OUTCOME_UNKNOWN')
        ? 'Payment not confirmed yet. Please do not pay again.'
        : STATUS_TEXT[r.status],
    failure_reason: r.failure_reason,
    evse_id: r.evse_id,
    connector_id: r.connector_id,
    location_name: r.offer.location.name,
    address: `${r.offer.location.address}, ${r.offer.location.city}`,
    started_at: start ? new Date(start).toISOString() : null,
    stopped_at: stop ? new Date(stop).toISOString() : null,
    kwh: r.kwh,
    duration_s: duration,
    cost_so_far: cost,
    final,
    payment: x.payment,
    receipt_url: x.receiptUrl,
    pay_again_url: x.payAgainUrl,
    updated_at: r.updated_at.toISOString(),
  };
}
