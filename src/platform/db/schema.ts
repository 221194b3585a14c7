// Table types for Kysely. One interface per table; jsonb columns hold OCPI objects.
import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

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
  /** `last_updated` as the CPO sent it (the object's text); the object itself is in `location_objects`. */
  last_updated_text: string;
  last_updated: Timestamp;
}

/** The OCPI Location object without EVSEs, apart from the search columns (migration 0011). */
export interface LocationObjectsTable {
  country_code: string;
  party_id: string;
  id: string;
  object: Json;
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
  location_objects: LocationObjectsTable;
  evses: EvsesTable;
  connectors: ConnectorsTable;
  tariffs: TariffsTable;
}

// Payments (migrations/0020_payments.sql). int8 columns come back as strings on both backends.
// (Kysely's Generated<> does not unwrap a ColumnType, hence the explicit generated variants.)
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type GenInt8 = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
type GenTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface PaymentsTable {
  id: string;
  session_ref: string;
  owner_ref: string | null;
  reference: string;
  currency: string;
  state: string;
  amount_requested: Int8;
  amount_authorized: GenInt8;
  amount_captured: GenInt8;
  amount_refunded: GenInt8;
  txid: string | null;
  facts: Json;
  card: Json | null;
  failed_step: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: GenTimestamp;
  updated_at: GenTimestamp;
  /** session_ref while the payment is live, null once failed or released (generated; unique: migration 0021). */
  live_session_ref: GeneratedAlways<string | null>;
}

export interface PaymentJobsTable {
  id: GenInt8;
  payment_id: string;
  kind: string;
  idempotency_key: string;
  payload: Json;
  status: Generated<string>;
  attempts: Generated<number>;
  next_run_at: GenTimestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: GenTimestamp;
  updated_at: GenTimestamp;
}

export interface PaymentEventsTable {
  id: GenInt8;
  payment_id: string | null;
  type: string;
  name: string;
  state_before: string | null;
  state_after: string | null;
  latency_ms: number | null;
  data: Json;
  created_at: GenTimestamp;
}

export interface PayoneNotificationsTable {
  id: GenInt8;
  raw_body: string;
  content_type: string | null;
  remote_ip: string | null;
  fields: Json<Record<string, string>>;
  txid: string | null;
  reference: string | null;
  txaction: string | null;
  sequencenumber: number | null;
  transaction_status: string | null;
  dedupe_key: string;
  status: Generated<string>;
  payment_id: string | null;
  detail: string | null;
  received_at: GenTimestamp;
  processed_at: Timestamp | null;
}

export interface StoredCardsTable {
  id: string;
  owner_ref: string;
  pseudocardpan: string;
  masked_pan: string;
  brand: string;
  expiry: string;
  is_default: Generated<boolean>;
  created_at: GenTimestamp;
}

// Declaration merging adds the payments tables to Database.
export interface Database {
  payments: PaymentsTable;
  payment_jobs: PaymentJobsTable;
  payment_events: PaymentEventsTable;
  payone_notifications: PayoneNotificationsTable;
  stored_cards: StoredCardsTable;
}

// Mail outbox (migrations/0040_mail.sql).
export interface MailOutboxTable {
  id: string;
  from_address: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: GenTimestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  message_id: string | null;
  created_at: GenTimestamp;
  sent_at: Timestamp | null;
  updated_at: GenTimestamp;
}

export interface MailAttachmentsTable {
  mail_id: string;
  position: number;
  filename: string;
  content_type: string;
  content: ColumnType<Uint8Array, Uint8Array, Uint8Array>;
}

export interface MailAttemptsTable {
  mail_id: string;
  attempt: number;
  started_at: Timestamp;
  finished_at: Timestamp;
  outcome: string;
  detail: string | null;
}

// Identity (migrations/0041_identity.sql). Tokens are stored as SHA-256 hex digests only.
export interface DriversTable {
  id: string;
  email: string;
  password_hash: string;
  name: string | null;
  password_changed_at: GenTimestamp;
  created_at: GenTimestamp;
  updated_at: GenTimestamp;
}

export interface UserSessionsTable {
  token_hash: string;
  driver_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface PasswordResetTokensTable {
  token_hash: string;
  driver_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface SigninFailuresTable {
  id: GenInt8;
  email_hash: string;
  ip_hash: string;
  failed_at: Timestamp;
}

export interface Database {
  mail_outbox: MailOutboxTable;
  mail_attachments: MailAttachmentsTable;
  mail_attempts: MailAttemptsTable;
  drivers: DriversTable;
  user_sessions: UserSessionsTable;
  password_reset_tokens: PasswordResetTokensTable;
  signin_failures: SigninFailuresTable;
}
