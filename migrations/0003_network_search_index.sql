-- Station search reads the searchable locations through a covering partial GiST index: the position (geo) plus
-- what counting and ordering need (key and name), only for rows search can show. Counting and ordering every match
-- of a dense area (central Berlin: ~6,500 locations in the box of a 10 km radius) then reads ~130 index pages instead
-- of ~1,300 heap pages of wide rows (the OCPI object is stored inline); the wide columns are read for one page only.
-- Distances are computed from geo (point(longitude, latitude)), so no heap column is needed for them either.
-- The columns here change only when a location is written (PUT/PATCH of the location), not with EVSE status updates.
create index locations_search on locations using gist (geo) include (country_code, party_id, id, name)
  where publish and evse_total > 0;
