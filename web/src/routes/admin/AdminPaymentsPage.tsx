// Back office: payments by state, and one payment's full PAYONE timeline (requests with masked secrets,
// responses, notifications, state changes) with the failed step highlighted.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { type AdminPayment, adminApi, type PaymentEvent } from '../../driver-api.ts';
import { adminProblemText, useAdminToken } from '../../features/admin/AdminShell.tsx';
import { JsonBlock, ListCard, Segmented, StateBadge, When } from '../../features/admin/bits.tsx';
import { formatMinor } from '../../format.ts';
import { Spinner } from '../../ui/Spinner.tsx';
import { useResource } from '../../ui/useResource.ts';

const stateFilters = [
  ['', 'All'],
  ['redirect_pending', '3-D Secure'],
  ['pre_authorized', 'Held'],
  ['captured', 'Captured'],
  ['paid', 'Paid'],
  ['released', 'Released'],
  ['refunded', 'Refunded'],
  ['failed', 'Failed'],
  ['charged_back', 'Charged back'],
] as const;
type StateFilter = (typeof stateFilters)[number][0];

export function AdminPaymentsPage() {
  const token = useAdminToken();
  const [state, setState] = useState<StateFilter>('');
  const list = useResource(
    (signal) => (token ? adminApi.payments(token, state || undefined, signal) : Promise.resolve({ items: [] })),
    [token, state],
  );
  const items = list.data?.items ?? [];
  return (
    <main className="page admin">
      <h1>Payments</h1>
      <p className="muted">Card payments of charges (PAYONE), newest first.</p>
      <Segmented value={state} options={stateFilters} onChange={setState} testId="payment-state-filter" />
      <ListCard
        title={items.length === 1 ? '1 payment' : `${items.length} payments`}
        what="payments"
        list={list}
        token={token}
        count={items.length}
        empty="No payments in this state."
        problem={adminProblemText}
      >
        <div className="table-wrap">
          <table className="table" data-testid="payments-table">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Held
                </th>
                <th scope="col" className="num">
                  Captured
                </th>
                <th scope="col">Reference</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} data-testid="payment-row" data-state={p.state}>
                  <td>
                    <Link to={`/admin/payments/${p.id}`}>
                      <When iso={p.created_at} />
                    </Link>
                  </td>
                  <td>
                    <StateBadge state={p.state} />
                  </td>
                  <td className="num">{formatMinor(p.amounts.authorized || p.amounts.requested, p.currency)}</td>
                  <td className="num">{formatMinor(p.amounts.captured, p.currency)}</td>
                  <td className="mono small">{p.reference}</td>
                  <td className="small">
                    {p.failure ? (
                      <span className="warn-text">
                        {p.failed_step && <strong>{p.failed_step}: </strong>}
                        {p.failure.message ?? p.failure.code}
                      </span>
                    ) : (
                      ''
                    )}
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

/** A step failed when it is a rejected event, the last declined/errored response, or the move to `failed`. */
function isFailedEvent(e: PaymentEvent, lastFailedResponse: string | null): boolean {
  if (e.type === 'rejected') return true;
  if (e.id === lastFailedResponse) return true;
  return e.type === 'transition' && e.state_after === 'failed';
}

function responseFailed(e: PaymentEvent): boolean {
  if (e.type !== 'response') return false;
  const d = e.data as { http_status?: number; params?: Record<string, string>; outcome?: { status?: string } } | null;
  const status = (d?.params?.status ?? d?.outcome?.status ?? '').toString().toLowerCase();
  return (d?.http_status ?? 200) >= 400 || status === 'error' || status === 'declined' || status === 'invalid';
}

function eventSummary(e: PaymentEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  if (e.type === 'request') {
    const params = (d.params ?? {}) as Record<string, string>;
    return [params.request, params.amount && `amount ${params.amount}`, params.txid && `txid ${params.txid}`]
      .filter(Boolean)
      .join(' · ');
  }
  if (e.type === 'response') {
    const params = (d.params ?? {}) as Record<string, string>;
    return [
      d.http_status ? `HTTP ${d.http_status}` : null,
      params.status,
      params.errorcode && `error ${params.errorcode}`,
      params.customermessage ?? params.errormessage,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  if (e.type === 'notification') {
    const f = (d.fields ?? {}) as Record<string, string>;
    return [f.txaction, f.sequencenumber && `seq ${f.sequencenumber}`, f.price && `price ${f.price}`]
      .filter(Boolean)
      .join(' · ');
  }
  if (e.type === 'rejected') return String(d.reason ?? d.detail ?? '');
  if (e.type === 'note') return String(d.note ?? '');
  return '';
}

const typeWords: Record<string, string> = {
  request: 'Request →',
  response: '← Response',
  notification: 'Notification',
  transition: 'State',
  rejected: 'Rejected',
  note: 'Note',
};

function TimelineItem({ e, failed, t0 }: { e: PaymentEvent; failed: boolean; t0: number }) {
  const summary = eventSummary(e);
  return (
    <li
      className={`tl tl-${e.type} ${failed ? 'tl-failed' : ''}`}
      data-testid="timeline-event"
      data-type={e.type}
      data-failed={failed || undefined}
    >
      <div className="tl-head">
        <span className="tl-type">{typeWords[e.type] ?? e.type}</span>
        <strong className="tl-name">{e.name}</strong>
        {e.state_before !== e.state_after && e.state_after && (
          <span className="small">
            {e.state_before ?? '∅'} → <StateBadge state={e.state_after} />
          </span>
        )}
      </div>
      <p className="tl-time small muted">
        <When iso={e.created_at} /> (+{((Date.parse(e.created_at) - t0) / 1000).toFixed(3)} s)
        {e.latency_ms != null && <> · took {e.latency_ms} ms</>}
      </p>
      {summary && <p className="tl-summary">{summary}</p>}
      {failed && <p className="tl-flag">This step failed</p>}
      {e.data != null && (
        <details open={failed}>
          <summary>Data</summary>
          <JsonBlock value={e.data} />
        </details>
      )}
    </li>
  );
}

/** PAYONE never answered a request: ask again (same reference and sequence number, so never booked twice). */
function RetryUnanswered({ id, token, onDone }: { id: string; token: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="actions">
      <p className="muted small">
        PAYONE never answered this request, so it may or may not have been booked. Asking again sends the same request;
        PAYONE books it at most once.
      </p>
      <button
        type="button"
        className="btn btn-soft"
        disabled={busy}
        data-testid="payment-retry"
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await adminApi.retryPayment(token, id);
            onDone();
          } catch (e) {
            setError(adminProblemText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Asking PAYONE…' : 'Ask PAYONE again'}
      </button>
      {error && <p className="form-error">{error}</p>}
    </div>
  );
}

export function AdminPaymentPage() {
  const { id = '' } = useParams();
  const token = useAdminToken();
  const res = useResource((signal) => adminApi.payment(token, id, signal), [token, id]);
  const p: (AdminPayment & { timeline: PaymentEvent[] }) | null = res.data;
  const lastFailedResponse = p?.timeline.filter(responseFailed).at(-1)?.id ?? null;
  const t0 = p?.timeline[0] ? Date.parse(p.timeline[0].created_at) : 0;
  return (
    <main className="page admin">
      <p className="back">
        <Link to="/admin/payments">← Payments</Link>
      </p>
      {res.state === 'loading' && !p && <Spinner label="Loading the payment…" />}
      {res.state === 'error' && <p className="form-error">{adminProblemText(res.error)}</p>}
      {p && (
        <>
          <h1>
            Payment <span className="mono small">{p.reference}</span>
          </h1>
          <section className="card">
            <dl className="facts" data-testid="payment-facts">
              <dt>State</dt>
              <dd>
                <StateBadge state={p.state} />
              </dd>
              <dt>Amounts</dt>
              <dd>
                asked {formatMinor(p.amounts.requested, p.currency)} · held{' '}
                {formatMinor(p.amounts.authorized, p.currency)} · captured {formatMinor(p.amounts.captured, p.currency)}{' '}
                · refunded {formatMinor(p.amounts.refunded, p.currency)}
              </dd>
              <dt>PAYONE txid</dt>
              <dd className="mono">{p.txid ?? '—'}</dd>
              <dt>Charge</dt>
              <dd className="mono small">{p.session_ref}</dd>
              <dt>Owner</dt>
              <dd className="mono small">{p.owner_ref ?? 'guest'}</dd>
              <dt>Created</dt>
              <dd>
                <When iso={p.created_at} />
              </dd>
              <dt>Updated</dt>
              <dd>
                <When iso={p.updated_at} />
              </dd>
              {p.failure && (
                <>
                  <dt>Failure</dt>
                  <dd className="warn-text" data-testid="payment-failure">
                    {p.failed_step && <strong>{p.failed_step}: </strong>}
                    {p.failure.code && `${p.failure.code} `}
                    {p.failure.message}
                  </dd>
                </>
              )}
            </dl>
            {p.failed_step?.endsWith('_no_answer') && <RetryUnanswered id={p.id} token={token} onDone={res.reload} />}
          </section>
          <section className="card">
            <h2>Timeline ({p.timeline.length})</h2>
            <p className="muted small">
              Every exchange with PAYONE in order. Secrets are masked. Times are relative to the first event.
            </p>
            <ol className="timeline" data-testid="payment-timeline">
              {p.timeline.map((e) => (
                <TimelineItem key={e.id} e={e} failed={isFailedEvent(e, lastFailedResponse)} t0={t0} />
              ))}
            </ol>
          </section>
        </>
      )}
    </main>
  );
}
