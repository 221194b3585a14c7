-- Mail outbox: every mail is written here first (in the caller's transaction), then delivered by a worker
-- (FOR UPDATE SKIP LOCKED + lease) over SMTP, or kept here as `local` when no SMTP server is configured.

create table mail_outbox (
  id uuid primary key,
  from_address text not null,
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  -- pending | sent | local | failed
  status text not null default 'pending',
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  message_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  updated_at timestamptz not null default now()
);
create index mail_outbox_due on mail_outbox (next_attempt_at) where status = 'pending';
create index mail_outbox_created on mail_outbox (created_at desc, id);

create table mail_attachments (
  mail_id uuid not null references mail_outbox(id) on delete cascade,
  position int not null,
  filename text not null,
  content_type text not null,
  content bytea not null,
  primary key (mail_id, position)
);

-- One row per delivery attempt (the back office shows them).
create table mail_attempts (
  mail_id uuid not null references mail_outbox(id) on delete cascade,
  attempt int not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  -- sent | local | retry | failed
  outcome text not null,
  detail text,
  primary key (mail_id, attempt)
);
