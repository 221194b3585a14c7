// Password hashing with argon2id (@node-rs/argon2). Parameters: OWASP's first recommended set (19 MiB, 2 passes,
// 1 lane) — about 50 ms per hash on one core. Unknown e-mails are verified against a dummy hash so that a sign-in
// takes the same time whether or not the account exists.
import { hash, parseOptions, verify } from '@node-rs/argon2';
import { preparePassword } from './core/password.ts';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const ARGON2_PARAMS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, not importable under isolatedModules)

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against the stored hash, or against a dummy hash when there is none (same cost either way). */
  verify(storedHash: string | null, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters than today's (rehash after a successful sign-in). */
  needsRehash(storedHash: string): boolean;
}

export function createPasswordHasher(params: Argon2Params = ARGON2_PARAMS): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params } as const;
  // Made once, up front, so that even the first sign-in of an unknown e-mail costs one verification only.
  const dummy = hash('lataus-dummy-password-for-unknown-accounts', options);
  dummy.catch(() => {}); // surfaced by the first verify that awaits it
  const dummyHash = () => dummy;
  return {
    hash: (password) => hash(preparePassword(password), options),
    async verify(storedHash, password) {
      const target = storedHash ?? (await dummyHash());
      try {
        const ok = await verify(target, preparePassword(password));
        return ok && storedHash !== null;
      } catch {
        return false; // a corrupt hash never authenticates
      }
    },
    needsRehash(storedHash) {
      try {
        const p = parseOptions(storedHash);
        return (
          p.algorithm !== ARGON2ID ||
          p.memoryCost !== params.memoryCost ||
          p.timeCost !== params.timeCost ||
          p.parallelism !== params.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
