// Back office: OCPI partners — list with state, last sync, counts and recent errors; onboarding (register with a
// partner's versions URL and token A, or invite one); re-sync; suspend/resume.
import { type FormEvent, useState } from 'react';
import { adminApi, type Partner } from '../../driver-api.ts';
import { adminProblemText, useAdminToken } from '../../features/admin/AdminShell.tsx';
import { StateBadge, When } from '../../features/admin/bits.tsx';
import { formatNumber } from '../../format.ts';
import { Spinner } from '../../ui/Spinner.tsx';
import { useResource } from '../../ui/useResource.ts';

function lastSync(p: Partner): string | null {
  const times = p.sync.map((s) => s.last_success_at).filter((t): t is string => !!t);
  return times.sort().at(-1) ?? null;
}

function PartnerCard({ p, token, onChanged }: { p: Partner; token: string; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
      setMessage({ ok: true, text: ok });
      onChanged();
    } catch (e) {
      setMessage({ ok: false, text: adminProblemText(e) });
    } finally {
      setBusy(false);
    }
  };
  const suspended = p.status === 'SUSPENDED';
  const parties = p.parties.map((x) => `${x.country_code}*${x.party_id}`).join(', ');
  return (
    <article className="card partner" data-testid="partner" data-status={p.status} data-partner-id={p.id}>
      <div className="card-head">
        <h2 className="card-title">{p.name ?? parties ?? p.id}</h2>
        <StateBadge state={p.status} />
      </div>
      <p className="muted small">
        {parties || 'no parties yet'} · {p.versions_url ?? 'invited, waiting for the partner'}
        {p.version && ` · OCPI ${p.version}`}
      </p>
      <dl className="counts" data-testid="partner-counts">
        {(['locations', 'evses', 'tariffs', 'sessions', 'cdrs', 'open_disputes'] as const).map((k) => (
          <div key={k}>
            <dt>{k.replace('_', ' ')}</dt>
            <dd>{formatNumber(p.counts?.[k] ?? 0)}</dd>
          </div>
        ))}
      </dl>
      <p className="small">
        Last successful sync: <When iso={lastSync(p)} />
        {p.registered_at && (
          <>
            {' '}
            · registered <When iso={p.registered_at} />
          </>
        )}
      </p>
      {p.sync.length > 0 && (
        <div className="table-wrap">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Module</th>
                <th scope="col">Sync</th>
                <th scope="col" className="num">
                  Objects
                </th>
                <th scope="col" className="num">
                  Rejected
                </th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {p.sync.map((s) => (
                <tr key={s.module}>
                  <td>{s.module}</td>
                  <td>
                    <StateBadge state={s.status} />
                  </td>
                  <td className="num">{formatNumber(s.objects ?? 0)}</td>
                  <td className="num">{formatNumber(s.rejected ?? 0)}</td>
                  <td className="small warn-text">{s.last_error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.recent_errors.length > 0 && (
        <details className="partner-errors">
          <summary className="warn-text">Recent errors ({p.recent_errors.length})</summary>
          <ul className="small">
            {p.recent_errors.map((e) => (
              <li key={`${e.at}-${e.kind}-${e.message}`}>
                <When iso={e.at} /> <strong>{e.kind}</strong>: {e.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="actions">
        <button
          type="button"
          className="btn btn-soft"
          disabled={busy || p.status !== 'REGISTERED'}
          onClick={() => run(() => adminApi.syncPartner(token, p.id), 'A full re-sync was queued.')}
          data-testid="partner-sync"
        >
          Re-sync
        </button>
        <button
          type="button"
          className="btn btn-soft"
          disabled={busy || !['REGISTERED', 'SUSPENDED'].includes(p.status)}
          onClick={() =>
            run(
              () => adminApi.suspendPartner(token, p.id, !suspended),
              suspended ? 'Traffic is allowed again.' : 'The partner is suspended.',
            )
          }
          data-testid="partner-suspend"
        >
          {suspended ? 'Resume' : 'Suspend'}
        </button>
      </div>
      {message && (
        <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </article>
  );
}

function OnboardForm({ token, onDone }: { token: string; onDone: () => void }) {
  const [mode, setMode] = useState<'register' | 'invite'>('register');
  const [form, setForm] = useState({ versions_url: '', token: '', name: '' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string; tokenA?: string; url?: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      if (mode === 'register') {
        const r = await adminApi.registerPartner(token, {
          versions_url: form.versions_url.trim(),
          token: form.token.trim(),
          ...(form.name.trim() ? { name: form.name.trim() } : {}),
        });
        setResult({ ok: true, text: `Registered with ${r.partner.name ?? r.partner.id}. The first sync runs now.` });
      } else {
        const r = await adminApi.invitePartner(token, form.name.trim());
        setResult({
          ok: true,
          text: 'Hand these to the partner out of band:',
          tokenA: r.token_a,
          url: r.versions_url,
        });
      }
      setForm({ versions_url: '', token: '', name: '' });
      onDone();
    } catch (err) {
      setResult({ ok: false, text: adminProblemText(err) });
    } finally {
      setBusy(false);
    }
  };
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <form className="card form" onSubmit={submit} data-testid="onboard-form">
      <h2>Connect a partner</h2>
      <div className="radio-list" role="radiogroup" aria-label="Who registers">
        <label>
          <input type="radio" checked={mode === 'register'} onChange={() => setMode('register')} /> The CPO gave us a
          versions URL and token
        </label>
        <label>
          <input type="radio" checked={mode === 'invite'} onChange={() => setMode('invite')} /> Invite the CPO (it
          registers with us)
        </label>
      </div>
      {mode === 'register' && (
        <>
          <label className="field">
            <span>Versions URL</span>
            <input
              type="url"
              required
              value={form.versions_url}
              onChange={set('versions_url')}
              placeholder="https://cpo.example.com/ocpi/versions"
              data-testid="onboard-url"
            />
          </label>
          <label className="field">
            <span>Token A</span>
            <input required value={form.token} onChange={set('token')} spellCheck={false} data-testid="onboard-token" />
          </label>
        </>
      )}
      <label className="field">
        <span>Name{mode === 'register' ? ' (optional)' : ''}</span>
        <input required={mode === 'invite'} value={form.name} onChange={set('name')} data-testid="onboard-name" />
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy || !token} data-testid="onboard-submit">
        {busy ? 'Connecting…' : mode === 'register' ? 'Register with the partner' : 'Create invitation'}
      </button>
      {result && (
        <div className={result.ok ? 'form-ok' : 'form-error'} role={result.ok ? 'status' : 'alert'}>
          <p>{result.text}</p>
          {result.tokenA && (
            <p className="mono small">
              versions URL: {result.url}
              <br />
              token A: {result.tokenA}
            </p>
          )}
        </div>
      )}
    </form>
  );
}

export function AdminPartnersPage() {
  const token = useAdminToken();
  const list = useResource(
    (signal) => (token ? adminApi.partners(token, signal) : Promise.resolve({ partners: [] as Partner[] })),
    [token],
  );
  const partners = list.data?.partners ?? [];
  return (
    <main className="page admin">
      <h1>Partners</h1>
      <p className="muted">Charge point operators connected over OCPI 2.2.1.</p>
      <div className="card-head">
        <p className="muted">{partners.length === 1 ? '1 partner' : `${partners.length} partners`}</p>
        <button type="button" className="btn btn-soft" onClick={list.reload} disabled={!token}>
          Refresh
        </button>
      </div>
      {!token && <p className="muted">Enter the admin token to see partners.</p>}
      {token && list.state === 'loading' && !list.data && <Spinner label="Loading partners…" />}
      {list.state === 'error' && <p className="form-error">{adminProblemText(list.error)}</p>}
      {list.data && partners.length === 0 && <p className="muted">No partners yet.</p>}
      <div className="card-list partners" data-testid="partners">
        {partners.map((p) => (
          <PartnerCard key={p.id} p={p} token={token} onChanged={list.reload} />
        ))}
      </div>
      <OnboardForm token={token} onDone={list.reload} />
    </main>
  );
}
