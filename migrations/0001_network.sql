-- The partner charging network in OCPI 2.2.1 shapes. OCPI objects are kept whole in `object`
-- (so they round-trip unchanged); the columns beside them are what search and joins need.

create table parties (
  country_code char(2) not null,
  party_id varchar(3) not null,
  name text not null,
  role text not null default 'CPO',
  integrated boolean not null default false,
  website text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (country_code, party_id)
);

create table locations (
  country_code char(2) not null,
  party_id varchar(3) not null,
  id varchar(36) not null,
  publish boolean not null default true,
  name text,
  address text not null,
  city text not null,
  postal_code text,
  country char(3) not null,
  latitude double precision not null,
  longitude double precision not null,
  geo point generated always as (point(longitude, latitude)) stored,
  time_zone text not null,
  operator_name text,
  opening_hours jsonb,
  object jsonb not null,
  last_updated timestamptz not null,
  primary key (country_code, party_id, id),
  foreign key (country_code, party_id) references parties (country_code, party_id)
);
create index locations_geo on locations using gist (geo);
create index locations_id on locations (id);

create table evses (
  country_code char(2) not null,
  party_id varchar(3) not null,
  location_id varchar(36) not null,
  uid varchar(36) not null,
  evse_id varchar(48),
  status text not null,
  object jsonb not null,
  last_updated timestamptz not null,
  primary key (country_code, party_id, location_id, uid),
  foreign key (country_code, party_id, location_id) references locations (country_code, party_id, id) on delete cascade
);
create index evses_evse_id on evses (evse_id);

create table connectors (
  country_code char(2) not null,
  party_id varchar(3) not null,
  location_id varchar(36) not null,
  evse_uid varchar(36) not null,
  id varchar(36) not null,
  standard text not null,
  format text not null,
  power_type text not null,
  max_voltage integer not null,
  max_amperage integer not null,
  max_electric_power integer,
  -- watts: max_electric_power when given, otherwise derived from voltage, amperage and power type
  power_w integer not null,
  tariff_ids text[] not null default '{}',
  object jsonb not null,
  last_updated timestamptz not null,
  primary key (country_code, party_id, location_id, evse_uid, id),
  foreign key (country_code, party_id, location_id, evse_uid)
    references evses (country_code, party_id, location_id, uid) on delete cascade
);

create table tariffs (
  country_code char(2) not null,
  party_id varchar(3) not null,
  id varchar(36) not null,
  currency char(3) not null,
  type text,
  start_date_time timestamptz,
  end_date_time timestamptz,
  object jsonb not null,
  last_updated timestamptz not null,
  primary key (country_code, party_id, id)
);
