-- Ids a FULL pull of a partner's tariffs has listed so far (kept across pages and crashes). When the pull ends,
-- a tariff of the partner's parties that the list did not contain has been deleted at the CPO (a missed DELETE
-- push) and is removed here too; then these rows are cleared.
create table ocpi_sync_seen (
  partner_id uuid not null references ocpi_partners (id) on delete cascade,
  module text not null,
  country_code char(2) not null,
  party_id varchar(3) not null,
  id varchar(36) not null,
  primary key (partner_id, module, country_code, party_id, id)
);
