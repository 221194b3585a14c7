// Opaque secrets handed to browsers (session and password-reset tokens): 256 random bits, stored only hashed.
import { createHash, randomBytes } from 'node:crypto';

/** A fresh token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps: SHA-256 hex. A fast hash is enough because the token has 256 bits of entropy. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Tokens we issued look like this; anything else is rejected before a database lookup. */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
