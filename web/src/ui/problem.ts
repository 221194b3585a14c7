import { ApiError } from '../api.ts';

/** An API failure in plain words for the person in front of the screen. */
export function explain(e: unknown, fallback = 'Something went wrong. Please try again.'): string {
  if (e instanceof ApiError) {
    const p = e.problem;
    if (e.status === 429) return p.detail ?? 'Too many attempts. Please wait a moment and try again.';
    if (e.status >= 500) return 'Lataus could not do this right now. Please try again in a minute.';
    return p.detail || p.title || fallback;
  }
  if (e instanceof TypeError) return 'We could not reach Lataus. Check your connection and try again.';
  return e instanceof Error && e.message ? e.message : fallback;
}

/** True when the endpoint itself does not exist (a module that is not deployed yet). */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && e.problem.code === 'ROUTE_NOT_FOUND';
}
