-- The filtered station search (standard / min_power_kw / available on the same connector) checked every candidate's
-- connector arrays with an unnest() subquery: ~2.5 µs per row, most of the search's time in dense areas (Rome: ~1,300
-- candidates of ≥ 50 kW within 10 km). `min_power_w`, the lowest power of any of the location's connectors (REMOVED
-- EVSEs' too, so an EVSE status never changes it), lets most matches skip that subquery: when every counted
-- connector has an asked-for standard (`conn_standards <@ …`), every connector delivers the asked-for power
-- (`min_power_w >= …`) and, if asked, an EVSE is AVAILABLE (`evse_available > 0`: it has connectors, which qualify),
-- the location matches. Written with the location (network.repository.ts), never by the status PATCH.
alter table locations add column min_power_w integer not null default 0;

update locations l set min_power_w = d.w
from (
  select c.country_code, c.party_id, c.location_id, min(c.power_w) as w
  from connectors c
  group by c.country_code, c.party_id, c.location_id
) d
where l.country_code = d.country_code and l.party_id = d.party_id and l.id = d.location_id;
