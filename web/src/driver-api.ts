// Typed wrappers for the driver journeys (ad-hoc charging, live charges, accounts) and the back office beyond
// providers. Shapes follow the charging contract, docs/payments.md, docs/ocpi.md, docs/identity.md and the mail
// module's admin API. Money stays a decimal string (or integer minor units where the API says so).
import { type DecimalString, type Price, type PriceSummary, request } from './api.ts';

// ---------- charging ----------

export interface ChargeConnector {
  id: string;
  standard: string;
  power_type: string;
  max_power_kw: number;
}

export interface ChargeOffer {
  evse: { evse_id: string; status: string; connectors: ChargeConnector[] };
  location: { id: string; name: string | null; address: string; city: string; time_zone: string | null };
  price: PriceSummary | null;
  markup: { percent: DecimalString; fee: Price | null };
  estimate: { assumption: string; total: { excl_vat: DecimalString; incl_vat: DecimalString }; lines: string[] };
  hold: { amount_minor: number; currency: string };
  can_start: boolean;
  reason: string | null;
}

/** What the hosted card page adds to the return URL. */
export interface CardToken {
  pseudocardpan: string;
  truncatedcardpan: string;
  cardtype: string;
  cardexpiredate: string;
}

export interface StartChargeBody {
  evse_id: string;
  connector_id: string;
  idempotency_key: string;
  email?: string;
  card?: CardToken;
  stored_card_id?: string;
  use_virtual_card?: boolean;
}

export interface StartedCharge {
  charge_id: string;
  access_token: string;
  status: ChargeStatus;
  redirect_url: string | null;
  charge_url: string;
}

export const CHARGE_STATUSES = [
  'AUTHORIZING',
  'REDIRECT',
  'STARTING',
  'CHARGING',
  'STOPPING',
  'FINISHED',
  'CDR_PENDING',
  'PRICED',
  'PAID',
  'PAYMENT_FAILED',
  'REFUNDED',
  'FAILED',
] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export interface ChargeView {
  id: string;
  status: ChargeStatus;
  status_text: string | null;
  failure_reason: string | null;
  evse_id: string;
  connector_id: string;
  location_name: string | null;
  address: string | null;
  started_at: string | null;
  stopped_at: string | null;
  kwh: DecimalString;
  duration_s: number;
  cost_so_far: { incl_vat: DecimalString; currency: string; at_least: boolean } | null;
  final: { excl_vat: DecimalString; incl_vat: DecimalString; currency: string } | null;
  payment: { state: string; held_minor: number; captured_minor: number } | null;
  receipt_url: string | null;
  pay_again_url: string | null;
  updated_at: string;
  /** Back office only (when the API adds them). */
  flags?: string[];
  /** A person should look at it (not for informational flags such as HOLD_LIMIT_STOP). */
  needs_attention?: boolean;
  email?: string | null;
  driver_id?: string | null;
  payment_id?: string | null;
  session_id?: string | null;
  created_at?: string;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

export const chargingApi = {
  offer: (evseId: string, signal?: AbortSignal) =>
    request<ChargeOffer>(`/api/v1/charge/${encodeURIComponent(evseId)}`, { signal }),
  cardPage: (returnUrl: string) => request<{ url: string }>('/api/v1/card-page', json({ return_url: returnUrl })),
  start: (body: StartChargeBody) => request<StartedCharge>('/api/v1/charges', json(body)),
  charge: (id: string, token: string | null, signal?: AbortSignal) =>
    request<ChargeView>(`/api/v1/charges/${encodeURIComponent(id)}${token ? `?t=${encodeURIComponent(token)}` : ''}`, {
      signal,
    }),
  stop: (id: string, token: string | null) =>
    request<unknown>(
      `/api/v1/charges/${encodeURIComponent(id)}/stop${token ? `?t=${encodeURIComponent(token)}` : ''}`,
      json({}),
    ),
};

// ---------- driver account ----------

export interface Driver {
  driver_id: string;
  email: string;
  name: string | null;
  created_at: string;
}

export interface StoredCard {
  id: string;
  masked_pan: string;
  brand: string;
  expiry: string;
  is_default: boolean;
  created_at: string;
}

export interface VirtualCard {
  uid: string;
  contract_id: string;
  type: string;
  valid: boolean;
  /** How many connected operators (CPOs) the card has been pushed to. */
  pushed_to: number;
}

export const accountApi = {
  me: (signal?: AbortSignal) => request<Driver>('/api/v1/me', { signal }),
  signUp: (b: { email: string; password: string; name?: string }) => request<Driver>('/api/v1/auth/signup', json(b)),
  signIn: (b: { email: string; password: string }) => request<Driver>('/api/v1/auth/signin', json(b)),
  signOut: () => request<null>('/api/v1/auth/signout', { method: 'POST' }),
  requestReset: (email: string) => request<{ message: string }>('/api/v1/auth/password-reset', json({ email })),
  confirmReset: (token: string, password: string) =>
    request<null>('/api/v1/auth/password-reset/confirm', json({ token, password })),
  cards: (signal?: AbortSignal) => request<{ items: StoredCard[] }>('/api/v1/me/cards', { signal }),
  addCard: (card: CardToken) => request<StoredCard>('/api/v1/me/cards', json(card)),
  deleteCard: (id: string) => request<null>(`/api/v1/me/cards/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  makeDefault: (id: string) => request<unknown>(`/api/v1/me/cards/${encodeURIComponent(id)}/default`, json({})),
  virtualCard: (signal?: AbortSignal) => request<VirtualCard>('/api/v1/me/virtual-card', { signal }),
  charges: (signal?: AbortSignal) => request<{ items: ChargeView[] }>('/api/v1/me/charges', { signal }),
};

// ---------- back office ----------

export interface PaymentAmounts {
  requested: number;
  authorized: number;
  captured: number;
  refunded: number;
}

export interface AdminPayment {
  id: string;
  session_ref: string;
  owner_ref: string | null;
  reference: string;
  state: string;
  currency: string;
  amounts: PaymentAmounts;
  txid: string | null;
  redirect_url: string | null;
  failed_step: string | null;
  failure: { code: string | null; message: string | null } | null;
  created_at: string;
  updated_at: string;
}

export interface PaymentEvent {
  id: string;
  type: 'request' | 'response' | 'notification' | 'transition' | 'rejected' | 'note' | string;
  name: string;
  state_before: string | null;
  state_after: string | null;
  latency_ms: number | null;
  data: unknown;
  created_at: string;
}

export interface SyncCursor {
  module: string;
  status: string;
  mode: string | null;
  last_success_at: string | null;
  synced_to: string | null;
  started_at: string | null;
  pages: number | null;
  objects: number | null;
  rejected: number | null;
  last_error: string | null;
}

export interface PartnerEvent {
  level: string;
  kind: string;
  message: string;
  at: string;
}

export interface Partner {
  id: string;
  name: string | null;
  status: string;
  initiated_by: string | null;
  versions_url: string | null;
  version: string | null;
  registered_at: string | null;
  parties: Array<{ country_code: string; party_id: string; role: string }>;
  sync: SyncCursor[];
  counts: Record<'locations' | 'evses' | 'tariffs' | 'sessions' | 'cdrs' | 'open_disputes', number>;
  recent_errors: PartnerEvent[];
  events?: PartnerEvent[];
}

export interface Dispute {
  id: string;
  country_code: string;
  party_id: string;
  cdr_id: string;
  partner_id: string | null;
  kind: string;
  status: string;
  currency: string;
  claimed_total_excl: string;
  expected_total_excl: string | null;
  difference_excl: string | null;
  differences: unknown;
  message: string;
  created_at: string;
  resolved_at: string | null;
}

export interface MailSummary {
  id: string;
  to: string;
  subject: string;
  status: string;
  created_at: string;
  sent_at: string | null;
  attempts: number;
  last_error: string | null;
}

export interface MailDetail extends MailSummary {
  from: string;
  next_attempt_at: string | null;
  message_id: string | null;
  text: string;
  html: string | null;
  attachments: Array<{ index: number; filename: string; content_type: string; size: number }>;
  attempt_log: Array<{
    attempt: number;
    started_at: string;
    finished_at: string;
    outcome: string;
    detail: string | null;
  }>;
}

const bearer = (token: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { Authorization: `Bearer ${token}`, ...init.headers },
});
const q = (params: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const adminApi = {
  payments: (token: string, state: string | undefined, signal?: AbortSignal) =>
    request<{ items: AdminPayment[] }>(`/api/v1/admin/payments${q({ state, limit: 200 })}`, bearer(token, { signal })),
  payment: (token: string, id: string, signal?: AbortSignal) =>
    request<AdminPayment & { timeline: PaymentEvent[] }>(
      `/api/v1/admin/payments/${encodeURIComponent(id)}`,
      bearer(token, { signal }),
    ),
  retryPayment: (token: string, id: string) =>
    request<AdminPayment>(`/api/v1/admin/payments/${encodeURIComponent(id)}/retry`, bearer(token, { method: 'POST' })),
  charges: (token: string, signal?: AbortSignal) =>
    request<{ items: ChargeView[] }>('/api/v1/admin/charges', bearer(token, { signal })),
  charge: (token: string, id: string, signal?: AbortSignal) =>
    request<ChargeView & Record<string, unknown>>(
      `/api/v1/admin/charges/${encodeURIComponent(id)}`,
      bearer(token, { signal }),
    ),
  partners: (token: string, signal?: AbortSignal) =>
    request<{ partners: Partner[] }>('/api/v1/admin/partners', bearer(token, { signal })),
  partner: (token: string, id: string, signal?: AbortSignal) =>
    request<{ partner: Partner }>(`/api/v1/admin/partners/${encodeURIComponent(id)}`, bearer(token, { signal })),
  registerPartner: (token: string, b: { versions_url: string; token: string; name?: string }) =>
    request<{ partner: Partner }>('/api/v1/admin/partners', bearer(token, json({ action: 'register', ...b }))),
  invitePartner: (token: string, name: string) =>
    request<{ partner: Partner; token_a: string; versions_url: string }>(
      '/api/v1/admin/partners',
      bearer(token, json({ action: 'invite', name })),
    ),
  syncPartner: (token: string, id: string) =>
    request<unknown>(`/api/v1/admin/partners/${encodeURIComponent(id)}/sync`, bearer(token, json({ mode: 'FULL' }))),
  suspendPartner: (token: string, id: string, suspend: boolean) =>
    request<{ partner: Partner }>(
      `/api/v1/admin/partners/${encodeURIComponent(id)}/${suspend ? 'suspend' : 'resume'}`,
      bearer(token, { method: 'POST' }),
    ),
  disputes: (token: string, status: 'OPEN' | 'RESOLVED' | 'ALL', signal?: AbortSignal) =>
    request<{ disputes: Dispute[] }>(`/api/v1/admin/cdr-disputes${q({ status })}`, bearer(token, { signal })),
  resolveDispute: (token: string, id: string) =>
    request<unknown>(`/api/v1/admin/cdr-disputes/${encodeURIComponent(id)}/resolve`, bearer(token, { method: 'POST' })),
  mails: (token: string, status: string | undefined, to: string | undefined, signal?: AbortSignal) =>
    request<{ total: number; items: MailSummary[] }>(
      `/api/v1/admin/mails${q({ status, to, limit: 200 })}`,
      bearer(token, { signal }),
    ),
  mail: (token: string, id: string, signal?: AbortSignal) =>
    request<MailDetail>(`/api/v1/admin/mails/${encodeURIComponent(id)}`, bearer(token, { signal })),
  /** Attachments need the bearer token, so they are fetched and handed to the browser as a blob. */
  async attachment(token: string, id: string, index: number): Promise<Blob> {
    const res = await fetch(`/api/v1/admin/mails/${encodeURIComponent(id)}/attachments/${index}`, bearer(token));
    if (!res.ok) throw new Error(`The attachment could not be downloaded (HTTP ${res.status}).`);
    return res.blob();
  },
};
