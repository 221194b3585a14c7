-- Invoicing: gapless invoice numbers per prefix and year, immutable invoices and credit notes with their lines.
-- Amounts are integer minor units; line quantities, unit prices and nets are exact decimals (see docs/invoicing.md).

-- One row per number series (prefix) and year. The issuing transaction increments it (the row stays locked until
-- commit), so numbers are gapless: a rolled-back issue gives its number back. No SEQUENCE: those leave gaps.
create table invoice_number_counters (
  prefix text not null,
  year int not null,
  last_sequence bigint not null,
  primary key (prefix, year)
);

create table invoices (
  number text primary key,
  prefix text not null,
  year int not null,
  sequence bigint not null,
  kind text not null check (kind in ('invoice', 'credit_note')),
  -- the invoice a credit note cancels (fully or partly)
  references_number text references invoices(number),
  issued_at timestamptz not null,
  -- the invoice date in the seller's time zone
  issue_date date not null,
  currency char(3) not null,
  seller jsonb not null,
  buyer jsonb not null,
  buyer_email text not null,
  -- the charging session (location, EVSE, start/end, kWh, time zone); null for non-session invoices
  charging_session jsonb,
  session_ref text,
  vat_groups jsonb not null,
  total_net bigint not null,
  total_vat bigint not null,
  total_gross bigint not null,
  payment jsonb,
  price_proof_ref text,
  price_proof jsonb,
  -- SHA-256 (hex) of the 128-bit download token of receipt links; the token itself is never stored
  download_token_hash text not null,
  unique (prefix, year, sequence),
  check (kind = 'invoice' or references_number is not null)
);
create index invoices_issued_at on invoices (issued_at desc);
create index invoices_references on invoices (references_number) where references_number is not null;
create index invoices_session_ref on invoices (session_ref) where session_ref is not null;

create table invoice_lines (
  invoice_number text not null references invoices(number),
  position int not null,
  description text not null,
  category text not null,
  quantity numeric not null,
  unit text not null check (unit in ('kWh', 'h', 'session')),
  unit_price numeric not null,
  -- null = no VAT applicable (exempt), which differs from 0
  vat_rate numeric,
  -- exact line net (full precision) and the amount shown on the invoice (minor units, adds up to the group net)
  net numeric not null,
  net_minor bigint not null,
  primary key (invoice_number, position)
);

-- Issued invoices are immutable: corrections are credit notes.
create function invoicing_reject_change() returns trigger language plpgsql as $$
begin
  raise exception 'an issued invoice cannot be changed (% on %); issue a credit note instead', tg_op, tg_table_name
    using errcode = 'integrity_constraint_violation';
end
$$;
create trigger invoices_immutable before update or delete on invoices
  for each row execute function invoicing_reject_change();
create trigger invoice_lines_immutable before update or delete on invoice_lines
  for each row execute function invoicing_reject_change();
