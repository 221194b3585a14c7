// HTTP API of invoicing (thin). The PDF is served to the admin (bearer token) or to whoever holds the invoice's
// download token (receipt links for drivers without an account); a wrong token answers 404 like an unknown number.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/db/schema.ts';
import { adminAuth, adminSecurity } from '../../platform/http/admin-auth.ts';
import { AppError } from '../../platform/http/errors.ts';
import { INVOICE_NUMBER_PATTERN } from './core/number.ts';
import { renderInvoicePdf } from './invoice.pdf.ts';
import { checkDownloadToken, getInvoice, getPriceProof, listIssuedInvoices } from './invoicing.service.ts';

export interface InvoicingRoutesDeps {
  db: Kysely<Database>;
  adminToken: string;
}

const Totals = z.object({
  net: z.number().int().describe('minor units (cents for EUR)'),
  vat: z.number().int(),
  gross: z.number().int().describe('what the driver pays: the amount captured'),
});
const Summary = z.object({
  number: z.string(),
  kind: z.enum(['invoice', 'credit_note']),
  references_number: z.string().nullable().describe('for a credit note: the invoice it cancels'),
  issued_at: z.string(),
  issue_date: z.string().describe('invoice date (YYYY-MM-DD) in the seller time zone'),
  currency: z.string(),
  buyer_email: z.string(),
  session_ref: z.string().nullable(),
  totals: Totals,
});
const Line = z.object({
  position: z.number().int(),
  description: z.string(),
  category: z.string(),
  quantity: z.string().describe('decimal'),
  unit: z.enum(['kWh', 'h', 'session']),
  unit_price: z.string().describe('decimal, excl. VAT'),
  vat_rate: z.string().nullable().describe('percent; null = no VAT (exempt)'),
  net: z.string().describe('exact line amount excl. VAT (major units)'),
  net_minor: z.number().int().describe('line amount shown on the invoice (minor units)'),
});
const Detail = z.object({
  number: z.string(),
  kind: z.enum(['invoice', 'credit_note']),
  references_number: z.string().nullable(),
  issued_at: z.string(),
  issue_date: z.string(),
  currency: z.string(),
  seller: z.object({ name: z.string(), address: z.string(), vat_id: z.string() }),
  buyer: z.object({ name: z.string().nullable(), email: z.string(), address: z.string().nullable() }),
  session: z
    .object({
      location_name: z.string(),
      address: z.string(),
      evse_id: z.string(),
      start: z.string(),
      end: z.string(),
      kwh: z.string(),
      time_zone: z.string(),
    })
    .nullable(),
  session_ref: z.string().nullable(),
  lines: z.array(Line),
  vat_groups: z.array(
    z.object({
      vat_rate: z.string().nullable(),
      exact_net: z.string(),
      net: z.number().int(),
      vat: z.number().int(),
      gross: z.number().int(),
    }),
  ),
  totals: Totals,
  payment: z
    .object({
      card: z.object({ brand: z.string().optional(), last4: z.string() }).optional(),
      note: z.string().optional(),
    })
    .nullable(),
  price_proof_ref: z.string().nullable(),
  price_proof: z.unknown().optional().describe('the tariff engine price proof, with ?proof=true'),
});
const YMD = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** Routes under /api/v1: the PDF (token or admin) and the admin list and detail. */
export function invoicingRoutes(deps: InvoicingRoutesDeps): FastifyPluginAsync {
  const requireAdmin = adminAuth(deps.adminToken);
  return async (root) => {
    await root.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      app.get(
        '/invoices/:number.pdf',
        {
          schema: {
            tags: ['invoices'],
            summary: 'The invoice as PDF: with ?token= from the receipt link, or with the admin bearer token',
            params: z.object({ number: z.string() }),
            querystring: z.object({ token: z.string().max(200).optional() }),
          },
        },
        async (req, reply) => {
          const { number } = req.params;
          const notFound = () => new AppError('NOT_FOUND', `There is no invoice ${number} for this link`);
          if (req.headers.authorization !== undefined) await requireAdmin(req, reply);
          else if (
            !req.query.token ||
            !INVOICE_NUMBER_PATTERN.test(number) ||
            !(await checkDownloadToken(deps.db, number, req.query.token))
          )
            throw notFound();
          const invoice = INVOICE_NUMBER_PATTERN.test(number) ? await getInvoice(deps.db, number) : null;
          if (!invoice) throw notFound();
          const pdf = await renderInvoicePdf(invoice);
          return reply
            .type('application/pdf')
            .header('content-disposition', `inline; filename="${invoice.number}.pdf"`)
            .header('cache-control', 'private, no-store')
            .header('referrer-policy', 'no-referrer')
            .header('x-content-type-options', 'nosniff')
            .send(pdf);
        },
      );
    });

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      app.addHook('onRequest', requireAdmin);
      const tags = ['admin: invoices'];
      app.get(
        '/admin/invoices',
        {
          schema: {
            tags,
            security: adminSecurity,
            summary: 'Issued invoices and credit notes, newest first; filter by invoice-date period and kind',
            querystring: z.object({
              from: YMD.optional().describe('first invoice date, inclusive'),
              to: YMD.optional().describe('last invoice date, inclusive'),
              kind: z.enum(['invoice', 'credit_note']).optional(),
              limit: z.coerce.number().int().min(1).max(500).default(50),
              offset: z.coerce.number().int().min(0).default(0),
            }),
            response: { 200: z.object({ total: z.number().int(), invoices: z.array(Summary) }) },
          },
        },
        async (req) => {
          const { from, to, kind, limit, offset } = req.query;
          if (from && to && from > to) throw new AppError('VALIDATION_FAILED', `from (${from}) is after to (${to})`);
          return listIssuedInvoices(deps.db, {
            limit,
            offset,
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
            ...(kind ? { kind } : {}),
          });
        },
      );
      app.get(
        '/admin/invoices/:number',
        {
          schema: {
            tags,
            security: adminSecurity,
            summary: 'One invoice or credit note with its lines, VAT groups and totals',
            params: z.object({ number: z.string() }),
            querystring: z.object({ proof: z.enum(['true', 'false']).default('false') }),
            response: { 200: Detail },
          },
        },
        async (req) => {
          const { number } = req.params;
          const invoice = INVOICE_NUMBER_PATTERN.test(number) ? await getInvoice(deps.db, number) : null;
          if (!invoice) throw new AppError('NOT_FOUND', `There is no invoice ${number}`);
          if (req.query.proof === 'true') return { ...invoice, price_proof: await getPriceProof(deps.db, number) };
          return invoice;
        },
      );
    });
  };
}
