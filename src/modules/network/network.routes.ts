// HTTP routes of station search: thin — validate with the zod schemas, call the use case, map errors.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/http/errors.ts';
import {
  detailParamsSchema,
  detailQuerySchema,
  LocationDetailSchema,
  LocationListSchema,
  listQuerySchema,
  type MarkerCollection,
  MarkerCollectionSchema,
  markersQuerySchema,
} from './core/search.schema.ts';
import { createMarkerOverview, type MarkerOverview } from './marker-overview.ts';
import { findLocationDetail, findLocations, findMarkers } from './network.search.ts';

export interface NetworkRouteDeps {
  db: Kysely<Database>;
  /** The clock for open_now and prices; tests pass a fixed instant. */
  now?: () => Date;
  /** Markers with a zoom level: more matches than this come back as grid clusters (default 500). */
  markerClusterAbove?: number;
  /** Nearby and bbox lists count their matches up to this many, then say `more` (default 1,000). */
  listCountLimit?: number;
  /** Zoomed-out maps without filters are clustered from this (default: one over `db`, 30 s old at most); null: never. */
  markerOverview?: MarkerOverview | null;
}

/**
 * Markers and lists are built by typed code from validated data and can be large (thousands of features): they are
 * serialised with plain JSON.stringify instead of being re-validated by zod on the way out. Their zod schemas still
 * document them in OpenAPI, and the tests check the shapes.
 */
const plainJson = () => (data: unknown) => (typeof data === 'string' ? data : JSON.stringify(data));

export function networkRoutes(deps: NetworkRouteDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (fastify) => {
    const overview =
      deps.markerOverview === undefined
        ? createMarkerOverview(deps.db, { onError: (e) => fastify.log.error(e, 'network overview') })
        : (deps.markerOverview ?? undefined);
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['Station search'];

    app.get(
      '/locations/markers',
      {
        schema: {
          tags,
          summary:
            'Map markers: published locations as compact rows [lon, lat, party, id, status, available, total, max_power_kw] (at most 20,000); with bbox and zoom, a dense viewport as grid clusters [lon, lat, count, available, occupied] (zoomed out to 8 or less without filters: from a network overview at most 30 s old)',
          querystring: markersQuerySchema,
          response: { 200: MarkerCollectionSchema },
        },
        serializerCompiler: plainJson,
      },
      // A string is JSON made by the database (see findMarkers); plainJson sends it unchanged.
      async (req, reply) => {
        const markers = await findMarkers(deps.db, req.query, now(), deps.markerClusterAbove, overview);
        if (typeof markers === 'string') reply.type('application/json; charset=utf-8');
        return markers as MarkerCollection;
      },
    );

    app.get(
      '/locations',
      {
        schema: {
          tags,
          summary:
            'Search locations nearby (lat, lon, radius) or in a bbox, nearest first (to the point or to the centre of ' +
            'the box; counted up to 1,000, then `more`); without either, the whole network by name',
          querystring: listQuerySchema,
          response: { 200: LocationListSchema },
        },
        serializerCompiler: plainJson,
      },
      async (req) => findLocations(deps.db, req.query, now(), { listCountLimit: deps.listCountLimit }),
    );

    app.get(
      '/locations/:id',
      {
        schema: {
          tags,
          summary: 'One published location with its EVSEs, connectors and prices',
          params: detailParamsSchema,
          querystring: detailQuerySchema,
          response: { 200: LocationDetailSchema },
        },
      },
      async (req) => {
        const r = await findLocationDetail(deps.db, req.params.id, req.query, now());
        if (r.ok) return r.detail;
        if (r.code === 'CONFLICT') throw new AppError('CONFLICT', r.message, { parties: r.parties });
        throw new AppError('NOT_FOUND', r.message);
      },
    );
  };
}
