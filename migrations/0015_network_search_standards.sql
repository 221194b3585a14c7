-- The filtered station search (standard / min_power_kw / available on the same connector) checked each candidate
-- location's parallel connector arrays (conn_standards, conn_power_w, conn_available) in an unnest() subquery: ~5 µs
-- per candidate, most of a dense city's filtered search (central Berlin: ~1,700 candidates of >= 50 kW in the 10 km
-- box; the 0014 shortcut spared it for half of them). Per location, per standard instead, so that the check is one
-- array lookup per asked-for standard (array_position + subscript, no subquery):
-- * `std_names`: the distinct standards of the connectors of counted (not REMOVED) EVSEs, in byte order ("C");
-- * `std_max_w`: for each, the highest power of its connectors;
-- * `std_available_w`: for each, the highest power of its connectors on AVAILABLE EVSEs, -1 when none is available;
-- * `available_max_w`: the highest power of any connector on an AVAILABLE EVSE, -1 when none (filters on power and
--   availability without a standard).
-- A location matches standards S, power P and availability when max(std_available_w[position of s in std_names] for
-- s in S) >= P — exactly when one of its connectors of a standard in S with at least P W is on an AVAILABLE EVSE.
-- They replace the connector arrays and 0014's min_power_w (the shortcut is no longer needed). Kept like the other
-- search columns by every writer: core/search-columns.ts (location writes) and the status function below.
alter table locations
  add column std_names text[] not null default '{}',
  add column std_max_w integer[] not null default '{}',
  add column std_available_w integer[] not null default '{}',
  add column available_max_w integer not null default -1;

update locations l set std_names = d.std_names, std_max_w = d.std_max_w, std_available_w = d.std_available_w,
  available_max_w = d.available_max_w
from (
  select g.country_code, g.party_id, g.location_id,
    array_agg(g.standard order by g.standard collate "C") as std_names,
    array_agg(g.max_w order by g.standard collate "C") as std_max_w,
    array_agg(g.available_w order by g.standard collate "C") as std_available_w,
    max(g.available_w) as available_max_w
  from (
    select c.country_code, c.party_id, c.location_id, c.standard, max(c.power_w) as max_w,
      coalesce(max(c.power_w) filter (where e.status = 'AVAILABLE'), -1) as available_w
    from evses e join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
      and c.location_id = e.location_id and c.evse_uid = e.uid
    where e.status <> 'REMOVED'
    group by c.country_code, c.party_id, c.location_id, c.standard
  ) g
  group by g.country_code, g.party_id, g.location_id
) d
where l.country_code = d.country_code and l.party_id = d.party_id and l.id = d.location_id;

alter table locations
  drop column conn_standards,
  drop column conn_power_w,
  drop column conn_available,
  drop column min_power_w;

-- The batch function of 0013, keeping the per-standard columns instead of the connector arrays: the counts and
-- statuses from the EVSE rows alone, the power figures from their connectors grouped by standard (two index range
-- scans per location, as one scan with nested aggregates is not expressible).
create or replace function network_apply_evse_statuses(
  p_cc text[], p_pid text[], p_loc text[], p_uid text[], p_status text[], p_at timestamptz[], p_lu text[],
  p_n int[]
) returns table (n int, old_at timestamptz, applied boolean)
language plpgsql volatile
set plan_cache_mode = force_generic_plan
as $$
declare
  v_n int[];
  v_old timestamptz[];
  v_applied boolean[];
begin
  perform 1 from locations l
    join (select distinct k.cc, k.pid, k.id from unnest(p_cc::char(2)[], p_pid, p_loc) as k(cc, pid, id)) k
      on l.country_code = k.cc and l.party_id = k.pid and l.id = k.id
    order by l.country_code, l.party_id, l.id
    for update of l;

  with w as (
    select * from unnest(p_cc::char(2)[], p_pid, p_loc, p_uid, p_status, p_at, p_lu, p_n)
      as w(cc, pid, loc, uid, status, at, lu, n)
  ),
  cur as (
    select w.*, e.last_updated as old_at from w
    join evses e on e.country_code = w.cc and e.party_id = w.pid and e.location_id = w.loc and e.uid = w.uid
  ),
  upd as (
    update evses e set
      status = cur.status,
      object = jsonb_set(
        case when cur.at > e.last_updated
          then jsonb_set(e.object, '{last_updated}', to_jsonb(cur.lu)) else e.object end,
        '{status}', to_jsonb(cur.status)),
      last_updated = greatest(e.last_updated, cur.at)
    from cur
    where e.country_code = cur.cc and e.party_id = cur.pid and e.location_id = cur.loc and e.uid = cur.uid
      and cur.at >= e.last_updated
    returning cur.n
  )
  select array_agg(cur.n), array_agg(cur.old_at), array_agg(upd.n is not null)
    into v_n, v_old, v_applied
  from cur left join upd on upd.n = cur.n;

  with t as (
    -- per location, the newest applied change
    select distinct on (w.cc, w.pid, w.loc) w.cc, w.pid, w.loc, w.at, w.lu
    from unnest(p_cc::char(2)[], p_pid, p_loc, p_at, p_lu, p_n) as w(cc, pid, loc, at, lu, n)
    join unnest(v_n, v_applied) as a(n, applied) on a.n = w.n and a.applied
    order by w.cc, w.pid, w.loc, w.at desc
  )
  update locations l set
    evse_total = d.evse_total, evse_available = d.evse_available, evse_occupied = d.evse_occupied,
    max_power_w = s.max_power_w, std_names = s.std_names, std_max_w = s.std_max_w,
    std_available_w = s.std_available_w, available_max_w = s.available_max_w, evse_statuses = d.evse_statuses,
    last_updated_text = case when t.at > l.last_updated then t.lu else l.last_updated_text end,
    last_updated = greatest(l.last_updated, t.at)
  from t cross join lateral (
    -- the EVSEs alone (every stored EVSE has a connector: the Location schema requires one)
    select
      count(*) filter (where e.status <> 'REMOVED')::int as evse_total,
      count(*) filter (where e.status = 'AVAILABLE')::int as evse_available,
      count(*) filter (where e.status in ('CHARGING', 'BLOCKED', 'RESERVED'))::int as evse_occupied,
      -- REMOVED ones too
      coalesce(array_agg(e.status order by e.position), '{}') as evse_statuses
    from evses e
    where e.country_code = t.cc and e.party_id = t.pid and e.location_id = t.loc
  ) d cross join lateral (
    -- the connectors of counted EVSEs, per standard
    select
      coalesce(max(g.max_w), 0)::int as max_power_w,
      coalesce(array_agg(g.standard order by g.standard collate "C"), '{}') as std_names,
      coalesce(array_agg(g.max_w order by g.standard collate "C"), '{}') as std_max_w,
      coalesce(array_agg(g.available_w order by g.standard collate "C"), '{}') as std_available_w,
      coalesce(max(g.available_w), -1) as available_max_w
    from (
      select c.standard, max(c.power_w) as max_w,
        coalesce(max(c.power_w) filter (where e.status = 'AVAILABLE'), -1) as available_w
      from evses e join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
        and c.location_id = e.location_id and c.evse_uid = e.uid
      where e.country_code = t.cc and e.party_id = t.pid and e.location_id = t.loc and e.status <> 'REMOVED'
      group by c.standard
    ) g
  ) s
  where l.country_code = t.cc and l.party_id = t.pid and l.id = t.loc;

  return query select a.n, a.old_at, a.applied from unnest(v_n, v_old, v_applied) as a(n, old_at, applied);
end;
$$;
