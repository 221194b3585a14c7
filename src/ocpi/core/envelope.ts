// The OCPI response envelope and status codes (digest §3.2, §3.3). Every answer of the OCPI layer uses it,
// errors included; the HTTP status is chosen separately (OCPI answers 200 for most client errors).

export const OcpiStatus = {
  SUCCESS: 1000,
  CLIENT_ERROR: 2000,
  INVALID_PARAMETERS: 2001,
  NOT_ENOUGH_INFORMATION: 2002,
  UNKNOWN_LOCATION: 2003,
  UNKNOWN_TOKEN: 2004,
  SERVER_ERROR: 3000,
  UNABLE_TO_USE_CLIENT_API: 3001,
  UNSUPPORTED_VERSION: 3002,
  NO_MATCHING_ENDPOINTS: 3003,
  HUB_ERROR: 4000,
} as const;
export type OcpiStatusCode = (typeof OcpiStatus)[keyof typeof OcpiStatus];

export interface OcpiEnvelope<T = unknown> {
  data?: T;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

/** OCPI DateTime in UTC with a `Z` (what we emit; we accept more, see last-updated.ts). */
export function ocpiDateTime(d: Date): string {
  return d.toISOString();
}

export function envelope<T>(
  status_code: number,
  opts: { data?: T; message?: string | undefined; now?: Date } = {},
): OcpiEnvelope<T> {
  const e: OcpiEnvelope<T> = { status_code, timestamp: ocpiDateTime(opts.now ?? new Date()) };
  if (opts.data !== undefined) e.data = opts.data;
  if (opts.message) e.status_message = opts.message;
  return e;
}

export const success = <T>(data?: T, message?: string): OcpiEnvelope<T> =>
  envelope(OcpiStatus.SUCCESS, { data, message: message ?? 'Success' });

/**
 * An expected OCPI failure: `statusCode` goes into the envelope, `http` is the HTTP status (200 unless the spec
 * asks for an HTTP error: 400 invalid JSON, 401 unknown token, 404 unknown object or party, 405 credentials state).
 */
export class OcpiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly http: number = 200,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const invalid = (message: string, http = 200) => new OcpiError(OcpiStatus.INVALID_PARAMETERS, message, http);

/** Formats validation issues ({path, message}) into one status_message. */
export function issuesMessage(what: string, issues: readonly { path: string; message: string }[], max = 8): string {
  const shown = issues.slice(0, max).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > max ? `; and ${issues.length - max} more` : '';
  return `Invalid ${what}: ${shown.join('; ')}${more}`;
}

/** Reads an envelope we received from a partner; throws when it is not one. */
export function readEnvelope(json: unknown): OcpiEnvelope {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('response is not an OCPI envelope (not a JSON object)');
  const o = json as Record<string, unknown>;
  if (typeof o.status_code !== 'number') throw new Error('response is not an OCPI envelope (no numeric status_code)');
  return {
    data: o.data,
    status_code: o.status_code,
    status_message: typeof o.status_message === 'string' ? o.status_message : undefined,
    timestamp: typeof o.timestamp === 'string' ? o.timestamp : '',
  } as OcpiEnvelope;
}
