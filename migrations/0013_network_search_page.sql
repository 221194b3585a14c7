-- Station search lists: a page of 50 locations read each one's EVSEs and connectors (two index range scans and two
-- JSON aggregations per location) and then the connectors again for the tariffs they name: about two thirds of the
-- list's database time. Two precomputed columns replace them:
-- * `location_objects.list_evses`: per EVSE that has connectors, in EVSE order, its connectors in order as
--   [standard, power_type, power_w, tariff_ids]. It changes only when the location is written (PUT/PATCH of the
--   location or an EVSE object), never with an EVSE status, so it lives beside the object, away from the rows the
--   status PATCH rewrites. With it `list_tariff_ids`: the distinct tariff ids its connectors name (the page's tariff
--   texts are read by them, once per page).
-- * `locations.evse_statuses`: the status of each of those EVSEs, in the same order (REMOVED ones too), kept by every
--   writer like the other search columns (core/search-columns.ts, updateEvseStatus, and the batch function below).
alter table locations add column evse_statuses text[] not null default '{}';
alter table location_objects add column list_evses json not null default '[]';
alter table location_objects add column list_tariff_ids text[] not null default '{}';

update locations l set evse_statuses = d.statuses
from (
  select e.country_code, e.party_id, e.location_id, array_agg(e.status order by e.position) as statuses
  from evses e join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
    and c.location_id = e.location_id and c.evse_uid = e.uid and c.position = 0 -- each EVSE with connectors once
  group by e.country_code, e.party_id, e.location_id
) d
where l.country_code = d.country_code and l.party_id = d.party_id and l.id = d.location_id;

update location_objects o set list_evses = d.evses
from (
  select x.country_code, x.party_id, x.location_id, json_agg(x.connectors order by x.position) as evses
  from (
    select e.country_code, e.party_id, e.location_id, e.position,
      json_agg(json_build_array(c.standard, c.power_type, c.power_w, c.tariff_ids) order by c.position) as connectors
    from evses e join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
      and c.location_id = e.location_id and c.evse_uid = e.uid
    group by e.country_code, e.party_id, e.location_id, e.uid, e.position
  ) x
  group by x.country_code, x.party_id, x.location_id
) d
where o.country_code = d.country_code and o.party_id = d.party_id and o.id = d.location_id;

update location_objects o set list_tariff_ids = d.ids
from (
  select c.country_code, c.party_id, c.location_id, array_agg(distinct t.id) as ids
  from connectors c cross join unnest(c.tariff_ids) as t(id)
  group by c.country_code, c.party_id, c.location_id
) d
where o.country_code = d.country_code and o.party_id = d.party_id and o.id = d.location_id;

-- The batch function of 0011, also keeping evse_statuses (one more aggregate over the rows it already reads).
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
    max_power_w = d.max_power_w, conn_standards = d.conn_standards, conn_power_w = d.conn_power_w,
    conn_available = d.conn_available, evse_statuses = d.evse_statuses,
    last_updated_text = case when t.at > l.last_updated then t.lu else l.last_updated_text end,
    last_updated = greatest(l.last_updated, t.at)
  from t cross join lateral (
    select
      count(distinct e.uid) filter (where e.status <> 'REMOVED')::int as evse_total,
      count(distinct e.uid) filter (where e.status = 'AVAILABLE')::int as evse_available,
      count(distinct e.uid) filter (where e.status in ('CHARGING', 'BLOCKED', 'RESERVED'))::int as evse_occupied,
      coalesce(max(c.power_w) filter (where e.status <> 'REMOVED'), 0)::int as max_power_w,
      coalesce(array_agg(c.standard order by e.position, c.position) filter (where e.status <> 'REMOVED'), '{}')
        as conn_standards,
      coalesce(array_agg(c.power_w order by e.position, c.position) filter (where e.status <> 'REMOVED'), '{}')
        as conn_power_w,
      coalesce(array_agg(e.status = 'AVAILABLE' order by e.position, c.position) filter (where e.status <> 'REMOVED'),
        '{}') as conn_available,
      -- one entry per EVSE (its first connector's row), REMOVED ones too
      coalesce(array_agg(e.status order by e.position) filter (where c.position = 0), '{}') as evse_statuses
    from evses e join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
      and c.location_id = e.location_id and c.evse_uid = e.uid
    where e.country_code = t.cc and e.party_id = t.pid and e.location_id = t.loc
  ) d
  where l.country_code = t.cc and l.party_id = t.pid and l.id = t.loc;

  return query select a.n, a.old_at, a.applied from unnest(v_n, v_old, v_applied) as a(n, old_at, applied);
end;
$$;
