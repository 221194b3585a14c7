-- Payments through PAYONE: one payment per charging session (later per invoice), its outbox of PSP calls,
-- its event log, the raw TransactionStatus notifications, and stored cards (pseudo card PANs only).

create table payments (
  id uuid primary key,
  session_ref text not null,
  owner_ref text,
  -- PAYONE `reference`: unique per portal, 1..20 of [0-9a-zA-Z._-/]
  reference varchar(20) not null unique,
  currency char(3) not null,
  state text not null,
  amount_requested bigint not null,
  amount_authorized bigint not null default 0,
  amount_captured bigint not null default 0,
  amount_refunded bigint not null default 0,
  txid text,
  -- all facts of the state machine (src/modules/payments/core/payment.ts); state is derived from them
  facts jsonb not null,
  card jsonb,
  failed_step text,
  failure_code text,
  failure_message text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- at most one live payment per charging session
create unique index payments_session_live on payments (session_ref) where state not in ('failed', 'released');
create index payments_state on payments (state, created_at desc);
create index payments_txid on payments (txid) where txid is not null;

-- Outbox of PSP calls, run by a worker with FOR UPDATE SKIP LOCKED and a lease (locked_until).
create table payment_jobs (
  id bigserial primary key,
  payment_id uuid not null references payments(id),
  kind text not null, -- preauthorize | capture | refund
  idempotency_key text not null unique,
  payload jsonb not null,
  status text not null default 'pending', -- pending | done | failed
  attempts int not null default 0,
  next_run_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index payment_jobs_due on payment_jobs (next_run_at) where status = 'pending';
create index payment_jobs_payment on payment_jobs (payment_id);

-- Every request (secrets masked), response, notification and state change, per payment.
create table payment_events (
  id bigserial primary key,
  payment_id uuid references payments(id),
  type text not null, -- request | response | notification | transition | rejected | note
  name text not null,
  state_before text,
  state_after text,
  latency_ms double precision,
  data jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index payment_events_payment on payment_events (payment_id, id);

-- TransactionStatus notifications, stored raw before TSOK is answered; processed later by the worker.
create table payone_notifications (
  id bigserial primary key,
  raw_body text not null, -- the request bytes read as Latin-1 (lossless)
  content_type text,
  remote_ip text,
  fields jsonb not null,
  txid text,
  reference text,
  txaction text,
  sequencenumber int,
  transaction_status text,
  dedupe_key text not null,
  status text not null default 'received', -- received | processed | duplicate | unknown_reference | rejected | ignored
  payment_id uuid,
  detail text,
  received_at timestamptz not null default now(),
  processed_at timestamptz
);
create index payone_notifications_todo on payone_notifications (id) where status = 'received';
create index payone_notifications_dedupe on payone_notifications (dedupe_key);

-- OneClick: cards a customer chose to keep. Only PAYONE pseudo card PANs and masked numbers, never a PAN or CVC.
create table stored_cards (
  id uuid primary key,
  owner_ref text not null,
  pseudocardpan text not null,
  masked_pan text not null,
  brand text not null,
  expiry char(4) not null, -- YYMM as PAYONE sends it
  is_default boolean not null default false,
  created_at timestamptz not null default now(),
  unique (owner_ref, pseudocardpan)
);
create unique index stored_cards_one_default on stored_cards (owner_ref) where is_default;
