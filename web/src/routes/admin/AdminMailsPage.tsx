// Back office: the mail outbox (local delivery in a demo, SMTP otherwise): list, read one, download attachments.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { adminApi, type MailSummary } from '../../driver-api.ts';
import { adminProblemText, useAdminToken } from '../../features/admin/AdminShell.tsx';
import { ListCard, Segmented, StateBadge, When } from '../../features/admin/bits.tsx';
import { formatNumber } from '../../format.ts';
import { Spinner } from '../../ui/Spinner.tsx';
import { useResource } from '../../ui/useResource.ts';

const filters = [
  ['', 'All'],
  ['local', 'In the outbox'],
  ['sent', 'Sent'],
  ['pending', 'Pending'],
  ['failed', 'Failed'],
] as const;
type Filter = (typeof filters)[number][0];

export function AdminMailsPage() {
  const token = useAdminToken();
  const [status, setStatus] = useState<Filter>('');
  const [to, setTo] = useState('');
  const list = useResource(
    (signal) =>
      token
        ? adminApi.mails(token, status || undefined, to.trim() || undefined, signal)
        : Promise.resolve({ total: 0, items: [] as MailSummary[] }),
    [token, status, to],
  );
  const items = list.data?.items ?? [];
  return (
    <main className="page admin">
      <h1>Mails</h1>
      <p className="muted">Receipts and account mails. Without an SMTP server they stay here, in the local outbox.</p>
      <Segmented value={status} options={filters} onChange={setStatus} testId="mail-filter" />
      <label className="field mail-search">
        <span>Recipient</span>
        <input
          type="search"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          placeholder="part of the address"
          data-testid="mail-to"
        />
      </label>
      <ListCard
        title={list.data ? `${formatNumber(list.data.total)} ${list.data.total === 1 ? 'mail' : 'mails'}` : 'Mails'}
        what="mails"
        list={list}
        token={token}
        count={items.length}
        empty="No mails."
        problem={adminProblemText}
      >
        <ul className="mail-list" data-testid="mails">
          {items.map((m) => (
            <li key={m.id} data-testid="mail-row" data-status={m.status}>
              <Link to={`/admin/mails/${m.id}`} className="mail-subject">
                {m.subject}
              </Link>
              <span className="small">
                to <span className="mono">{m.to}</span>
              </span>
              <span className="small muted">
                <When iso={m.created_at} /> · <StateBadge state={m.status} />
                {m.last_error && <span className="warn-text"> · {m.last_error}</span>}
              </span>
            </li>
          ))}
        </ul>
      </ListCard>
    </main>
  );
}

export function AdminMailPage() {
  const { id = '' } = useParams();
  const token = useAdminToken();
  const res = useResource((signal) => adminApi.mail(token, id, signal), [token, id]);
  const [view, setView] = useState<'html' | 'text'>('html');
  const [error, setError] = useState<string | null>(null);
  const m = res.data;
  const download = async (index: number, filename: string) => {
    setError(null);
    try {
      const blob = await adminApi.attachment(token, id, index);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(adminProblemText(e));
    }
  };
  return (
    <main className="page admin">
      <p className="back">
        <Link to="/admin/mails">← Mails</Link>
      </p>
      {res.state === 'loading' && !m && <Spinner label="Loading the mail…" />}
      {res.state === 'error' && <p className="form-error">{adminProblemText(res.error)}</p>}
      {m && (
        <article className="card mail" data-testid="mail">
          <h1 className="mail-title">{m.subject}</h1>
          <dl className="facts">
            <dt>From</dt>
            <dd>{m.from}</dd>
            <dt>To</dt>
            <dd className="mono">{m.to}</dd>
            <dt>Created</dt>
            <dd>
              <When iso={m.created_at} />
            </dd>
            <dt>Status</dt>
            <dd>
              <StateBadge state={m.status} /> {m.sent_at && <When iso={m.sent_at} />} · {m.attempts}{' '}
              {m.attempts === 1 ? 'attempt' : 'attempts'}
            </dd>
          </dl>
          {m.attachments.length > 0 && (
            <ul className="attachments" data-testid="mail-attachments">
              {m.attachments.map((a) => (
                <li key={a.index}>
                  <button
                    type="button"
                    className="btn btn-soft"
                    onClick={() => download(a.index, a.filename)}
                    data-testid="mail-attachment"
                  >
                    📎 {a.filename}
                  </button>{' '}
                  <span className="muted small">
                    {a.content_type}, {formatNumber(Math.ceil(a.size / 1024))} KB
                  </span>
                </li>
              ))}
            </ul>
          )}
          {error && <p className="form-error">{error}</p>}
          {m.html && (
            <Segmented
              value={view}
              options={[
                ['html', 'As sent'],
                ['text', 'Plain text'],
              ]}
              onChange={setView}
            />
          )}
          {m.html && view === 'html' ? (
            <iframe title="Mail body" className="mail-body-html" sandbox="" srcDoc={m.html} data-testid="mail-html" />
          ) : (
            <pre className="mail-body-text" data-testid="mail-text">
              {m.text}
            </pre>
          )}
          {m.attempt_log.length > 0 && (
            <details>
              <summary>Delivery attempts ({m.attempt_log.length})</summary>
              <ul className="small">
                {m.attempt_log.map((a) => (
                  <li key={a.attempt}>
                    #{a.attempt} <When iso={a.started_at} />: {a.outcome}
                    {a.detail && ` — ${a.detail}`}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </article>
      )}
    </main>
  );
}
