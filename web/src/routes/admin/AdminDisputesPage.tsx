// Back office: CDRs whose costs disagree with our tariff audit (or could not be priced).
import { useState } from 'react';
import { adminApi, type Dispute } from '../../driver-api.ts';
import { adminProblemText, useAdminToken } from '../../features/admin/AdminShell.tsx';
import { JsonBlock, Segmented, StateBadge, When } from '../../features/admin/bits.tsx';
import { formatMoney } from '../../format.ts';
import { Spinner } from '../../ui/Spinner.tsx';
import { useResource } from '../../ui/useResource.ts';

const filters = [
  ['OPEN', 'Open'],
  ['RESOLVED', 'Resolved'],
  ['ALL', 'All'],
] as const;

interface Difference {
  field?: string;
  vat?: string;
  side?: string;
  claimed?: string | number | null;
  expected?: string | number | null;
  difference?: string | number | null;
}

function money(v: string | number | null | undefined, currency: string): string {
  return v == null ? '—' : formatMoney(String(v), currency);
}

function DisputeCard({ d, token, onChanged }: { d: Dispute; token: string; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const diffs = Array.isArray(d.differences) ? (d.differences as Difference[]) : [];
  return (
    <article className="card" data-testid="dispute" data-status={d.status}>
      <div className="card-head">
        <h2 className="card-title">
          CDR <span className="mono">{d.cdr_id}</span>
        </h2>
        <StateBadge state={d.status} />
      </div>
      <p className="muted small">
        {d.country_code}*{d.party_id} · {d.kind.replaceAll('_', ' ').toLowerCase()} · <When iso={d.created_at} />
      </p>
      <p>{d.message}</p>
      <p>
        The operator claims <strong>{money(d.claimed_total_excl, d.currency)}</strong>, our audit says{' '}
        <strong>{money(d.expected_total_excl, d.currency)}</strong> (excl. VAT)
        {d.difference_excl != null && <>: a difference of {money(d.difference_excl, d.currency)}</>}.
      </p>
      {diffs.length > 0 && (
        <div className="table-wrap">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col" className="num">
                  Claimed
                </th>
                <th scope="col" className="num">
                  Expected
                </th>
                <th scope="col" className="num">
                  Difference
                </th>
              </tr>
            </thead>
            <tbody>
              {diffs.map((x, i) => (
                <tr key={`${x.field}-${x.vat ?? x.side ?? i}`}>
                  <td className="mono small">
                    {x.field} {x.vat ?? x.side ?? ''}
                  </td>
                  <td className="num">{money(x.claimed, d.currency)}</td>
                  <td className="num">{money(x.expected, d.currency)}</td>
                  <td className="num">{money(x.difference, d.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {diffs.length === 0 && d.differences != null && (
        <details>
          <summary>Differences</summary>
          <JsonBlock value={d.differences} />
        </details>
      )}
      {d.status === 'OPEN' && (
        <div className="actions">
          <button
            type="button"
            className="btn btn-soft"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                await adminApi.resolveDispute(token, d.id);
                onChanged();
              } catch (e) {
                setError(adminProblemText(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            Mark resolved
          </button>
        </div>
      )}
      {error && <p className="form-error">{error}</p>}
    </article>
  );
}

export function AdminDisputesPage() {
  const token = useAdminToken();
  const [status, setStatus] = useState<'OPEN' | 'RESOLVED' | 'ALL'>('OPEN');
  const list = useResource(
    (signal) => (token ? adminApi.disputes(token, status, signal) : Promise.resolve({ disputes: [] as Dispute[] })),
    [token, status],
  );
  const items = list.data?.disputes ?? [];
  return (
    <main className="page admin">
      <h1>Disputes</h1>
      <p className="muted">
        Charge records (CDRs) whose costs disagree with what the operator’s own tariff gives, checked by our tariff
        engine.
      </p>
      <Segmented value={status} options={filters} onChange={setStatus} testId="dispute-filter" />
      {!token && <p className="muted">Enter the admin token to see disputes.</p>}
      {token && list.state === 'loading' && !list.data && <Spinner label="Loading disputes…" />}
      {list.state === 'error' && <p className="form-error">{adminProblemText(list.error)}</p>}
      {list.data && items.length === 0 && (
        <p className="muted" data-testid="no-disputes">
          No disputes here.
        </p>
      )}
      <div className="card-list wide">
        {items.map((d) => (
          <DisputeCard key={d.id} d={d} token={token} onChanged={list.reload} />
        ))}
      </div>
    </main>
  );
}
