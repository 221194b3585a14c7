// Admin HTTP API for providers (thin: validation at the edge, then the service). All routes need the admin token.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminAuth, adminSecurity } from '../../platform/http/admin-auth.ts';
import { AppError } from '../../platform/http/errors.ts';
import {
  addLocation,
  createProvider,
  getProvider,
  importLocations,
  listAllProviders,
  type ProviderDeps,
  type Result,
} from './providers.service.ts';

const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be 2 upper-case letters (ISO 3166-1 alpha-2)');
const PartyId = z.string().regex(/^[A-Z0-9]{3}$/, 'must be 3 upper-case letters or digits');
const Params = z.object({ country_code: CountryCode, party_id: PartyId });

const ProviderSchema = z.object({
  country_code: z.string(),
  party_id: z.string(),
  name: z.string(),
  website: z.string().nullable(),
  integrated: z.boolean().describe('true for CPOs connected over OCPI (their data is not edited here)'),
  location_count: z.number().int(),
});
const ProviderDetailSchema = ProviderSchema.extend({
  locations: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullable(),
      city: z.string(),
      evse_count: z.number().int().describe('EVSEs that are not REMOVED'),
    }),
  ),
});
const CreateProviderSchema = z.strictObject({
  country_code: CountryCode,
  party_id: PartyId,
  name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters'),
  website: z
    .string()
    .trim()
    .max(255, 'at most 255 characters')
    .regex(/^https?:\/\/[^\s/$.?#].[^\s]*$/i, 'must be an http(s) URL')
    .nullish(),
});
const LocationObject = z
  .record(z.string(), z.unknown())
  .describe('An OCPI 2.2.1 Location object; country_code/party_id, publish and last_updated may be left out');
const ImportSummarySchema = z.object({
  imported: z.number().int().describe('locations written (new or updated)'),
  evses: z.number().int(),
  connectors: z.number().int(),
});

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new AppError(r.error.code, r.error.detail, r.error.extra);
  return r.value;
}

export function providerRoutesWith<L>(deps: ProviderDeps<L> & { adminToken: string }): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    // onRequest: reject before a (possibly large) body is read.
    app.addHook('onRequest', adminAuth(deps.adminToken));
    // CSV uploads arrive as text; the app's body limit applies (413 above it).
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    const tags = ['admin: providers'];

    app.get(
      '/admin/providers',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'All parties (CPOs), integrated ones flagged',
          response: { 200: z.object({ items: z.array(ProviderSchema) }) },
        },
      },
      async () => ({ items: await listAllProviders(deps) }),
    );

    app.post(
      '/admin/providers',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Create a non-integrated provider (a CPO without an OCPI link)',
          description: '409 CONFLICT when the party exists already.',
          body: CreateProviderSchema,
          response: { 201: ProviderSchema },
        },
      },
      async (req, reply) => reply.status(201).send(unwrap(await createProvider(deps, req.body))),
    );

    app.get(
      '/admin/providers/:country_code/:party_id',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'A provider with its locations',
          params: Params,
          response: { 200: ProviderDetailSchema },
        },
      },
      async (req) => unwrap(await getProvider(deps, req.params.country_code, req.params.party_id)),
    );

    app.post(
      '/admin/providers/:country_code/:party_id/locations',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Add or replace one location (OCPI Location JSON)',
          description:
            'The owner in the body, when given, must be the provider of the URL (else 400). 404 for an unknown ' +
            'provider, 409 for an OCPI-integrated one. Responds with the stored Location.',
          params: Params,
          body: LocationObject,
          response: { 201: LocationObject },
        },
      },
      async (req, reply) => {
        const location = unwrap(await addLocation(deps, req.params.country_code, req.params.party_id, req.body));
        return reply.status(201).send(location as Record<string, unknown>);
      },
    );

    app.post(
      '/admin/providers/:country_code/:party_id/import',
      {
        schema: {
          tags,
          security: adminSecurity,
          summary: 'Import locations from CSV (text/csv) or JSON (application/json: an array of OCPI Locations)',
          description:
            'All or nothing: when any row is invalid, nothing is written and the answer is 422 IMPORT_REJECTED ' +
            'with `rows: [{row, field, reason}]` (row = CSV line with the header as line 1, or the array index). ' +
            'Re-importing a location id replaces it. 404 for an unknown provider, 409 for an OCPI-integrated one, ' +
            '413 above the body limit. See docs/providers.md for the CSV columns.',
          consumes: ['text/csv', 'application/json'],
          params: Params,
          body: z.union([z.string().describe('CSV text'), z.array(z.unknown()).describe('OCPI Location objects')]),
          response: { 200: ImportSummarySchema },
        },
      },
      async (req) => {
        const { country_code, party_id } = req.params;
        // Fastify also reads text/plain as a string; only text/csv is CSV here.
        const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (typeof req.body === 'string' && mediaType !== 'text/csv') {
          throw new AppError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Send CSV as text/csv or Locations as application/json, not ${mediaType}`,
          );
        }
        const input =
          typeof req.body === 'string'
            ? ({ format: 'csv', text: req.body } as const)
            : ({ format: 'json', body: req.body } as const);
        return unwrap(await importLocations(deps, country_code, party_id, input));
      },
    );
  };
}
