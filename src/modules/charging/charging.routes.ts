// HTTP of the charging module (thin): the driver's charge API (ad-hoc by link token, or signed in by cookie),
// saved cards and the virtual card, and the back office's charge list.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminAuth, adminSecurity } from '../../platform/http/admin-auth.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { ChargingService, Driver } from './charging.service.ts';

export interface DriverCards {
  listCards(ownerRef: string): Promise<unknown[]>;
  saveCard(
    ownerRef: string,
    c: { pseudocardpan: string; maskedPan: string; brand: string; expiry: string },
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }>;
  deleteCard(ownerRef: string, id: string): Promise<{ ok: boolean; error?: { code: string; message: string } }>;
  setDefaultCard(
    ownerRef: string,
    id: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }>;
}

export interface ChargingRouteDeps {
  service: ChargingService;
  cards: DriverCards;
  adminToken: string;
  /** identity's requireDriver preHandler and the driver it sets. */
  requireDriver: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  driverOf: (req: FastifyRequest) => Driver;
  /** Origins a card-page return_url may point at (besides PUBLIC_URL). */
  allowedReturnOrigins: () => string[];
  publicUrl: () => string;
}

const CardSchema = z.object({
  pseudocardpan: z.string().regex(/^\d{10,25}$/, 'PAYONE pseudo card PAN (digits)'),
  truncatedcardpan: z.string().min(4).max(25),
  cardtype: z.string().min(1).max(2),
  cardexpiredate: z.string().regex(/^\d{4}$/, 'YYMM'),
});

const StartSchema = z.object({
  evse_id: z.string().min(1).max(48),
  connector_id: z.string().min(1).max(36),
  idempotency_key: z.string().min(8).max(100),
  email: z.string().max(254).optional(),
  card: CardSchema.optional(),
  stored_card_id: z.string().uuid().optional(),
  use_virtual_card: z.boolean().optional(),
});

const IdParams = z.object({ id: z.string().min(1).max(64) });
const TokenQuery = z.object({ t: z.string().max(200).optional() });
const tags = ['charging'];

export function chargingRoutes(deps: ChargingRouteDeps): FastifyPluginAsync {
  const { service } = deps;
  const requireAdmin = adminAuth(deps.adminToken);

  /** The signed-in driver when the request carries a live session cookie; anonymous otherwise. */
  async function optionalDriver(req: FastifyRequest, reply: FastifyReply): Promise<Driver | null> {
    if (!req.headers.cookie?.includes('lataus_session=')) return null;
    try {
      await deps.requireDriver(req, reply);
      return deps.driverOf(req);
    } catch (e) {
      if (e instanceof AppError && e.code === 'UNAUTHORIZED') return null;
      throw e;
    }
  }

  async function viewer(req: FastifyRequest, reply: FastifyReply, t: string | undefined) {
    const driver = t ? null : await optionalDriver(req, reply);
    return { token: t, driverId: driver?.id };
  }

  function checkReturnUrl(raw: string): string {
    const pub = deps.publicUrl().replace(/\/+$/, '');
    if (raw.startsWith('/') && !raw.startsWith('//')) return `${pub}${raw}`;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'return_url must be a path or a URL of this site');
    }
    const allowed = [new URL(pub).origin, ...deps.allowedReturnOrigins()];
    if (!allowed.includes(u.origin))
      throw new AppError('VALIDATION_FAILED', `return_url must be on ${allowed.join(' or ')}`);
    return u.toString();
  }

  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/charge/:evse_id',
      {
        schema: {
          tags,
          summary: 'Before a start: the price (CPO tariff + markup), an estimate and the hold for one EVSE',
          params: z.object({ evse_id: z.string().min(1).max(48) }),
        },
      },
      async (req) => service.getOffer(req.params.evse_id),
    );

    app.post(
      '/card-page',
      {
        schema: {
          tags,
          summary: 'Where to send the browser to enter a card (PAYONE hosted page)',
          body: z.object({ return_url: z.string().min(1).max(2000) }),
        },
      },
      async (req) => ({ url: service.cardPageUrl(checkReturnUrl(req.body.return_url)) }),
    );

    app.post(
      '/charges',
      {
        schema: {
          tags,
          summary: 'Start a charge (idempotent per idempotency_key)',
          body: StartSchema,
        },
      },
      async (req, reply) => {
        const driver = await optionalDriver(req, reply);
        const r = await service.startCharge(req.body, driver);
        if (r.status === 'FAILED' && r.failure_code === 'CARD_DECLINED')
          throw new AppError('CARD_DECLINED', r.failure_reason ?? 'The card was declined', {
            charge_id: r.charge_id,
            charge_status: r.status,
            failure_reason: r.failure_reason,
          });
        return reply.status(r.created ? 201 : 200).send({
          charge_id: r.charge_id,
          access_token: r.access_token,
          status: r.status,
          redirect_url: r.redirect_url,
          charge_url: r.charge_url,
        });
      },
    );

    app.get(
      '/charges/:id',
      {
        schema: {
          tags,
          summary: 'One charge (link token ?t= or the driver cookie)',
          params: IdParams,
          querystring: TokenQuery,
        },
      },
      async (req, reply) => service.getCharge(req.params.id, await viewer(req, reply, req.query.t)),
    );

    app.post(
      '/charges/:id/stop',
      { schema: { tags, summary: 'Stop charging (STOP_SESSION)', params: IdParams, querystring: TokenQuery } },
      async (req, reply) => {
        const r = await service.stopCharge(req.params.id, await viewer(req, reply, req.query.t));
        return reply.status(202).send(r);
      },
    );

    app.get(
      '/charges/:id/receipt.pdf',
      { schema: { tags, summary: 'The receipt (invoice PDF)', params: IdParams, querystring: TokenQuery } },
      async (req, reply) => {
        const r = await service.receiptPdf(req.params.id, await viewer(req, reply, req.query.t));
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${r.number}.pdf"`)
          .send(r.pdf);
      },
    );

    app.get(
      '/charges/:id/pay-again',
      { schema: { tags, summary: 'Pay again: to the card page', params: IdParams, querystring: TokenQuery } },
      async (req, reply) =>
        reply.redirect(await service.payAgainPage(req.params.id, await viewer(req, reply, req.query.t)), 303),
    );

    app.get(
      '/charges/:id/pay-again/card',
      {
        schema: {
          tags,
          summary: 'Pay again: the card page returns here with the pseudo card PAN',
          params: IdParams,
          querystring: TokenQuery.extend(CardSchema.partial().shape).extend({ status: z.string().optional() }),
        },
      },
      async (req, reply) => {
        const q = req.query;
        const v = await viewer(req, reply, q.t);
        const card = CardSchema.safeParse(q);
        if (!card.success) return reply.redirect(await service.payAgainPage(req.params.id, v), 303);
        try {
          const r = await service.payAgain(req.params.id, v, card.data);
          const pub = deps.publicUrl().replace(/\/+$/, '');
          return reply.redirect(r.redirect_url ?? `${pub}${r.charge_url}`, 303);
        } catch (e) {
          if (e instanceof AppError && (e.code === 'CARD_DECLINED' || e.code === 'NOTHING_TO_PAY')) {
            const pub = deps.publicUrl().replace(/\/+$/, '');
            const path = `/charges/${req.params.id}${q.t ? `?t=${encodeURIComponent(q.t)}&` : '?'}payment=failed`;
            return reply.redirect(`${pub}${path}`, 303);
          }
          throw e;
        }
      },
    );

    app.post(
      '/charges/:id/pay-again',
      {
        schema: {
          tags,
          summary: 'Pay again with a new card (exact amount due)',
          params: IdParams,
          querystring: TokenQuery,
          body: z.object({ card: CardSchema }),
        },
      },
      async (req, reply) => service.payAgain(req.params.id, await viewer(req, reply, req.query.t), req.body.card),
    );

    // ------------------------------------------------------------------------------------ signed-in driver
    const me = { preHandler: deps.requireDriver };
    const cardError = (e: { code: string; message: string }) =>
      new AppError(e.code === 'CARD_NOT_FOUND' ? 'NOT_FOUND' : 'VALIDATION_FAILED', e.message);

    app.get('/me/charges', { ...me, schema: { tags, summary: "The driver's charges" } }, async (req) => ({
      items: await service.listDriverCharges(deps.driverOf(req).id),
    }));
    app.get('/me/cards', { ...me, schema: { tags, summary: 'Saved cards (OneClick)' } }, async (req) => ({
      items: await deps.cards.listCards(deps.driverOf(req).id),
    }));
    app.post(
      '/me/cards',
      { ...me, schema: { tags, summary: 'Save a card (pseudo card PAN from the card page)', body: CardSchema } },
      async (req, reply) => {
        const b = req.body;
        const r = await deps.cards.saveCard(deps.driverOf(req).id, {
          pseudocardpan: b.pseudocardpan,
          maskedPan: b.truncatedcardpan,
          brand: b.cardtype,
          expiry: b.cardexpiredate,
        });
        if (!r.ok) throw cardError(r.error);
        return reply.status(201).send(r.value);
      },
    );
    app.delete(
      '/me/cards/:id',
      { ...me, schema: { tags, summary: 'Remove a saved card', params: IdParams } },
      async (req, reply) => {
        const r = await deps.cards.deleteCard(deps.driverOf(req).id, req.params.id);
        if (!r.ok && r.error) throw cardError(r.error);
        return reply.status(204).send();
      },
    );
    app.post(
      '/me/cards/:id/default',
      { ...me, schema: { tags, summary: 'Make a saved card the default', params: IdParams } },
      async (req) => {
        const r = await deps.cards.setDefaultCard(deps.driverOf(req).id, req.params.id);
        if (!r.ok) throw cardError(r.error);
        return r.value;
      },
    );
    app.get(
      '/me/virtual-card',
      { ...me, schema: { tags, summary: 'The virtual charge card (OCPI APP_USER token), created on first use' } },
      async (req) => service.virtualCardView(deps.driverOf(req).id),
    );

    // ------------------------------------------------------------------------------------ back office
    app.get(
      '/admin/charges',
      {
        onRequest: requireAdmin,
        schema: {
          tags,
          security: adminSecurity,
          summary:
            'Charges, newest first; ?status= or ?flagged=true: the ones a person should look at (CDR pending or overdue, payment failed, pricing failed, capture outcome unknown; not the informational ZERO_KWH / HOLD_LIMIT_STOP)',
          querystring: z.object({
            status: z.string().max(20).optional(),
            flagged: z.enum(['true', 'false']).optional(),
            limit: z.coerce.number().int().min(1).max(500).optional(),
          }),
        },
      },
      async (req) => ({
        items: await service.adminList({
          status: req.query.status,
          flagged: req.query.flagged === 'true',
          ...(req.query.limit ? { limit: req.query.limit } : {}),
        }),
      }),
    );
    app.get(
      '/admin/charges/:id',
      {
        onRequest: requireAdmin,
        schema: { tags, security: adminSecurity, summary: 'One charge with both price proofs', params: IdParams },
      },
      async (req) => service.adminGet(req.params.id),
    );
  };
}
