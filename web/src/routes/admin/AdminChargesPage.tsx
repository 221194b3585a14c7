// Back office: charges, flagging the ones that need a person (CDR pending, payment failed), and one charge.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { adminApi, type ChargeView } from '../../driver-api.ts';
import { adminProblemText, useAdminToken } from '../../features/admin/AdminShell.tsx';
import { JsonBlock, ListCard, Segmented, StateBadge, When } from '../../features/admin/bits.tsx';
import { chargeStatusWords } from '../../features/charging/status.ts';
import { formatDuration, formatKwh, formatMoney } from '../../format.ts';
import { Spinner } from '../../ui/Spinner.tsx';
import { useResource } from '../../ui/useResource.ts';

function flagsOf(c: ChargeView): string[] {
  const flags = new Set(c.flags ?? []);
  if (c.status === 'CDR_PENDING') flags.add('CDR pending');
  if (c.status === 'PAYMENT_FAILED') flags.add('payment failed');
  return [...flags].map((f) => f.replaceAll('_', ' ').toLowerCase());
}

const filters = [
  ['all', 'All'],
  ['flagged', 'Needs attention'],
  ['live', 'Live'],
  ['failed', 'Did not start'],
] as const;
type Filter = (typeof filters)[number][0];

function matches(c: ChargeView, f: Filter): boolean {
  if (f === 'flagged') return c.needs_attention === true;
  if (f === 'live') return ['STARTING', 'CHARGING', 'STOPPING'].includes(c.status);
  if (f === 'failed') return c.status === 'FAILED';
  return true;
}

function amount(c: ChargeView): string {
  if (c.final) return formatMoney(c.final.incl_vat, c.final.currency);
  if (c.cost_so_far)
    return `${c.cost_so_far.at_least ? '≥ ' : ''}${formatMoney(c.cost_so_far.incl_vat, c.cost_so_far.currency)}`;
  return '—';
}

export function AdminChargesPage() {
  const token = useAdminToken();
  const [filter, setFilter] = useState<Filter>('all');
  const list = useResource(
    (signal) => (token ? adminApi.charges(token, signal) : Promise.resolve({ items: [] as ChargeView[] })),
    [token],
  );
  const all = list.data?.items ?? [];
  const items = all.filter((c) => matches(c, filter));
  const flagged = all.filter((c) => c.needs_attention).length;
  return (
    <main className="page admin">
      <h1>Charges</h1>
      <p className="muted">
        Charges started through Lataus.{' '}
        {flagged > 0 && (
          <strong className="warn-text" data-testid="charges-flagged">
            {flagged} {flagged === 1 ? 'needs' : 'need'} attention.
          </strong>
        )}
      </p>
      <Segmented value={filter} options={filters} onChange={setFilter} testId="charge-filter" />
      <ListCard
        title={items.length === 1 ? '1 charge' : `${items.length} charges`}
        what="charges"
        list={list}
        token={token}
        count={items.length}
        empty="No charges here."
        problem={adminProblemText}
      >
        <div className="table-wrap">
          <table className="table" data-testid="charges-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Where</th>
                <th scope="col" className="num">
                  Energy
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Flags</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-testid="charge-row" data-status={c.status}>
                  <td>
                    <Link to={`/admin/charges/${c.id}`}>
                      <When iso={c.started_at ?? c.created_at ?? c.updated_at} />
                    </Link>
                  </td>
                  <td>
                    <StateBadge state={c.status}>{chargeStatusWords[c.status]?.label ?? c.status}</StateBadge>
                  </td>
                  <td>
                    {c.location_name}
                    <br />
                    <span className="mono small muted">{c.evse_id}</span>
                  </td>
                  <td className="num">{formatKwh(c.kwh)}</td>
                  <td className="num">{amount(c)}</td>
                  <td>
                    {flagsOf(c).map((f) => (
                      <span
                        key={f}
                        className={c.needs_attention ? 'badge badge-warn' : 'badge'}
                        data-testid="charge-flag"
                      >
                        {f}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ListCard>
    </main>
  );
}

export function AdminChargePage() {
  const { id = '' } = useParams();
  const token = useAdminToken();
  const res = useResource((signal) => adminApi.charge(token, id, signal), [token, id]);
  const c = res.data;
  return (
    <main className="page admin">
      <p className="back">
        <Link to="/admin/charges">← Charges</Link>
      </p>
      {res.state === 'loading' && !c && <Spinner label="Loading the charge…" />}
      {res.state === 'error' && <p className="form-error">{adminProblemText(res.error)}</p>}
      {c && (
        <>
          <h1>
            {chargeStatusWords[c.status]?.label ?? c.status} <span className="mono small">{c.id}</span>
          </h1>
          <section className="card">
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <StateBadge state={c.status} /> {flagsOf(c).join(', ')}
              </dd>
              {c.failure_reason && (
                <>
                  <dt>Failure</dt>
                  <dd className="warn-text">{c.failure_reason}</dd>
                </>
              )}
              <dt>Where</dt>
              <dd>
                {c.location_name}, {c.address} · <span className="mono">{c.evse_id}</span> plug {c.connector_id}
              </dd>
              <dt>Time</dt>
              <dd>
                <When iso={c.started_at} /> → <When iso={c.stopped_at} /> ({formatDuration(c.duration_s)})
              </dd>
              <dt>Energy</dt>
              <dd>{formatKwh(c.kwh)}</dd>
              <dt>Amount</dt>
              <dd>{amount(c)}</dd>
              {c.payment_id && (
                <>
                  <dt>Payment</dt>
                  <dd>
                    <Link to={`/admin/payments/${c.payment_id}`}>{c.payment?.state ?? 'open'}</Link>
                  </dd>
                </>
              )}
              {c.receipt_url && (
                <>
                  <dt>Receipt</dt>
                  <dd>
                    <a href={c.receipt_url}>PDF</a>
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section className="card">
            <details>
              <summary>Everything the API returned</summary>
              <JsonBlock value={c} />
            </details>
          </section>
        </>
      )}
    </main>
  );
}
