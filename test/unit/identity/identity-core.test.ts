import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../../src/modules/identity/core/email.ts';
import { describePasswordProblems, passwordProblems } from '../../../src/modules/identity/core/password.ts';
import { hashToken, looksLikeToken, newToken } from '../../../src/modules/identity/core/token.ts';
import { createPasswordHasher } from '../../../src/modules/identity/passwords.ts';
import { cookieValue } from '../../../src/modules/identity/session-auth.ts';

describe('normalizeEmail', () => {
  it('trims, lower-cases and NFC-normalises; keeps dots and +tags', () => {
    expect(normalizeEmail('  Ann.Driver+EV@Example.COM\t')).toBe('ann.driver+ev@example.com');
    expect(normalizeEmail('Jose\u0301@example.com')).toBe('jos\u00e9@example.com');
    expect(normalizeEmail('JOSÉ@EXAMPLE.COM')).toBe(normalizeEmail('jose\u0301@example.com'));
  });
  it('rejects what is not an address', () => {
    for (const bad of ['', ' ', 'ann', 'ann@', '@example.com', 'ann@example', 'a b@example.com', 'a@b@c.de', 'a@.x.de'])
      expect(normalizeEmail(bad)).toBeNull();
    expect(normalizeEmail(`${'a'.repeat(65)}@example.com`)).toBeNull();
    expect(normalizeEmail(`a@${'b'.repeat(250)}.com`)).toBeNull();
  });
  it('is idempotent and case-blind', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (e) => {
        const n = normalizeEmail(e);
        if (n === null) return true;
        return normalizeEmail(n) === n && normalizeEmail(e.toUpperCase()) === normalizeEmail(e.toLowerCase());
      }),
    );
  });
});

describe('password policy', () => {
  it('needs at least 10 characters (code points, after NFKC)', () => {
    expect(passwordProblems('123456789', null)).toEqual(['TOO_SHORT']);
    expect(passwordProblems('1234567890', null)).toEqual([]);
    expect(passwordProblems('🔋🔋🔋🔋🔋🔋🔋🔋🔋🔋', null)).toEqual([]); // 10 code points, 20 UTF-16 units
    expect(passwordProblems('🔋🔋🔋🔋🔋', null)).toEqual(['TOO_SHORT']);
    expect(passwordProblems('x'.repeat(257), null)).toEqual(['TOO_LONG']);
  });
  it('must not be the e-mail address or its local part, in any case', () => {
    expect(passwordProblems('Someone.Long@Example.com', 'someone.long@example.com')).toEqual(['SAME_AS_EMAIL']);
    expect(passwordProblems('SOMEONE.LONG', 'someone.long@example.com')).toEqual(['SAME_AS_EMAIL']);
    expect(passwordProblems('someone.long!', 'someone.long@example.com')).toEqual([]);
  });
  it('describes the problems for people', () => {
    expect(describePasswordProblems(['TOO_SHORT', 'SAME_AS_EMAIL'])).toBe(
      'The password must be at least 10 characters and not the e-mail address',
    );
  });
});

describe('tokens', () => {
  it('are 256-bit base64url strings, all different', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newToken));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) {
      expect(looksLikeToken(t)).toBe(true);
      expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    }
  });
  it('are stored as SHA-256 hex', () => {
    const t = newToken();
    expect(hashToken(t)).toBe(createHash('sha256').update(t).digest('hex'));
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(t)).not.toContain(t);
  });
  it('anything else is not a token', () => {
    for (const bad of ['', 'abc', `${newToken()}x`, `${newToken().slice(0, 42)}=`, `${'a'.repeat(42)}/`])
      expect(looksLikeToken(bad)).toBe(false);
  });
});

describe('password hasher (argon2id)', () => {
  const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  it('verifies the right password only, and never without a stored hash', async () => {
    const h = await hasher.hash('correct horse battery');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify(h, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(h, 'correct horse batterY')).toBe(false);
    expect(await hasher.verify(null, 'correct horse battery')).toBe(false);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
  });
  it('treats NFC and NFD spellings of a password alike (NFKC)', async () => {
    const h = await hasher.hash('Jose\u0301 passphrase');
    expect(await hasher.verify(h, 'Jos\u00e9 passphrase')).toBe(true);
  });
  it('asks for a rehash when the parameters changed', async () => {
    const h = await hasher.hash('correct horse battery');
    expect(hasher.needsRehash(h)).toBe(false);
    expect(createPasswordHasher().needsRehash(h)).toBe(true);
    expect(hasher.needsRehash('garbage')).toBe(true);
  });
});

describe('cookieValue', () => {
  it('finds one cookie among others, decoded', () => {
    expect(cookieValue('a=1; lataus_session=abc.d%2Be; b=2', 'lataus_session')).toBe('abc.d+e');
    expect(cookieValue('xlataus_session=1', 'lataus_session')).toBeNull();
    expect(cookieValue(undefined, 'lataus_session')).toBeNull();
    expect(cookieValue('lataus_session=%E0%A4%A', 'lataus_session')).toBeNull();
  });
});
