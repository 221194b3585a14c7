// Builds the Fastify application: validation, OpenAPI, problem+json errors, request ids, rate limits,
// health/readiness, the API modules under /api/v1 and the built web app.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, problem } from './errors.ts';

export interface AppOptions {
  logLevel?: string;
  rateLimitMax?: number;
  rateLimitWindow?: string;
  bodyLimit?: number;
  trustProxy?: boolean;
  /** Folder of the built web app; served with an index.html fallback for client-side routes. */
  staticRoot?: string | undefined;
  /** API modules, registered under /api/v1. */
  modules: FastifyPluginAsync[];
  /** Modules registered at the root, without prefix (e.g. PAYONE's POST /payone/transaction-status). */
  rootModules?: FastifyPluginAsync[];
  /** Readiness check: resolves when the app can serve traffic. */
  ready: () => Promise<{ ok: boolean; detail?: string }>;
  /** Where log lines go (default stdout); tests pass a stream to assert what is logged. */
  logStream?: { write(line: string): void };
}

/** Query parameters whose values never reach the logs (e.g. the password-reset link `?token=…`). */
const SECRET_QUERY = /([?&](?:token|password|secret|key)=)[^&#]*/gi;
export const maskUrlSecrets = (url: string) => url.replace(SECRET_QUERY, '$1***');

export type App = FastifyInstance;

export async function buildApp(opts: AppOptions): Promise<App> {
  const app = Fastify({
    logger: {
      level: opts.logLevel ?? 'info',
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: {
        req: (req) => ({
          method: req.method,
          url: maskUrlSecrets(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: opts.bodyLimit ?? 5 * 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const send = (code: ErrorCode, detail: string, extra: Record<string, unknown> = {}) => {
      const body = problem(code, detail, { ...extra, instance: req.url, request_id: req.id });
      return reply.status(body.status).type('application/problem+json').send(body);
    };
    if (err instanceof AppError) return send(err.code, err.message, err.extra);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.map((v) => ({
        in: err.validationContext ?? 'request',
        path: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || null,
        message: v.message ?? 'invalid',
      }));
      const where = errors.map((e) => `${e.in}${e.path ? `.${e.path}` : ''}: ${e.message}`).join('; ');
      return send('VALIDATION_FAILED', where, { errors });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send('PAYLOAD_TOO_LARGE', `The body is larger than ${opts.bodyLimit ?? 5 * 1024 * 1024} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send('UNSUPPORTED_MEDIA_TYPE', err.message);
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send('BAD_REQUEST', err.message);
    }
    if (err.statusCode === 429) return send('RATE_LIMITED', err.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return send('BAD_REQUEST', err.message);
    req.log.error({ err }, 'unexpected error');
    return send('INTERNAL', 'An unexpected error occurred; quote the request id when reporting it');
  });

  await app.register(rateLimit, {
    max: opts.rateLimitMax ?? 1200,
    timeWindow: opts.rateLimitWindow ?? '1 minute',
    allowList: (req) => req.url === '/health' || req.url === '/ready',
    errorResponseBuilder: (_req, ctx) => {
      const e = new Error(`Rate limit of ${ctx.max} requests per ${ctx.after} exceeded`) as FastifyError;
      e.statusCode = 429;
      return e;
    },
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Lataus API',
        version: '1',
        description: 'The Lataus eMSP REST API. Errors are RFC 9457 problem+json documents with a stable `code`.',
      },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    const r = await opts.ready().catch((e: Error) => ({ ok: false, detail: e.message }));
    if (!r.ok)
      return reply
        .status(503)
        .type('application/problem+json')
        .send(problem('NOT_READY', r.detail ?? 'not ready'));
    return { status: 'ready' };
  });

  for (const mod of opts.modules) await app.register(mod, { prefix: '/api/v1' });
  for (const mod of opts.rootModules ?? []) await app.register(mod);

  const indexHtml = opts.staticRoot ? path.join(opts.staticRoot, 'index.html') : undefined;
  if (opts.staticRoot && indexHtml && fs.existsSync(indexHtml)) {
    await app.register(fastifyStatic, { root: opts.staticRoot, wildcard: false, index: ['index.html'] });
  }
  app.setNotFoundHandler((req, reply) => {
    const isApi = req.url.startsWith('/api/') || req.url.startsWith('/ocpi/');
    if (req.method === 'GET' && !isApi && indexHtml && fs.existsSync(indexHtml)) {
      return reply.type('text/html').sendFile('index.html'); // client-side route: the web app handles it
    }
    const body = problem('ROUTE_NOT_FOUND', `${req.method} ${req.url.split('?')[0]} does not exist`, {
      instance: req.url,
      request_id: req.id,
    });
    return reply.status(404).type('application/problem+json').send(body);
  });

  return app;
}
