// Small shared pieces of the back office pages.
import type { ReactNode } from 'react';
import { formatDateTime } from '../../format.ts';
import { Spinner } from '../../ui/Spinner.tsx';
import type { Resource } from '../../ui/useResource.ts';

/** Secret-looking fields are never shown in full, even if the API sent them unmasked. */
const secretKeys = /^(key|portal_?key|password|token|token_[abc]|accesscode|cardpan|cardcvc2|cvc|iban|bic|hash)$/i;

export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        if (secretKeys.test(k) && typeof v === 'string' && v && !/^[*•x]+/.test(v))
          return [k, v.length > 8 ? `••••${v.slice(-2)}` : '••••'];
        if (k === 'pseudocardpan' && typeof v === 'string' && v.length > 8)
          return [k, `${v.slice(0, 4)}…${v.slice(-4)}`];
        return [k, maskSecrets(v, depth + 1)];
      }),
    );
  }
  return value;
}

export function JsonBlock({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(maskSecrets(value), null, 2)}</pre>;
}

export function When({ iso }: { iso: string | null | undefined }) {
  return iso ? <time dateTime={iso}>{formatDateTime(iso)}</time> : <span className="muted">—</span>;
}

export function StateBadge({ state, children }: { state: string; children?: ReactNode }) {
  const s = state.toLowerCase();
  const tone = /fail|declin|error|charged_back|payment_failed|timed_out|rejected|suspend|gave/.test(s)
    ? 'warn'
    : /paid|captured|ok|registered|sent|local|succeeded|resolved|pre_authorized|refunded/.test(s)
      ? 'ok'
      : /released|off|unregistered|skipped/.test(s)
        ? 'off'
        : 'busy';
  return (
    <span className={`badge badge-${tone}`} data-state={state}>
      {children ?? state.replaceAll('_', ' ').toLowerCase()}
    </span>
  );
}

export function Segmented<T extends string>({
  value,
  options,
  onChange,
  testId,
}: {
  value: T;
  options: ReadonlyArray<readonly [T, string]>;
  onChange: (v: T) => void;
  testId?: string;
}) {
  return (
    <div className="filter-chips" data-testid={testId}>
      {options.map(([v, label]) => (
        <button
          key={v || 'all'}
          type="button"
          className={`chip-btn ${value === v ? 'is-on' : ''}`}
          aria-pressed={value === v}
          onClick={() => onChange(v)}
          data-value={v}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/**
 * A back-office list in a card: heading with a Refresh button, and the states every list has (no admin token yet,
 * first load, error, empty); `children` (the table) is shown once there are items.
 */
export function ListCard({
  title,
  what,
  list,
  token,
  count,
  empty,
  problem,
  headingId,
  children,
}: {
  title: ReactNode;
  /** The items in words, plural: "Enter the admin token to see {what}", "Loading {what}…". */
  what: string;
  list: Resource<unknown>;
  token: string;
  count: number;
  empty: string;
  problem: (e: unknown) => string;
  headingId?: string;
  children: ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="card-head">
        <h2 id={headingId}>{title}</h2>
        <button type="button" className="btn btn-soft" onClick={list.reload} disabled={!token}>
          Refresh
        </button>
      </div>
      {!token && <p className="muted">Enter the admin token to see {what}.</p>}
      {token && list.state === 'loading' && !list.data && <Spinner label={`Loading ${what}…`} />}
      {list.state === 'error' && <p className="form-error">{problem(list.error)}</p>}
      {list.data != null && count === 0 && <p className="muted">{empty}</p>}
      {count > 0 && children}
    </section>
  );
}
