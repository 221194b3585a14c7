// Every error the HTTP API returns has a stable code listed here; the API renders it as RFC 9457 problem+json.

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'Conflict with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  IMPORT_REJECTED: { status: 422, title: 'The import was rejected; nothing was imported' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  // identity (docs/identity.md)
  EMAIL_TAKEN: { status: 409, title: 'An account with this e-mail address exists already' },
  INVALID_CREDENTIALS: { status: 401, title: 'E-mail address or password is wrong' },
  WEAK_PASSWORD: { status: 400, title: 'The password does not meet the password policy' },
  RESET_TOKEN_INVALID: { status: 400, title: 'The password-reset link is invalid, used or expired' },
  CSRF_REJECTED: { status: 403, title: 'Cross-site request rejected' },
  TOO_MANY_SIGNIN_ATTEMPTS: { status: 429, title: 'Too many failed sign-in attempts' },
  // charging (docs/charging.md)
  EVSE_NOT_FOUND: { status: 404, title: 'There is no charge point with this EVSE id' },
  CONNECTOR_NOT_FOUND: { status: 404, title: 'The charge point has no such connector' },
  EVSE_NOT_AVAILABLE: { status: 409, title: 'The charge point cannot start a charge now' },
  CHARGE_NOT_FOUND: { status: 404, title: 'No such charge' },
  CARD_REQUIRED: { status: 400, title: 'A card is needed to pay for the charge' },
  CARD_DECLINED: { status: 402, title: 'The card was declined' },
  START_REJECTED: { status: 502, title: 'The operator did not start the charge' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, title: 'The idempotency key was used for a different charge' },
  CHARGE_NOT_STOPPABLE: { status: 409, title: 'The charge cannot be stopped in its current state' },
  NOTHING_TO_PAY: { status: 409, title: 'The charge has nothing left to pay' },
  INTERNAL: { status: 500, title: 'Internal error' },
  NOT_READY: { status: 503, title: 'Not ready' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  request_id?: string;
  [extension: string]: unknown;
}

/** An expected failure with a stable code; `extra` becomes extension members of the problem document. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
}

export function problem(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  const { status, title } = ERRORS[code];
  return {
    type: `https://lataus.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail,
    code,
    ...extra,
  };
}
