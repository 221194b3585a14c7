-- Station search filtered by power (the driver's "fast charging" filter, min_power_kw ≥ 50) reads the `locations` row
-- of every candidate in the box to check its connector arrays. About 40 % of locations offer ≥ 50 kW, so a partial
-- index of just those (same shape as locations_search, 0003) lets such a search skip the others' rows: in central
-- Berlin ~2,700 candidates instead of ~6,600. The search adds the literal condition `max_power_w >= 50000` whenever
-- the filter implies it, so that prepared statements with generic plans can use this index too. max_power_w changes
-- only when a location's connectors or removed EVSEs change, so EVSE status updates stay HOT.
create index locations_search_fast on locations using gist (geo) include (country_code, party_id, id, name)
  where publish and evse_total > 0 and max_power_w >= 50000;
