-- Charging: one row per driver's attempt at one EVSE connector (docs/charging.md), and the drivers' virtual cards.
-- Amounts are integer minor units; prices and proofs are JSON with decimal strings at full precision.

create table charges (
  id uuid primary key,
  -- one charge per start tap: a repeated POST with the same key returns the same charge
  idempotency_key text not null unique,
  -- null for an ad-hoc charge (no account)
  driver_id uuid references drivers(id),
  email text not null,
  -- SHA-256 (hex) of the ad-hoc charge's access token (the `?t=` of its page); null for registered drivers
  access_token_hash text,
  country_code varchar(2) not null,
  party_id varchar(3) not null,
  location_id text not null,
  evse_uid text not null,
  evse_id text not null,
  connector_id text not null,
  status text not null,
  -- [{status, at, note?}] in order
  status_history jsonb not null default '[]',
  failure_code text,
  failure_reason text,
  -- back-office flags, e.g. CDR_OVERDUE, PAYMENT_FAILED, ZERO_KWH, SESSION_AFTER_FAILURE
  flags text[] not null default '{}',
  currency char(3) not null,
  hold_minor bigint not null,
  -- the live payment (the latest attempt after a "pay again") and how many attempts there were
  payment_id uuid,
  payment_attempt int not null default 1,
  -- masked card for the receipt ({brand, last4})
  card jsonb,
  -- the OCPI token the charge started with and the authorization_reference of our START_SESSION
  token_uid text not null,
  token_type text not null,
  authorization_reference text not null unique,
  -- set by the one process that sends START_SESSION (a claim: never two commands for one charge)
  start_sent_at timestamptz,
  start_command_id uuid,
  stop_command_id uuid,
  ocpi_session_id text,
  cdr_id text,
  -- what the driver was shown before the start: tariff snapshot, time zone, summary, markup, estimate, hold
  offer jsonb not null,
  kwh numeric not null default 0,
  -- the last Session the CPO sent (live view)
  session jsonb,
  -- what we owe the CPO and what the driver pays, each with the tariff engine's price proof
  cpo_price jsonb,
  driver_price jsonb,
  amount_minor bigint,
  invoice_number text,
  -- set while the receipt mail is still to be queued (the invoice download token until then)
  receipt_mail jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  stopped_at timestamptz,
  finished_at timestamptz,
  priced_at timestamptz,
  paid_at timestamptz
);
create index charges_driver on charges (driver_id, created_at desc) where driver_id is not null;
create index charges_status on charges (status, updated_at);
create index charges_session on charges (country_code, party_id, ocpi_session_id) where ocpi_session_id is not null;
create index charges_open on charges (updated_at)
  where status in ('AUTHORIZING', 'REDIRECT', 'STARTING', 'CHARGING', 'STOPPING', 'FINISHED', 'CDR_PENDING', 'PRICED')
     or receipt_mail is not null;
create index charges_created on charges (created_at desc);

-- One APP_USER token per registered driver, pushed to every connected CPO (roaming module's ocpi_tokens).
create table virtual_cards (
  driver_id uuid primary key references drivers(id),
  uid text not null unique,
  contract_id text not null unique,
  created_at timestamptz not null default now()
);
