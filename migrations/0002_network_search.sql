-- Search columns beside the OCPI objects, derived by the network repository from the object it writes
-- (src/modules/network/core/search-columns.ts), so filters and map markers read one row per location.
alter table locations
  add column evse_total integer not null default 0,      -- EVSEs not REMOVED; 0 = expired location, not shown
  add column evse_available integer not null default 0,
  add column evse_occupied integer not null default 0,   -- CHARGING, BLOCKED, RESERVED
  add column max_power_w integer not null default 0,
  -- one entry per connector of a counted EVSE: standard, power in W, whether its EVSE is AVAILABLE
  add column conn_standards text[] not null default '{}',
  add column conn_power_w integer[] not null default '{}',
  add column conn_available boolean[] not null default '{}',
  add column always_open boolean not null default true;  -- 24/7 or no opening times, no exceptional closings

-- Order of EVSEs in their location and of connectors in their EVSE, so the OCPI object round-trips.
alter table evses add column position integer not null default 0;
alter table connectors add column position integer not null default 0;
