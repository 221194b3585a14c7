-- OCPI 2.2.1 roaming as an eMSP: partners and their credentials tokens, pull-sync cursors, sessions, CDRs
-- with their tariff audit and disputes, our tokens with their push outbox, commands, and partner events.

create table ocpi_partners (
  id uuid primary key,
  name text not null,
  -- PENDING (token A handed over, waiting for their POST) | REGISTERING | REGISTERED | SUSPENDED | UNREGISTERED
  status text not null,
  -- who sent the credentials POST: US (we registered with them) or THEM (they registered with us)
  initiated_by text not null,
  versions_url text,
  version text,
  endpoints jsonb not null default '[]',
  roles jsonb not null default '[]',
  -- the token we send to them (their token A, then C; or their B); never logged
  outgoing_token text,
  -- how we encode it: base64 (2.2.1) or plain (2.1.1/2.2 habits); per peer
  outgoing_token_encoding text not null default 'base64',
  registered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Tokens a partner uses to call us, stored as SHA-256 hashes. Kind A may only reach versions and credentials.
create table ocpi_partner_tokens (
  token_hash text primary key,
  partner_id uuid not null references ocpi_partners (id) on delete cascade,
  kind char(1) not null,
  created_at timestamptz not null default now(),
  -- set during a rotation so the previous token keeps working for a short while
  expires_at timestamptz
);
create index ocpi_partner_tokens_partner on ocpi_partner_tokens (partner_id);

-- The parties (credentials roles) a partner speaks for; URL country_code/party_id must be one of them.
create table ocpi_partner_parties (
  partner_id uuid not null references ocpi_partners (id) on delete cascade,
  country_code char(2) not null,
  party_id varchar(3) not null,
  role text not null,
  primary key (country_code, party_id, role)
);
create index ocpi_partner_parties_partner on ocpi_partner_parties (partner_id);

create table ocpi_partner_events (
  id bigserial primary key,
  partner_id uuid not null references ocpi_partners (id) on delete cascade,
  level text not null, -- info | error
  kind text not null,
  message text not null,
  at timestamptz not null default now()
);
create index ocpi_partner_events_partner on ocpi_partner_events (partner_id, id desc);

-- Pull sync per partner and module, resumable: next_url is persisted after every page.
create table ocpi_sync_cursors (
  partner_id uuid not null references ocpi_partners (id) on delete cascade,
  module text not null, -- locations | tariffs | sessions | cdrs
  status text not null default 'IDLE', -- IDLE | QUEUED | RUNNING | FAILED
  mode text not null default 'FULL', -- FULL | DELTA
  next_url text,
  window_from timestamptz,
  window_to timestamptz,
  synced_to timestamptz, -- high-water mark: the next delta starts here
  pages integer not null default 0,
  objects integer not null default 0,
  rejected integer not null default 0,
  attempts integer not null default 0,
  locked_until timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  primary key (partner_id, module)
);
create index ocpi_sync_cursors_due on ocpi_sync_cursors (status) where status in ('QUEUED', 'RUNNING');

create table ocpi_sessions (
  country_code char(2) not null,
  party_id varchar(3) not null,
  id varchar(36) not null,
  partner_id uuid references ocpi_partners (id) on delete set null,
  status text not null,
  token_uid text not null,
  location_id text not null,
  authorization_reference text,
  object jsonb not null,
  last_updated timestamptz not null,
  received_at timestamptz not null default now(),
  primary key (country_code, party_id, id)
);
create index ocpi_sessions_last_updated on ocpi_sessions (last_updated);
create index ocpi_sessions_auth_ref on ocpi_sessions (authorization_reference) where authorization_reference is not null;

create table ocpi_cdrs (
  country_code char(2) not null,
  party_id varchar(3) not null,
  id varchar(39) not null,
  partner_id uuid references ocpi_partners (id) on delete set null,
  session_id text,
  credit boolean not null default false,
  credit_reference_id text,
  currency char(3) not null,
  total_cost_excl numeric(18, 4) not null,
  object jsonb not null,
  last_updated timestamptz not null,
  received_at timestamptz not null default now(),
  -- PENDING | OK | DISPUTED | UNAUDITABLE | SKIPPED
  audit_status text not null default 'PENDING',
  audited_at timestamptz,
  primary key (country_code, party_id, id)
);
create index ocpi_cdrs_audit_pending on ocpi_cdrs (received_at) where audit_status = 'PENDING';
create index ocpi_cdrs_last_updated on ocpi_cdrs (last_updated);

-- A CDR whose costs disagree with our recomputation beyond the tolerance (or that we could not price).
create table ocpi_cdr_disputes (
  id uuid primary key,
  country_code char(2) not null,
  party_id varchar(3) not null,
  cdr_id varchar(39) not null,
  partner_id uuid references ocpi_partners (id) on delete set null,
  kind text not null, -- COST_MISMATCH | UNPRICEABLE
  status text not null default 'OPEN', -- OPEN | RESOLVED
  currency char(3) not null,
  claimed_total_excl numeric(18, 4) not null,
  expected_total_excl numeric(18, 4),
  difference_excl numeric(18, 4),
  differences jsonb not null default '[]',
  breakdown jsonb,
  message text not null,
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  unique (country_code, party_id, cdr_id)
);
create index ocpi_cdr_disputes_open on ocpi_cdr_disputes (created_at desc) where status = 'OPEN';

-- Our tokens (virtual cards, RFID cards) as OCPI Token objects; we are their owner (Tokens Sender).
create table ocpi_tokens (
  country_code char(2) not null,
  party_id varchar(3) not null,
  uid varchar(36) not null,
  type text not null,
  contract_id text not null,
  valid boolean not null,
  whitelist text not null,
  object jsonb not null,
  last_updated timestamptz not null,
  primary key (country_code, party_id, uid, type)
);
create index ocpi_tokens_last_updated on ocpi_tokens (last_updated, uid);

-- Outbox: push a token's current state to a partner's Tokens Receiver (one pending row per partner and token).
create table ocpi_token_pushes (
  id bigserial primary key,
  partner_id uuid not null references ocpi_partners (id) on delete cascade,
  uid varchar(36) not null,
  type text not null,
  status text not null default 'PENDING', -- PENDING | DONE | FAILED
  attempts integer not null default 0,
  next_run_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index ocpi_token_pushes_one_pending on ocpi_token_pushes (partner_id, uid, type) where status = 'PENDING';
create index ocpi_token_pushes_due on ocpi_token_pushes (next_run_at) where status = 'PENDING';

create table ocpi_commands (
  id uuid primary key,
  partner_id uuid not null references ocpi_partners (id) on delete cascade,
  type text not null, -- START_SESSION | STOP_SESSION | RESERVE_NOW | CANCEL_RESERVATION | UNLOCK_CONNECTOR
  -- PENDING | ACCEPTED | REJECTED | SUCCEEDED | FAILED | TIMED_OUT | CANCELED
  state text not null,
  request jsonb not null,
  response jsonb,
  result jsonb,
  message text,
  timeout_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index ocpi_commands_waiting on ocpi_commands (timeout_at) where state in ('PENDING', 'ACCEPTED');
