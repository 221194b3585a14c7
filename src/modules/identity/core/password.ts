// The password policy (NIST SP 800-63B style: length over composition rules) and the form a password is hashed in.

export const MIN_PASSWORD_LENGTH = 10;
/** Upper bound so that hashing stays cheap for the server; long passphrases still fit. */
export const MAX_PASSWORD_LENGTH = 256;

export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'SAME_AS_EMAIL';

/** Passwords are compared and hashed in NFKC so that the same characters typed on different devices match. */
export function preparePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length is counted in Unicode code points of the prepared password. */
export function passwordProblems(password: string, normalizedEmail: string | null): PasswordProblem[] {
  const prepared = preparePassword(password);
  const length = [...prepared].length;
  const problems: PasswordProblem[] = [];
  if (length < MIN_PASSWORD_LENGTH) problems.push('TOO_SHORT');
  if (length > MAX_PASSWORD_LENGTH) problems.push('TOO_LONG');
  if (normalizedEmail) {
    const lowered = prepared.trim().toLowerCase();
    const local = normalizedEmail.split('@')[0] ?? '';
    if (lowered === normalizedEmail || (local.length > 0 && lowered === local)) problems.push('SAME_AS_EMAIL');
  }
  return problems;
}

export function describePasswordProblems(problems: PasswordProblem[]): string {
  const text: Record<PasswordProblem, string> = {
    TOO_SHORT: `at least ${MIN_PASSWORD_LENGTH} characters`,
    TOO_LONG: `at most ${MAX_PASSWORD_LENGTH} characters`,
    SAME_AS_EMAIL: 'not the e-mail address',
  };
  return `The password must be ${problems.map((p) => text[p]).join(' and ')}`;
}
