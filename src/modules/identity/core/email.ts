// E-mail addresses as account names: normalised once so that uniqueness is case-insensitive.

export const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit

const SHAPE = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/;

/**
 * The account key for an e-mail address: trimmed, Unicode NFC, lower case — or null when it is not an address.
 * The whole address is lower-cased: the local part is case-sensitive in theory, but no real mailbox provider
 * treats `Ann@` and `ann@` as different people, and users type both. Dots and `+tags` are kept: removing them is
 * only right for some providers.
 */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().normalize('NFC').toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH) return null;
  if (!SHAPE.test(email)) return null;
  const [local = '', domain = ''] = email.split('@');
  if (local.length > 64 || domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) return null;
  return email;
}
