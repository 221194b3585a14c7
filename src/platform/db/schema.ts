// Table types for Kysely. One interface per table; jsonb columns hold OCPI objects.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;

export interface PartiesTable {
  country_code: string;
  party_id: string;
  name: string;
  role: Generated<string>;
  integrated: Generated<boolean>;
  website: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface LocationsTable {
  country_code: string;
  party_id: string;
  id: string;
  publish: Generated<boolean>;
  name: string | null;
  address: string;
  city: string;
  postal_code: string | null;
  country: string;
  latitude: number;
  longitude: number;
  geo: ColumnType<unknown, never, never>;
  time_zone: string;
  operator_name: string | null;
  opening_hours: Json | null;
  object: Json;
  last_updated: Timestamp;
}

export interface EvsesTable {
  country_code: string;
  party_id: string;
  location_id: string;
  uid: string;
  evse_id: string | null;
  status: string;
  object: Json;
  last_updated: Timestamp;
}

export interface ConnectorsTable {
  country_code: string;
  party_id: string;
  location_id: string;
  evse_uid: string;
  id: string;
  standard: string;
  format: string;
  power_type: string;
  max_voltage: number;
  max_amperage: number;
  max_electric_power: number | null;
  power_w: number;
  tariff_ids: ColumnType<string[], string[] | undefined, string[]>;
  object: Json;
  last_updated: Timestamp;
}

export interface TariffsTable {
  country_code: string;
  party_id: string;
  id: string;
  currency: string;
  type: string | null;
  start_date_time: Timestamp | null;
  end_date_time: Timestamp | null;
  object: Json;
  last_updated: Timestamp;
}

export interface Database {
  parties: PartiesTable;
  locations: LocationsTable;
  evses: EvsesTable;
  connectors: ConnectorsTable;
  tariffs: TariffsTable;
}
