// Back-office authentication: every admin endpoint requires `Authorization: Bearer <ADMIN_TOKEN>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** OpenAPI security requirement for admin routes (the `admin` scheme is declared in app.ts). */
export const adminSecurity = [{ admin: [] }];

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * A Fastify hook that rejects requests without the admin bearer token with 401 problem+json UNAUTHORIZED.
 * Register it as `onRequest` (preferred: runs before the body is read, so an anonymous client cannot make us
 * parse a large upload) or as `preHandler`. Both tokens are hashed first so that the comparison takes the same
 * time whatever the length or content of the presented token.
 */
export function adminAuth(adminToken: string) {
  if (adminToken.length === 0) throw new Error('adminAuth: the admin token must not be empty');
  const expected = digest(adminToken);
  return async function requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    const presented = match?.[1];
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return;
    reply.header('www-authenticate', 'Bearer realm="lataus-admin"');
    throw new AppError(
      'UNAUTHORIZED',
      presented === undefined
        ? 'This endpoint requires an Authorization: Bearer <admin token> header'
        : 'The admin token is not valid',
    );
  };
}
