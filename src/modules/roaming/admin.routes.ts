// Back-office API for OCPI partners (admin bearer token): list with connection state, last sync, object counts
// and recent errors; onboarding (register with a partner, or invite one with a token A); re-sync; suspend/resume;
// token rotation; unregistering; commands (helpdesk); CDR audit disputes.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminAuth, adminSecurity } from '../../platform/http/admin-auth.ts';
import { AppError } from '../../platform/http/errors.ts';
import { CommandError, listCommands, sendCommand } from './commands.service.ts';
import type { RoamingContext } from './context.ts';
import {
  getPartner,
  listPartners,
  type Partner,
  partnerObjectCounts,
  partnerParties,
  recentPartnerEvents,
} from './partners.repository.ts';
import {
  invitePartner,
  RegistrationError,
  registerWithPartner,
  rotateToken,
  setSuspended,
  unregisterPartner,
} from './registration.service.ts';
import { rdb } from './roaming.tables.ts';
import { queueSync, SYNC_MODULES, syncCursors } from './sync.service.ts';

const tags = ['OCPI partners'];
const IdParams = z.object({ id: z.string().uuid() });

async function partnerView(ctx: RoamingContext, p: Partner) {
  const [parties, cursors, counts, errors] = await Promise.all([
    partnerParties(ctx.db, p.id),
    syncCursors(ctx.db, p.id),
    partnerObjectCounts(ctx.db, p.id),
    recentPartnerEvents(ctx.db, p.id, 5, 'error'),
  ]);
  return {
    id: p.id,
    name: p.name,
    status: p.status,
    initiated_by: p.initiated_by,
    versions_url: p.versions_url,
    version: p.version,
    registered_at: p.registered_at,
    token_encoding: p.outgoing_token_encoding,
    parties,
    endpoints: p.endpoints,
    sync: cursors.map((c) => ({
      module: c.module,
      status: c.status,
      mode: c.mode,
      last_success_at: c.last_success_at,
      synced_to: c.synced_to,
      started_at: c.started_at,
      pages: c.pages,
      objects: c.objects,
      rejected: c.rejected,
      last_error: c.last_error,
    })),
    counts,
    recent_errors: errors,
  };
}

function mapError(e: unknown): never {
  if (e instanceof RegistrationError) throw new AppError('BAD_REQUEST', e.message, { ocpi_status: e.ocpiStatus });
  if (e instanceof CommandError)
    throw new AppError(e.code === 'UNKNOWN_PARTNER' ? 'NOT_FOUND' : 'BAD_REQUEST', e.message, { reason: e.code });
  throw e;
}

async function mustGet(ctx: RoamingContext, id: string): Promise<Partner> {
  const p = await getPartner(ctx.db, id);
  if (!p) throw new AppError('NOT_FOUND', `No partner ${id}`);
  return p;
}

const OnboardBody = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('register').describe('We register with the partner: its versions URL and the token A it gave us'),
    versions_url: z.string().url(),
    token: z.string().regex(/^[\x21-\x7E]{1,64}$/, 'printable non-whitespace ASCII, at most 64 characters'),
    name: z.string().min(1).max(100).optional(),
  }),
  z.object({
    action: z.literal('invite').describe('The partner registers with us: we generate a token A to hand over'),
    name: z.string().min(1).max(100),
  }),
]);

const CommandBody = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('START_SESSION'),
    token_uid: z.string().min(1).max(36),
    token_type: z.enum(['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']).optional(),
    location_id: z.string().min(1).max(36),
    evse_uid: z.string().min(1).max(36).optional(),
    connector_id: z.string().min(1).max(36).optional(),
    authorization_reference: z.string().min(1).max(36).optional(),
  }),
  z.object({ type: z.literal('STOP_SESSION'), session_id: z.string().min(1).max(36) }),
  z.object({
    type: z.literal('RESERVE_NOW'),
    token_uid: z.string().min(1).max(36),
    token_type: z.enum(['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']).optional(),
    expiry_date: z.string().min(1),
    reservation_id: z.string().min(1).max(36),
    location_id: z.string().min(1).max(36),
    evse_uid: z.string().min(1).max(36).optional(),
  }),
  z.object({ type: z.literal('CANCEL_RESERVATION'), reservation_id: z.string().min(1).max(36) }),
  z.object({
    type: z.literal('UNLOCK_CONNECTOR'),
    location_id: z.string().min(1).max(36),
    evse_uid: z.string().min(1).max(36),
    connector_id: z.string().min(1).max(36),
  }),
]);

export function roamingAdminRoutes(ctx: RoamingContext, deps: { adminToken: string }): FastifyPluginAsync {
  return async (parent) => {
    await parent.register(async (plain: FastifyInstance) => {
      const app = plain.withTypeProvider<ZodTypeProvider>();
      app.addHook('onRequest', adminAuth(deps.adminToken));
      const base = '/admin/partners';
      const security = adminSecurity;

      app.get(
        base,
        { schema: { tags, security, summary: 'List OCPI partners with connection state, sync, counts, errors' } },
        async () => ({ partners: await Promise.all((await listPartners(ctx.db)).map((p) => partnerView(ctx, p))) }),
      );

      app.post(
        base,
        {
          schema: {
            tags,
            security,
            summary: 'Onboard a partner: register with it (versions URL + token A) or invite it (generate a token A)',
            body: OnboardBody,
          },
        },
        async (req, reply) => {
          try {
            if (req.body.action === 'invite') {
              const r = await invitePartner(ctx, { name: req.body.name });
              return reply.status(201).send({
                partner: await partnerView(ctx, r.partner),
                token_a: r.token_a,
                versions_url: r.versions_url,
                instructions:
                  'Hand token_a and versions_url to the partner out of band; it registers with POST credentials.',
              });
            }
            const p = await registerWithPartner(ctx, req.body);
            return reply.status(201).send({ partner: await partnerView(ctx, p) });
          } catch (e) {
            mapError(e);
          }
        },
      );

      app.get(`${base}/:id`, { schema: { tags, security, summary: 'One partner', params: IdParams } }, async (req) => {
        const p = await mustGet(ctx, req.params.id);
        return { partner: { ...(await partnerView(ctx, p)), events: await recentPartnerEvents(ctx.db, p.id, 30) } };
      });

      app.post(
        `${base}/:id/sync`,
        {
          schema: {
            tags,
            security,
            summary: 'Queue a re-sync (pull) of the partner’s modules',
            params: IdParams,
            body: z
              .object({
                mode: z.enum(['FULL', 'DELTA']).default('FULL'),
                modules: z.array(z.enum(SYNC_MODULES)).min(1).optional(),
              })
              .default({ mode: 'FULL' }),
          },
        },
        async (req, reply) => {
          const p = await mustGet(ctx, req.params.id);
          if (p.status !== 'REGISTERED') throw new AppError('CONFLICT', `The partner is ${p.status}`);
          await queueSync(ctx.db, p.id, req.body.mode, req.body.modules ?? SYNC_MODULES);
          return reply.status(202).send({ queued: req.body.modules ?? SYNC_MODULES, mode: req.body.mode });
        },
      );

      for (const [action, suspended] of [
        ['suspend', true],
        ['resume', false],
      ] as const) {
        app.post(
          `${base}/:id/${action}`,
          { schema: { tags, security, summary: `${action} the connection`, params: IdParams } },
          async (req) => {
            await mustGet(ctx, req.params.id);
            try {
              return { partner: await partnerView(ctx, await setSuspended(ctx, req.params.id, suspended)) };
            } catch (e) {
              mapError(e);
            }
          },
        );
      }

      app.post(
        `${base}/:id/rotate-token`,
        { schema: { tags, security, summary: 'Rotate the credentials tokens (PUT credentials)', params: IdParams } },
        async (req) => {
          await mustGet(ctx, req.params.id);
          try {
            return { partner: await partnerView(ctx, await rotateToken(ctx, req.params.id)) };
          } catch (e) {
            mapError(e);
          }
        },
      );

      app.delete(
        `${base}/:id`,
        { schema: { tags, security, summary: 'Unregister (DELETE credentials at the partner)', params: IdParams } },
        async (req) => {
          await mustGet(ctx, req.params.id);
          try {
            return { partner: await partnerView(ctx, await unregisterPartner(ctx, req.params.id)) };
          } catch (e) {
            mapError(e);
          }
        },
      );

      app.post(
        `${base}/:id/commands`,
        {
          schema: {
            tags,
            security,
            summary: 'Send a command to the partner (helpdesk: UNLOCK_CONNECTOR; START/STOP for support)',
            params: IdParams,
            body: CommandBody,
          },
        },
        async (req, reply) => {
          await mustGet(ctx, req.params.id);
          try {
            return reply.status(201).send({ command: await sendCommand(ctx, req.params.id, req.body) });
          } catch (e) {
            mapError(e);
          }
        },
      );

      app.get(
        `${base}/:id/commands`,
        { schema: { tags, security, summary: 'Recent commands to the partner', params: IdParams } },
        async (req) => ({ commands: await listCommands(ctx, req.params.id) }),
      );

      app.get(
        '/admin/cdr-disputes',
        {
          schema: {
            tags,
            security,
            summary: 'CDRs whose costs disagree with our tariff audit (or could not be priced)',
            querystring: z.object({
              status: z.enum(['OPEN', 'RESOLVED', 'ALL']).default('OPEN'),
              partner_id: z.string().uuid().optional(),
              limit: z.coerce.number().int().min(1).max(500).default(100),
            }),
          },
        },
        async (req) => {
          let q = rdb(ctx.db).selectFrom('ocpi_cdr_disputes').selectAll();
          if (req.query.status !== 'ALL') q = q.where('status', '=', req.query.status);
          if (req.query.partner_id) q = q.where('partner_id', '=', req.query.partner_id);
          return { disputes: await q.orderBy('created_at', 'desc').limit(req.query.limit).execute() };
        },
      );

      app.post(
        '/admin/cdr-disputes/:id/resolve',
        { schema: { tags, security, summary: 'Mark a dispute resolved', params: IdParams } },
        async (req) => {
          const r = await rdb(ctx.db)
            .updateTable('ocpi_cdr_disputes')
            .set({ status: 'RESOLVED', resolved_at: new Date() })
            .where('id', '=', req.params.id)
            .returningAll()
            .executeTakeFirst();
          if (!r) throw new AppError('NOT_FOUND', `No dispute ${req.params.id}`);
          return { dispute: r };
        },
      );
    });
  };
}
