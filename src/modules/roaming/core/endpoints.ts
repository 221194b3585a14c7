// Finding a partner's endpoint by module and role in its version details.
import type { Endpoint } from './ocpi-objects.schema.ts';

/** The URL of a partner's endpoint for a module and role (credentials: any role), without a trailing slash. */
export function endpointUrl(p: { endpoints: Endpoint[] }, module: string, role?: 'SENDER' | 'RECEIVER'): string | null {
  const list = p.endpoints ?? [];
  const e =
    list.find((x) => x.identifier === module && (role === undefined || x.role === role)) ??
    (module === 'credentials' ? list.find((x) => x.identifier === module) : undefined);
  return e ? e.url.replace(/\/+$/, '') : null;
}
