// Sign up, sign in and password reset (cookie session; docs/identity.md). After signing in the driver goes back to
// where they came from (?next=, e.g. a charge point's page) or to the account.
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
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

export function SignInPage() {
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const { setDriver } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = safeNext(sp.get('next'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDriver(await accountApi.signIn({ email: email.trim(), password }));
      navigate(next, { replace: true });
    } catch (err) {
      setError(signInProblem(err));
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in">
      <form className="form" onSubmit={submit} data-testid="signin-form">
        <label className="field">
          <span>E-mail</span>
          <input
            type="email"
            required
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="signin-email"
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="signin-password"
          />
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-big" disabled={busy} data-testid="signin-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = safeNext(sp.get('next'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDriver(
        await accountApi.signUp({
          email: form.email.trim(),
          password: form.password,
          ...(form.name.trim() ? { name: form.name.trim() } : {}),
        }),
      );
      navigate(next, { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError && err.problem.code === 'EMAIL_TAKEN'
          ? 'There is already an account with this e-mail address. Sign in instead, or reset the password.'
          : weakPasswordText(err),
      );
      setBusy(false);
    }
  };
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <AuthCard
      title="Create an account"
      intro="Save a card to start charging in one tap, get a virtual charge card and keep all your receipts."
    >
      <form className="form" onSubmit={submit} data-testid="signup-form">
        <label className="field">
          <span>Name (optional)</span>
          <input autoComplete="name" value={form.name} onChange={set('name')} data-testid="signup-name" />
        </label>
        <label className="field">
          <span>E-mail</span>
          <input
            type="email"
            required
            autoComplete="email"
            value={form.email}
            onChange={set('email')}
            data-testid="signup-email"
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            required
            minLength={10}
            autoComplete="new-password"
            value={form.password}
            onChange={set('password')}
            aria-describedby="pw-hint"
            data-testid="signup-password"
          />
          <small id="pw-hint" className="hint">
            At least 10 characters, and not your e-mail address.
          </small>
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="signup-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-big" disabled={busy} data-testid="signup-submit">
          {busy ? 'Creating…' : 'Create account'}
        </button>
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
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDone((await accountApi.requestReset(email.trim())).message);
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
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
          <label className="field">
            <span>E-mail</span>
            <input
              type="email"
              required
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              data-testid="reset-email"
            />
          </label>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-big" disabled={busy} data-testid="reset-submit">
            {busy ? 'Sending…' : 'Send the link'}
          </button>
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
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { setDriver } = useSession();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await accountApi.confirmReset(token, password);
      setDriver(null);
      setDone(true);
    } catch (err) {
      setError(
        err instanceof ApiError && err.problem.code === 'RESET_TOKEN_INVALID'
          ? 'This link is invalid, already used or expired. Ask for a new one.'
          : weakPasswordText(err),
      );
    } finally {
      setBusy(false);
    }
  };
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
          <label className="field">
            <span>New password</span>
            <input
              type="password"
              required
              minLength={10}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="reset-password"
            />
            <small className="hint">At least 10 characters, and not your e-mail address.</small>
          </label>
          {error && (
            <p className="form-error" role="alert" data-testid="reset-error">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-big" disabled={busy} data-testid="reset-confirm-submit">
            {busy ? 'Saving…' : 'Save the new password'}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
