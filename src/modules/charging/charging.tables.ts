// Table types of migrations/0050_charging.sql (kept beside the module, merged into Kysely with `withTables`).
import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GenTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;
type GenJson<T = unknown> = ColumnType<T, string | undefined, string>;
/** int8: a string on both backends. */
type Int8 = ColumnType<string, string | number, string | number>;
type Numeric = ColumnType<string, string | number | undefined, string | number>;

export type ChargingTables = {
  charges: {
    id: string;
    idempotency_key: string;
    driver_id: string | null;
    email: string;
    access_token_hash: string | null;
    country_code: string;
    party_id: string;
    location_id: string;
    evse_uid: string;
    evse_id: string;
    connector_id: string;
    status: string;
    status_history: GenJson;
    failure_code: string | null;
    failure_reason: string | null;
    flags: ColumnType<string[], string[] | undefined, string[]>;
    currency: string;
    hold_minor: Int8;
    payment_id: string | null;
    payment_attempt: ColumnType<number, number | undefined, number>;
    card: Json | null;
    token_uid: string;
    token_type: string;
    authorization_reference: string;
    start_sent_at: Timestamp | null;
    start_command_id: string | null;
    stop_command_id: string | null;
    ocpi_session_id: string | null;
    cdr_id: string | null;
    offer: Json;
    kwh: Numeric;
    session: Json | null;
    cpo_price: Json | null;
    driver_price: Json | null;
    amount_minor: Int8 | null;
    invoice_number: string | null;
    receipt_mail: Json | null;
    created_at: GenTimestamp;
    updated_at: GenTimestamp;
    started_at: Timestamp | null;
    stopped_at: Timestamp | null;
    finished_at: Timestamp | null;
    priced_at: Timestamp | null;
    paid_at: Timestamp | null;
  };
  virtual_cards: {
    driver_id: string;
    uid: string;
    contract_id: string;
    created_at: GenTimestamp;
  };
};

export type ChargingDb = Kysely<Database & ChargingTables>;

/** The handle (or transaction) with the charging tables typed. */
export function cdb(db: Kysely<Database>): ChargingDb {
  return db.withTables<ChargingTables>();
}
