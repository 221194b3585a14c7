// HTTP for payments: the back-office API under /api/v1/admin/payments (admin bearer token) and PAYONE's
// TransactionStatus endpoint at the root (POST /payone/transaction-status), which answers exactly `TSOK` only
// after the notification is stored.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkNotification, type NotificationAuth } from '../../payone/notification.ts';
import { adminAuth, adminSecurity } from '../../platform/http/admin-auth.ts';
import { AppError, type ErrorCode } from '../../platform/http/errors.ts';
import { PAYMENT_STATES } from './core/payment.ts';
import type { PaymentError, PaymentErrorCode, PaymentsService, Result } from './payments.service.ts';

const HTTP_CODE: Record<PaymentErrorCode, ErrorCode> = {
  PAYMENT_NOT_FOUND: 'NOT_FOUND',
  CARD_NOT_FOUND: 'NOT_FOUND',
  INVALID_INPUT: 'BAD_REQUEST',
  SESSION_HAS_PAYMENT: 'CONFLICT',
  PAYMENT_DECLINED: 'CONFLICT',
  ILLEGAL_STATE: 'CONFLICT',
  AMOUNT_EXCEEDS_AUTHORIZATION: 'CONFLICT',
  AMOUNT_EXCEEDS_REFUNDABLE: 'CONFLICT',
  OPERATION_IN_PROGRESS: 'CONFLICT',
  PSP_OUTCOME_PENDING: 'CONFLICT',
};

function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  const e: PaymentError = r.error;
  throw new AppError(HTTP_CODE[e.code], e.message, {
    payment_error: e.code,
    ...(e.paymentId ? { payment_id: e.paymentId } : {}),
    ...(e.pspCode ? { psp_code: e.pspCode } : {}),
  });
}

const Amounts = z.object({
  requested: z.number().int(),
  authorized: z.number().int(),
  captured: z.number().int(),
  refunded: z.number().int(),
});
const PaymentSchema = z.object({
  id: z.string(),
  session_ref: z.string(),
  owner_ref: z.string().nullable(),
  reference: z.string(),
  state: z.enum(PAYMENT_STATES),
  currency: z.string(),
  amounts: Amounts.describe('integer minor units'),
  txid: z.string().nullable(),
  redirect_url: z.string().nullable().describe('3-D Secure page to send the customer to (state redirect_pending)'),
  failed_step: z.string().nullable(),
  failure: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
const EventSchema = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  state_before: z.string().nullable(),
  state_after: z.string().nullable(),
  latency_ms: z.number().nullable(),
  data: z.unknown(),
  created_at: z.string(),
});
const IdParams = z.object({ id: z.uuid() });
const AmountBody = z.object({ amount: z.number().int().min(0).max(1_999_999_999).describe('integer minor units') });
const PreauthBody = z.object({
  session_ref: z.string().min(1).max(200),
  owner_ref: z.string().min(1).max(200).optional(),
  amount: z.number().int().min(1).max(1_999_999_999).describe('integer minor units'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('EUR'),
  pseudocardpan: z
    .string()
    .regex(/^\d{10,25}$/)
    .optional()
    .describe('PAYONE pseudo card PAN (from the hosted iFrame / creditcardcheck)'),
  stored_card_id: z.uuid().optional(),
  return_urls: z
    .object({ success_url: z.url(), error_url: z.url(), back_url: z.url() })
    .optional()
    .describe('3-D Secure return addresses; omit for a merchant-initiated charge of a stored card'),
});

export interface PaymentsRoutesDeps {
  service: PaymentsService;
  adminToken: string;
  /** Where 3-D Secure returns go when the admin does not say (PUBLIC_URL based). */
  defaultReturnBase: string;
}

/** Back office: /api/v1/admin/payments. */
export function paymentsAdminRoutes(deps: PaymentsRoutesDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', adminAuth(deps.adminToken));
    const tags = ['admin: payments'];
    const { service } = deps;

    app.get(
      '/admin/payments',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Payments, newest first, optionally by state',
          querystring: z.object({
            state: z.enum(PAYMENT_STATES).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
            before: z.iso.datetime().optional().describe('created_at cursor from the last page'),
          }),
          response: { 200: z.object({ items: z.array(PaymentSchema) }) },
        },
      },
      async (req) => ({
        items: await service.listPayments({
          state: req.query.state,
          limit: req.query.limit,
          before: req.query.before ? new Date(req.query.before) : undefined,
        }),
      }),
    );

    app.get(
      '/admin/payments/:id',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'One payment with its timeline (requests, responses, notifications, state changes)',
          params: IdParams,
          response: { 200: PaymentSchema.extend({ timeline: z.array(EventSchema) }) },
        },
      },
      async (req) => {
        const { payment, timeline } = unwrap(await service.getPayment(req.params.id));
        return {
          ...payment,
          timeline: timeline.map((e) => ({
            id: e.id,
            type: e.type,
            name: e.name,
            state_before: e.state_before,
            state_after: e.state_after,
            latency_ms: e.latency_ms,
            data: e.data,
            created_at: new Date(e.created_at).toISOString(),
          })),
        };
      },
    );

    app.post(
      '/admin/payments',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Preauthorize a card (pseudo card PAN or stored card) for a charging session',
          description:
            'Creates the payment and asks PAYONE for a preauthorization. 409 with payment_error PAYMENT_DECLINED when the card was declined.',
          body: PreauthBody,
          response: { 201: PaymentSchema },
        },
      },
      async (req, reply) => {
        const b = req.body;
        if (!b.pseudocardpan === !b.stored_card_id)
          throw new AppError('BAD_REQUEST', 'give exactly one of pseudocardpan and stored_card_id');
        const base = deps.defaultReturnBase.replace(/\/+$/, '');
        const returnUrls = b.return_urls
          ? {
              successUrl: b.return_urls.success_url,
              errorUrl: b.return_urls.error_url,
              backUrl: b.return_urls.back_url,
            }
          : b.pseudocardpan
            ? {
                successUrl: `${base}/payments/return/success`,
                errorUrl: `${base}/payments/return/error`,
                backUrl: `${base}/payments/return/back`,
              }
            : null;
        const r = await service.preauthorize({
          sessionRef: b.session_ref,
          ownerRef: b.owner_ref ?? null,
          amount: b.amount,
          currency: b.currency,
          card: b.pseudocardpan ? { pseudocardpan: b.pseudocardpan } : { storedCardId: b.stored_card_id! },
          returnUrls,
        });
        return reply.status(201).send(unwrap(r));
      },
    );

    app.post(
      '/admin/payments/:id/retry',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Ask PAYONE again for the request that got no answer after every attempt',
          description:
            'For a payment whose failed_step ends in _no_answer: the same request (reference, sequence number) is sent once more (one attempt; unanswered again, it gives up again). PAYONE books it at most once: a repeat it already booked is answered 907/911 and recorded as booked. 409 when nothing gave up.',
          params: IdParams,
          response: { 200: PaymentSchema },
        },
      },
      async (req) => unwrap(await service.retryUnanswered(req.params.id)),
    );

    app.post(
      '/admin/payments/:id/capture',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Capture the final amount (0 releases the reservation; the rest is always released)',
          params: IdParams,
          body: AmountBody,
          response: { 200: PaymentSchema },
        },
      },
      async (req) => unwrap(await service.capture(req.params.id, req.body.amount)),
    );

    app.post(
      '/admin/payments/:id/refund',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Refund part or all of the captured amount',
          params: IdParams,
          body: AmountBody,
          response: { 200: PaymentSchema },
        },
      },
      async (req) => unwrap(await service.refund(req.params.id, req.body.amount)),
    );
  };
}

export interface NotificationRoutesDeps {
  service: PaymentsService;
  auth: NotificationAuth;
  /** Called after a notification was stored (wakes the worker). */
  onStored?: () => void;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

/** PAYONE → us: POST /payone/transaction-status (register without prefix). */
export function payoneNotificationRoutes(deps: NotificationRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    // Raw bytes: the body is ISO-8859-1 (or what the charset says); we store it as received.
    app.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'text/plain'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post(
      '/payone/transaction-status',
      { schema: { hide: true }, config: { rateLimit: false } },
      async (req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const check = checkNotification(raw, req.headers['content-type'], req.ip, deps.auth);
        if (!check.ok) {
          deps.log?.('payone notification refused', { reason: check.reason, ip: req.ip });
          const status = check.reason === 'malformed' ? 400 : 403;
          return reply.status(status).type('text/plain; charset=utf-8').send(`TSERROR ${check.reason}`);
        }
        // Durable first: TSOK only after the insert committed; otherwise PAYONE retries.
        await deps.service.receiveNotification({
          raw,
          contentType: req.headers['content-type'],
          remoteIp: req.ip,
          fields: check.fields,
        });
        deps.onStored?.();
        return reply.status(200).type('text/plain').send('TSOK');
      },
    );
  };
}
