// Table types of migrations/0030 (kept beside the module, merged into Kysely with `withTables`).
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A timestamp column with a database default. */
type GeneratedTs = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, string | number, string | number>;

export type RoamingTables = {
  ocpi_partners: {
    id: string;
    name: string;
    status: string;
    initiated_by: string;
    versions_url: string | null;
    version: string | null;
    endpoints: Json;
    roles: Json;
    outgoing_token: string | null;
    outgoing_token_encoding: Generated<string>;
    registered_at: Timestamp | null;
    created_at: GeneratedTs;
    updated_at: GeneratedTs;
  };
  ocpi_partner_tokens: {
    token_hash: string;
    partner_id: string;
    kind: string;
    created_at: GeneratedTs;
    expires_at: Timestamp | null;
  };
  ocpi_partner_parties: { partner_id: string; country_code: string; party_id: string; role: string };
  ocpi_partner_events: {
    id: Generated<Int8>;
    partner_id: string;
    level: string;
    kind: string;
    message: string;
    at: GeneratedTs;
  };
  ocpi_sync_seen: {
    partner_id: string;
    module: string;
    country_code: string;
    party_id: string;
    id: string;
  };
  ocpi_sync_cursors: {
    partner_id: string;
    module: string;
    status: Generated<string>;
    mode: Generated<string>;
    next_url: string | null;
    window_from: Timestamp | null;
    window_to: Timestamp | null;
    synced_to: Timestamp | null;
    pages: Generated<number>;
    objects: Generated<number>;
    rejected: Generated<number>;
    attempts: Generated<number>;
    locked_until: Timestamp | null;
    started_at: Timestamp | null;
    finished_at: Timestamp | null;
    last_success_at: Timestamp | null;
    last_error: string | null;
  };
  ocpi_sessions: {
    country_code: string;
    party_id: string;
    id: string;
    partner_id: string | null;
    status: string;
    token_uid: string;
    location_id: string;
    authorization_reference: string | null;
    object: Json;
    last_updated: Timestamp;
    received_at: GeneratedTs;
  };
  ocpi_cdrs: {
    country_code: string;
    party_id: string;
    id: string;
    partner_id: string | null;
    session_id: string | null;
    credit: boolean;
    credit_reference_id: string | null;
    currency: string;
    total_cost_excl: Numeric;
    object: Json;
    last_updated: Timestamp;
    received_at: GeneratedTs;
    audit_status: Generated<string>;
    audited_at: Timestamp | null;
  };
  ocpi_cdr_disputes: {
    id: string;
    country_code: string;
    party_id: string;
    cdr_id: string;
    partner_id: string | null;
    kind: string;
    status: Generated<string>;
    currency: string;
    claimed_total_excl: Numeric;
    expected_total_excl: Numeric | null;
    difference_excl: Numeric | null;
    differences: Json;
    breakdown: Json | null;
    message: string;
    created_at: GeneratedTs;
    resolved_at: Timestamp | null;
  };
  ocpi_tokens: {
    country_code: string;
    party_id: string;
    uid: string;
    type: string;
    contract_id: string;
    valid: boolean;
    whitelist: string;
    object: Json;
    last_updated: Timestamp;
  };
  ocpi_token_pushes: {
    id: Generated<Int8>;
    partner_id: string;
    uid: string;
    type: string;
    status: Generated<string>;
    attempts: Generated<number>;
    next_run_at: GeneratedTs;
    locked_until: Timestamp | null;
    last_error: string | null;
    created_at: GeneratedTs;
    updated_at: GeneratedTs;
  };
  ocpi_commands: {
    id: string;
    partner_id: string;
    type: string;
    state: string;
    request: Json;
    response: Json | null;
    result: Json | null;
    message: string | null;
    timeout_at: Timestamp | null;
    created_at: GeneratedTs;
    updated_at: GeneratedTs;
  };
};

export type RoamingDb = Kysely<Database & RoamingTables>;
export type Db = Kysely<Database>;

/** The database handle with the roaming tables typed. */
export const rdb = (db: Db): RoamingDb => db.withTables<RoamingTables>();
