// GET /api/v1/config: what the web app needs to know about this deployment.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.ts';

export function configRoutes(config: Config): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/config',
      {
        schema: {
          tags: ['web'],
          summary: 'Deployment settings for the web app',
          response: {
            200: z.object({
              map_style_url: z.string().nullable(),
              admin_token_hint: z.string().nullable(),
              currency_locale: z.string(),
            }),
          },
        },
      },
      async () => ({
        map_style_url: config.MAP_STYLE_URL ?? null,
        // Only the development default is ever revealed, so a demo's back office works out of the box.
        admin_token_hint: config.adminTokenIsDefault ? config.adminToken : null,
        currency_locale: 'de-DE',
      }),
    );
  };
}
