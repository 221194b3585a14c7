// SQL of the charging module: charges and virtual cards.
import type { Insertable, Kysely, RawBuilder, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { type ChargingTables, cdb } from './charging.tables.ts';
import type { Offer } from './core/offer.ts';
import type { DriverFinalPrice } from './core/pricing.ts';
import { ATTENTION_STATUSES, type ChargeStatus, NOTE_FLAGS, OPEN_STATUSES } from './core/status.ts';
import type { ChargeRecord, SessionSnapshot } from './core/view.ts';

export type ChargesRow = Selectable<ChargingTables['charges']>;
export type ChargeUpdate = Updateable<ChargingTables['charges']>;
type NewCharge = Insertable<ChargingTables['charges']>;

/** The stored row in the shape the pure view reads. */
export function chargeRecord(r: ChargesRow): ChargeRecord {
  return {
    id: r.id,
    driver_id: r.driver_id,
    email: r.email,
    status: r.status as ChargeStatus,
    status_history: r.status_history,
    failure_code: r.failure_code,
    failure_reason: r.failure_reason,
    flags: r.flags ?? [],
    currency: r.currency.trim(),
    hold_minor: Number(r.hold_minor),
    payment_id: r.payment_id,
    evse_id: r.evse_id,
    connector_id: r.connector_id,
    offer: r.offer as Offer,
    kwh: new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 4 }).format(Number(r.kwh)),
    session: r.session as SessionSnapshot | null,
    cpo_price: r.cpo_price,
    driver_price: r.driver_price as DriverFinalPrice | null,
    amount_minor: r.amount_minor === null ? null : Number(r.amount_minor),
    invoice_number: r.invoice_number,
    started_at: r.started_at,
    stopped_at: r.stopped_at,
    finished_at: r.finished_at,
    updated_at: r.updated_at,
    created_at: r.created_at,
  };
}

export type ChargingRepo = ReturnType<typeof createChargingRepo>;

export function createChargingRepo(db: Kysely<Database>) {
  const c = cdb(db);
  const one = (where: (q: ReturnType<typeof select>) => ReturnType<typeof select>) =>
    where(select())
      .executeTakeFirst()
      .then((r) => r ?? null);
  const select = () => c.selectFrom('charges').selectAll();

  return {
    get: (id: string) => one((q) => q.where('id', '=', id)),
    byIdempotencyKey: (key: string) => one((q) => q.where('idempotency_key', '=', key)),
    byAuthorizationReference: (ref: string) => one((q) => q.where('authorization_reference', '=', ref)),
    bySession: (cc: string, pid: string, sessionId: string) =>
      one((q) =>
        q
          .where('country_code', '=', cc.toUpperCase())
          .where('party_id', '=', pid.toUpperCase())
          .where('ocpi_session_id', '=', sessionId),
      ),
    byCommand: (commandId: string) =>
      one((q) =>
        q.where((eb) => eb.or([eb('start_command_id', '=', commandId), eb('stop_command_id', '=', commandId)])),
      ),

    async insert(row: NewCharge): Promise<ChargesRow | null> {
      const r = await c
        .insertInto('charges')
        .values(row)
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      return r ?? null;
    },

    async update(id: string, set: ChargeUpdate): Promise<ChargesRow | null> {
      const r = await c
        .updateTable('charges')
        .set({ ...set, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r ?? null;
    },

    async updateIn(trx: Kysely<Database>, id: string, set: ChargeUpdate): Promise<ChargesRow | null> {
      const r = await cdb(trx).updateTable('charges').set(set).where('id', '=', id).returningAll().executeTakeFirst();
      return r ?? null;
    },

    /** Updates only if the charge is still as read (same status, same updated_at); null when it changed. */
    async updateIfUnchanged(
      id: string,
      seen: { status: string; updated_at: Date },
      set: ChargeUpdate,
    ): Promise<ChargesRow | null> {
      const r = await c
        .updateTable('charges')
        .set(set)
        .where('id', '=', id)
        .where('status', '=', seen.status)
        .where('updated_at', '=', seen.updated_at)
        .returningAll()
        .executeTakeFirst();
      return r ?? null;
    },

    /**
     * Updates the charge and issues its invoice in ONE statement, only if the charge is still as read (same status,
     * same updated_at): the charge row is locked first (`chk`), then the invoice counter (`invoiceCtes`, gated on
     * `chk`) — the order of the locking path (`lock` in a transaction, then the counter). The charge gets the new
     * invoice's number. Null when the charge changed: nothing written.
     */
    async updateWithInvoice(
      id: string,
      seen: { status: string; updated_at: Date },
      set: ChargeUpdate,
      invoiceCtes: (gate: string) => RawBuilder<unknown>,
    ): Promise<ChargesRow | null> {
      const update = c
        .updateTable('charges')
        .set({ ...set, invoice_number: sql<string>`(select number from inv_header)` })
        .where('id', '=', id)
        .where(sql<boolean>`exists (select 1 from inv_header)`)
        .returningAll();
      const r = await sql<ChargesRow>`with chk as (
          select id from charges where id = ${id} and status = ${seen.status} and updated_at = ${seen.updated_at}
          for update
        ), ${invoiceCtes('chk')}, upd as (${update})
        select * from upd`.execute(c);
      return r.rows[0] ?? null;
    },

    async lock(trx: Kysely<Database>, id: string): Promise<ChargesRow | null> {
      const r = await cdb(trx).selectFrom('charges').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return r ?? null;
    },

    /** Claims sending START_SESSION (one process wins). */
    async claimStart(id: string, now: Date): Promise<ChargesRow | null> {
      const r = await c
        .updateTable('charges')
        .set({ start_sent_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'STARTING')
        .where('start_sent_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return r ?? null;
    },

    /** The statement that claims a charge's receipt mail (clears `receipt_mail`; returns the id if it was set). */
    claimReceiptMail(id: string) {
      return sql`update charges set receipt_mail = null where id = ${id} and receipt_mail is not null returning id`;
    },

    /** Open charges (and paid ones with a receipt mail still to queue) not changed since `before`. */
    /** Open charges (or with a receipt to send) not changed since `before`, oldest change first. */
    async openForSweep(
      limit: number,
      before: Date,
    ): Promise<
      {
        id: string;
        status: string;
        ocpi_session_id: string | null;
        country_code: string;
        party_id: string;
        receipt_mail: unknown;
      }[]
    > {
      return c
        .selectFrom('charges')
        .select(['id', 'status', 'ocpi_session_id', 'country_code', 'party_id', 'receipt_mail'])
        .where((eb) => eb.or([eb('status', 'in', [...OPEN_STATUSES]), eb('receipt_mail', 'is not', null)]))
        .where('updated_at', '<', before)
        .orderBy('updated_at')
        .limit(limit)
        .execute();
    },

    /** PAYONE never answered their capture, since `since`: a later TransactionStatus may show it went through. */
    async unknownCaptureIds(limit: number, since: Date): Promise<string[]> {
      const rows = await c
        .selectFrom('charges')
        .select('id')
        .where('status', '=', 'PAYMENT_FAILED')
        .where(sql<boolean>`'CAPTURE_OUTCOME_UNKNOWN' = any(flags)`)
        .where('updated_at', '>', since)
        .orderBy('updated_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    listByDriver: (driverId: string, limit: number) =>
      select().where('driver_id', '=', driverId).orderBy('created_at', 'desc').limit(limit).execute(),

    list(q: { status?: string | undefined; flagged?: boolean | undefined; limit: number }) {
      let s = select();
      if (q.status) s = s.where('status', '=', q.status);
      if (q.flagged)
        s = s.where(
          sql<boolean>`(status = any(${[...ATTENTION_STATUSES]}::text[])
            or cardinality(array(select unnest(flags) except select unnest(${[...NOTE_FLAGS]}::text[]))) > 0)`,
        );
      return s.orderBy('created_at', 'desc').limit(q.limit).execute();
    },

    virtualCard: (driverId: string) =>
      c
        .selectFrom('virtual_cards')
        .select(['uid', 'contract_id'])
        .where('driver_id', '=', driverId)
        .executeTakeFirst()
        .then((r) => r ?? null),

    async insertVirtualCard(v: { driver_id: string; uid: string; contract_id: string }): Promise<boolean> {
      const r = await c
        .insertInto('virtual_cards')
        .values(v)
        .onConflict((oc) => oc.column('driver_id').doNothing())
        .returning('uid')
        .executeTakeFirst();
      return Boolean(r);
    },

    driverOfVirtualCard: (uid: string) =>
      c
        .selectFrom('virtual_cards')
        .select('driver_id')
        .where('uid', '=', uid)
        .executeTakeFirst()
        .then((r) => r?.driver_id ?? null),
  };
}
