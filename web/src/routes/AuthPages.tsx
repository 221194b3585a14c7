// Sign up, sign in and password reset (cookie session; docs/identity.md). After signing in the driver goes back to
// where they came from (?next=, e.g. a charge point's page) or to the account.
import { type FormEvent, type InputHTMLAttributes, type ReactNode, useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api.ts';
import { accountApi } from '../driver-api.ts';
import { useSession } from '../features/account/session.tsx';
import { explain } from '../ui/problem.ts';

/** Only same-site paths are followed after sign in. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/account';
}

function AuthCard({ title, children, intro }: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <main className="page narrow auth-page">
      <div className="card form auth-card">
        <h1>{title}</h1>
        {intro && <p className="muted">{intro}</p>}
        {children}
      </div>
    </main>
  );
}

const reasonWords: Record<string, string> = {
  TOO_SHORT: 'The password is too short: use at least 10 characters.',
  TOO_LONG: 'The password is too long: use at most 256 characters.',
  SAME_AS_EMAIL: 'The password must not be your e-mail address.',
};

function weakPasswordText(e: unknown): string {
  if (e instanceof ApiError && e.problem.code === 'WEAK_PASSWORD') {
    const reasons = (e.problem as { reasons?: unknown }).reasons;
    if (Array.isArray(reasons) && reasons.length)
      return reasons.map((r) => reasonWords[String(r)] ?? String(r)).join(' ');
  }
  return explain(e);
}

function signInProblem(e: unknown): string {
  if (e instanceof ApiError && e.problem.code === 'INVALID_CREDENTIALS')
    return 'The e-mail address or the password is wrong.';
  if (e instanceof ApiError && e.problem.code === 'TOO_MANY_SIGNIN_ATTEMPTS') {
    const seconds = Number((e.problem as { retry_after?: unknown }).retry_after ?? 900);
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    return `Too many attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, or reset your password.`;
  }
  return explain(e);
}

/** Busy and error state of a form whose submit runs `action`; `problem` turns a failure into words. */
function useSubmit(action: () => Promise<void>, problem: (e: unknown) => string = explain) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(problem(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

/** A labelled input with an optional hint below it (linked with aria-describedby). */
function Field({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const hintId = hint && input.id ? `${input.id}-hint` : undefined;
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} aria-describedby={hintId} />
      {hint && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
    </label>
  );
}

function FormError({ error, testId }: { error: string | null; testId?: string }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert" data-testid={testId}>
      {error}
    </p>
  );
}

function Submit({
  busy,
  label,
  busyLabel,
  testId,
}: {
  busy: boolean;
  label: string;
  busyLabel: string;
  testId: string;
}) {
  return (
    <button type="submit" className="btn btn-primary btn-big" disabled={busy} data-testid={testId}>
      {busy ? busyLabel : label}
    </button>
  );
}

const PASSWORD_HINT = 'At least 10 characters, and not your e-mail address.';

export function SignInPage() {
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const { setDriver } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(sp.get('next'));
  const { busy, error, submit } = useSubmit(async () => {
    setDriver(await accountApi.signIn({ email: email.trim(), password }));
    navigate(next, { replace: true });
  }, signInProblem);

  return (
    <AuthCard title="Sign in">
      <form className="form" onSubmit={submit} data-testid="signin-form">
        <Field
          label="E-mail"
          type="email"
          required
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="signin-email"
        />
        <Field
          label="Password"
          type="password"
          required
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="signin-password"
        />
        <FormError error={error} testId="signin-error" />
        <Submit busy={busy} label="Sign in" busyLabel="Signing in…" testId="signin-submit" />
      </form>
      <p className="auth-links">
        <Link to="/reset-password">Forgot your password?</Link>
        <Link to={`/signup${sp.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
      </p>
    </AuthCard>
  );
}

export function SignUpPage() {
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const { setDriver } = useSession();
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const next = safeNext(sp.get('next'));
  const { busy, error, submit } = useSubmit(
    async () => {
      setDriver(
        await accountApi.signUp({
          email: form.email.trim(),
          password: form.password,
          ...(form.name.trim() ? { name: form.name.trim() } : {}),
        }),
      );
      navigate(next, { replace: true });
    },
    (err) =>
      err instanceof ApiError && err.problem.code === 'EMAIL_TAKEN'
        ? 'There is already an account with this e-mail address. Sign in instead, or reset the password.'
        : weakPasswordText(err),
  );
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <AuthCard
      title="Create an account"
      intro="Save a card to start charging in one tap, get a virtual charge card and keep all your receipts."
    >
      <form className="form" onSubmit={submit} data-testid="signup-form">
        <Field
          label="Name (optional)"
          autoComplete="name"
          value={form.name}
          onChange={set('name')}
          data-testid="signup-name"
        />
        <Field
          label="E-mail"
          type="email"
          required
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          data-testid="signup-email"
        />
        <Field
          label="Password"
          id="signup-password"
          hint={PASSWORD_HINT}
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          data-testid="signup-password"
        />
        <FormError error={error} testId="signup-error" />
        <Submit busy={busy} label="Create account" busyLabel="Creating…" testId="signup-submit" />
      </form>
      <p className="auth-links">
        <span>
          Have an account?{' '}
          <Link to={`/signin${sp.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign in</Link>
        </span>
      </p>
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const [sp] = useSearchParams();
  // The token leaves the address bar at once (and is never sent as a Referer); the page keeps it in state.
  const [token] = useState(() => sp.get('token'));
  useEffect(() => {
    if (!token) return;
    window.history.replaceState(window.history.state, '', '/reset-password');
    const meta = document.createElement('meta');
    meta.name = 'referrer';
    meta.content = 'no-referrer';
    document.head.append(meta);
    return () => meta.remove();
  }, [token]);
  return token ? <ResetConfirm token={token} /> : <ResetRequest />;
}

function ResetRequest() {
  const [email, setEmail] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    setDone((await accountApi.requestReset(email.trim())).message);
  });
  return (
    <AuthCard
      title="Forgot your password?"
      intro="We send you a link to choose a new one. The link works for one hour."
    >
      {done ? (
        <p className="form-ok" role="status" data-testid="reset-requested">
          {done}
        </p>
      ) : (
        <form className="form" onSubmit={submit} data-testid="reset-request-form">
          <Field
            label="E-mail"
            type="email"
            required
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="reset-email"
          />
          <FormError error={error} />
          <Submit busy={busy} label="Send the link" busyLabel="Sending…" testId="reset-submit" />
        </form>
      )}
      <p className="auth-links">
        <Link to="/signin">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}

function ResetConfirm({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { setDriver } = useSession();
  const { busy, error, submit } = useSubmit(
    async () => {
      await accountApi.confirmReset(token, password);
      setDriver(null);
      setDone(true);
    },
    (err) =>
      err instanceof ApiError && err.problem.code === 'RESET_TOKEN_INVALID'
        ? 'This link is invalid, already used or expired. Ask for a new one.'
        : weakPasswordText(err),
  );
  return (
    <AuthCard title="Choose a new password">
      {done ? (
        <>
          <p className="form-ok" role="status" data-testid="reset-done">
            Your password was changed. You were signed out on all devices.
          </p>
          <Link className="btn btn-primary btn-big" to="/signin">
            Sign in
          </Link>
        </>
      ) : (
        <form className="form" onSubmit={submit} data-testid="reset-confirm-form">
          <Field
            label="New password"
            id="reset-password"
            hint={PASSWORD_HINT}
            type="password"
            required
            minLength={10}
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="reset-password"
          />
          <FormError error={error} testId="reset-error" />
          <Submit busy={busy} label="Save the new password" busyLabel="Saving…" testId="reset-confirm-submit" />
        </form>
      )}
    </AuthCard>
  );
}
