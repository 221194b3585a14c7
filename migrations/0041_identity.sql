-- Drivers (sign-up with e-mail and password), their sessions, password-reset tokens and failed sign-ins.
-- Secrets are never stored: passwords as argon2id hashes, session and reset tokens as SHA-256 hex digests.

create table drivers (
  id uuid primary key,
  -- normalised (trimmed, NFC, lower case): unique case-insensitively by construction
  email text not null unique,
  password_hash text not null,
  name text,
  password_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table user_sessions (
  token_hash char(64) primary key,
  driver_id uuid not null references drivers(id) on delete cascade,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null
);
create index user_sessions_driver on user_sessions (driver_id);

create table password_reset_tokens (
  token_hash char(64) primary key,
  driver_id uuid not null references drivers(id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_reset_tokens_driver on password_reset_tokens (driver_id, created_at);

-- Failed sign-ins for the rate limit, keyed by digests of the e-mail and of the client IP.
create table signin_failures (
  id bigserial primary key,
  email_hash char(64) not null,
  ip_hash char(64) not null,
  failed_at timestamptz not null
);
create index signin_failures_key on signin_failures (email_hash, ip_hash, failed_at);
