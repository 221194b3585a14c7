// The OCPI Authorization header (digest §2.5): `Token <base64(token)>` in 2.2.1; many peers still send the raw
// token. We accept both (base64 first, then raw) and send per peer what it expects.
import { createHash, randomBytes } from 'node:crypto';

export type TokenEncoding = 'base64' | 'plain';

/** Credentials tokens: printable, non-whitespace ASCII (U+0021..U+007E), at most 64 characters. */
export const TOKEN_PATTERN = /^[\x21-\x7E]{1,64}$/;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The tokens an `Authorization` header may carry, most likely first: the base64-decoded value (when the value
 * is canonical base64 of printable ASCII; a trailing newline, as in the spec's own examples, is dropped) and
 * the raw value. Null when the header is missing or not of the `Token <value>` form.
 */
export function tokenCandidates(header: string | undefined): string[] | null {
  if (!header) return null;
  const m = /^Token[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!m?.[1]) return null;
  const raw = m[1];
  const out: string[] = [];
  if (raw.length % 4 === 0 && BASE64.test(raw)) {
    let decoded = Buffer.from(raw, 'base64').toString('latin1');
    if (decoded.endsWith('\n')) decoded = decoded.slice(0, -1);
    if (TOKEN_PATTERN.test(decoded)) out.push(decoded);
  }
  if (!out.includes(raw)) out.push(raw);
  return out;
}

export function authorizationHeader(token: string, encoding: TokenEncoding = 'base64'): string {
  return `Token ${encoding === 'base64' ? Buffer.from(token, 'utf8').toString('base64') : token}`;
}

/** We keep only hashes of the tokens partners present to us. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new credentials token: 43 characters of base64url (256 random bits). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
