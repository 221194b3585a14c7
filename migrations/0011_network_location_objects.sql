-- The OCPI Location object (~1 KB of JSON) moves out of `locations` into `location_objects`. Station search reads
-- `locations` rows for every match it filters (availability, connector standards, power, opening hours): with the
-- object inline only a handful of rows fit a page, and dense areas read over a thousand pages per search. The
-- object's `last_updated` stays on `locations` as the text the CPO sent (`last_updated_text`), so an EVSE status
-- change updates narrow rows only; reads put it back into the object.
create table location_objects (
  country_code char(2) not null,
  party_id varchar(3) not null,
  id varchar(36) not null,
  object jsonb not null,
  primary key (country_code, party_id, id),
  foreign key (country_code, party_id, id) references locations (country_code, party_id, id) on delete cascade
);
insert into location_objects (country_code, party_id, id, object)
  select country_code, party_id, id, object from locations;
alter table locations add column last_updated_text text;
update locations set last_updated_text = object ->> 'last_updated';
alter table locations drop column object;
alter table locations alter column last_updated_text set not null;

-- The batch function of 0010, with the location's last_updated text in its column instead of the object.
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
    conn_available = d.conn_available,
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
        '{}') as conn_available
    from evses e join connectors c on c.country_code = e.country_code and c.party_id = e.party_id
      and c.location_id = e.location_id and c.evse_uid = e.uid
    where e.country_code = t.cc and e.party_id = t.pid and e.location_id = t.loc
  ) d
  where l.country_code = t.cc and l.party_id = t.pid and l.id = t.loc;

  return query select a.n, a.old_at, a.applied from unnest(v_n, v_old, v_applied) as a(n, old_at, applied);
end;
$$;
