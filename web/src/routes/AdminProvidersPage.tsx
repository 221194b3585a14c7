// Back office: non-integrated providers (CPOs without an OCPI connection) and their station imports.
import { type FormEvent, useState } from 'react';
import { ApiError, api, type Provider, type RejectedRow } from '../api.ts';
import { useAdminToken } from '../features/admin/AdminShell.tsx';
import { ListCard } from '../features/admin/bits.tsx';
import { formatNumber } from '../format.ts';
import { ErrorNote } from '../ui/Spinner.tsx';
import { useResource } from '../ui/useResource.ts';

export const csvHeader =
  'id,name,address,city,postal_code,country,latitude,longitude,time_zone,evse_uid,evse_id,connector_id,standard,format,power_type,max_voltage,max_amperage,max_electric_power,tariff_id';

const csvExample = `${csvHeader}
LOC1,Marktplatz,Marktplatz 1,Musterstadt,12345,DEU,52.5200,13.4050,Europe/Berlin,EVSE1,DE*ABC*E0001*1,1,IEC_62196_T2,SOCKET,AC_3_PHASE,400,32,22000,
`;

function problemText(e: unknown): string {
  if (e instanceof ApiError) {
    const p = e.problem;
    if (e.status === 401 || e.status === 403) return 'The admin token was not accepted.';
    return [p.title, p.detail].filter(Boolean).join(': ');
  }
  return e instanceof Error ? e.message : 'Something went wrong.';
}

function CreateProviderForm({ token, onCreated }: { token: string; onCreated: (p: Provider) => void }) {
  const [form, setForm] = useState({ country_code: '', party_id: '', name: '', website: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({
      ...f,
      [k]: k === 'country_code' || k === 'party_id' ? e.target.value.toUpperCase() : e.target.value,
    }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const p = await api.admin.createProvider(token, {
        country_code: form.country_code.trim(),
        party_id: form.party_id.trim(),
        name: form.name.trim(),
        website: form.website.trim() || undefined,
      });
      setDone(`Created ${p.name} (${p.country_code}*${p.party_id}).`);
      setForm({ country_code: '', party_id: '', name: '', website: '' });
      onCreated(p);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} data-testid="create-provider-form">
      <h2>Add a provider</h2>
      <div className="form-grid">
        <label className="field">
          <span>Country code</span>
          <input
            value={form.country_code}
            onChange={set('country_code')}
            required
            minLength={2}
            maxLength={2}
            pattern="[A-Za-z]{2}"
            placeholder="DE"
            data-testid="provider-country"
          />
        </label>
        <label className="field">
          <span>Party ID</span>
          <input
            value={form.party_id}
            onChange={set('party_id')}
            required
            minLength={3}
            maxLength={3}
            pattern="[A-Za-z0-9]{3}"
            placeholder="XYZ"
            data-testid="provider-party"
          />
        </label>
        <label className="field span-2">
          <span>Name</span>
          <input
            value={form.name}
            onChange={set('name')}
            required
            maxLength={200}
            placeholder="Stadtwerke Musterstadt"
            data-testid="provider-name"
          />
        </label>
        <label className="field span-2">
          <span>Website (optional)</span>
          <input
            value={form.website}
            onChange={set('website')}
            type="url"
            placeholder="https://example.com"
            data-testid="provider-website"
          />
        </label>
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy || !token} data-testid="provider-submit">
        {busy ? 'Saving…' : 'Add provider'}
      </button>
      {error && (
        <p className="form-error" role="alert" data-testid="provider-error">
          {error}
        </p>
      )}
      {done && (
        <p className="form-ok" role="status" data-testid="provider-created">
          {done}
        </p>
      )}
    </form>
  );
}

type ImportOutcome =
  | { kind: 'ok'; imported: number }
  | { kind: 'rejected'; title: string; rows: RejectedRow[] }
  | { kind: 'error'; message: string };

function ImportForm({
  token,
  providers,
  target,
  onTarget,
  onImported,
}: {
  token: string;
  providers: Provider[];
  target: string;
  onTarget: (key: string) => void;
  onImported: () => void;
}) {
  const [kind, setKind] = useState<'csv' | 'json'>('csv');
  const [content, setContent] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);
  const selectable = providers.filter((p) => !p.integrated);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text();
    setFileName(file.name);
    setContent(text);
    setKind(/\.json$/i.test(file.name) || /^\s*[[{]/.test(text) ? 'json' : 'csv');
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const [cc, pid] = target.split('*');
    if (!cc || !pid) return;
    setBusy(true);
    setOutcome(null);
    try {
      const r = await api.admin.importLocations(token, cc, pid, kind, content);
      setOutcome({ kind: 'ok', imported: r.imported });
      onImported();
    } catch (err) {
      if (err instanceof ApiError && Array.isArray(err.problem.rows)) {
        setOutcome({ kind: 'rejected', title: err.problem.detail ?? err.problem.title, rows: err.problem.rows });
      } else {
        setOutcome({ kind: 'error', message: problemText(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} data-testid="import-form" id="import-form">
      <h2>Import stations</h2>
      <p className="hint">
        CSV: one row per connector; rows with the same <code>id</code> form one location. JSON: an array of OCPI 2.2.1
        Location objects. A file with any bad row is rejected as a whole, so nothing is half-imported.
      </p>
      <label className="field">
        <span>Provider</span>
        <select value={target} onChange={(e) => onTarget(e.target.value)} required data-testid="import-provider">
          <option value="">Choose a provider…</option>
          {selectable.map((p) => (
            <option key={`${p.country_code}*${p.party_id}`} value={`${p.country_code}*${p.party_id}`}>
              {p.name} ({p.country_code}*{p.party_id})
            </option>
          ))}
        </select>
      </label>
      <fieldset className="segmented">
        <legend className="visually-hidden">Format</legend>
        {(['csv', 'json'] as const).map((k) => (
          <label key={k} className={kind === k ? 'is-on' : undefined}>
            <input
              type="radio"
              name="import-kind"
              value={k}
              checked={kind === k}
              onChange={() => setKind(k)}
              data-testid={`import-kind-${k}`}
            />
            {k.toUpperCase()}
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>Paste {kind === 'csv' ? 'CSV' : 'JSON'}</span>
        <textarea
          value={content}
          onChange={(e) => {
            setContent(e.target.value);
            setFileName(null);
          }}
          rows={8}
          wrap="off"
          spellCheck={false}
          className="mono"
          placeholder={kind === 'csv' ? csvHeader : '[{ "id": "LOC1", "name": "…", … }]'}
          data-testid="import-content"
        />
      </label>
      <div className="input-row wrap">
        <label className="btn btn-soft file-btn">
          Upload a file…
          <input
            type="file"
            accept=".csv,.json,text/csv,application/json"
            onChange={(e) => void onFile(e.target.files?.[0])}
            data-testid="import-file"
          />
        </label>
        {fileName && <span className="muted small">{fileName}</span>}
        {kind === 'csv' && !content && (
          <button type="button" className="btn btn-link" onClick={() => setContent(csvExample)}>
            Insert a CSV example
          </button>
        )}
      </div>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={busy || !token || !target || !content.trim()}
        data-testid="import-submit"
      >
        {busy ? 'Importing…' : 'Import'}
      </button>
      {outcome?.kind === 'ok' && (
        <p className="form-ok" role="status" data-testid="import-result" data-imported={outcome.imported}>
          Imported {formatNumber(outcome.imported)} {outcome.imported === 1 ? 'location' : 'locations'}.
        </p>
      )}
      {outcome?.kind === 'error' && (
        <p className="form-error" role="alert" data-testid="import-error">
          {outcome.message}
        </p>
      )}
      {outcome?.kind === 'rejected' && (
        <div className="rejected" role="alert" data-testid="import-rejected">
          <p className="form-error">
            Nothing was imported: {outcome.rows.length === 1 ? '1 problem' : `${outcome.rows.length} problems`} in the
            file. Fix the rows below and import again.
          </p>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Field</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {outcome.rows.map((r) => (
                  <tr key={`${r.row}-${r.field}-${r.reason}`} data-testid="rejected-row" data-row={r.row}>
                    <td className="num">{r.row}</td>
                    <td className="mono">{r.field ?? '—'}</td>
                    <td>{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </form>
  );
}

export default function AdminProvidersPage() {
  const token = useAdminToken();
  const [target, setTarget] = useState('');

  const providers = useResource(
    (signal) => (token ? api.admin.providers(token, signal) : Promise.resolve({ items: [] as Provider[] })),
    [token],
  );
  const items = providers.data?.items ?? [];

  return (
    <main className="page admin">
      <h1>Providers</h1>
      <p className="muted">
        Operators without an OCPI connection. Their stations are imported from files and shown on the map.
      </p>

      <ListCard
        title={'All providers'}
        what="providers"
        list={providers}
        token={token}
        count={items.length}
        empty="No providers yet."
        problem={problemText}
        headingId="providers-h"
      >
        <div className="table-wrap">
          <table className="table" data-testid="providers-table">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Locations
                </th>
                <th scope="col">Connection</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => {
                const key = `${p.country_code}*${p.party_id}`;
                return (
                  <tr key={key} data-testid="provider-row" data-provider={key}>
                    <td className="mono">{key}</td>
                    <td>
                      {p.website ? (
                        <a href={p.website} target="_blank" rel="noreferrer noopener">
                          {p.name}
                        </a>
                      ) : (
                        p.name
                      )}
                    </td>
                    <td className="num" data-testid="provider-location-count">
                      {formatNumber(p.location_count)}
                    </td>
                    <td>
                      <span className={`badge ${p.integrated ? 'badge-ok' : 'badge-off'}`}>
                        {p.integrated ? 'OCPI' : 'File import'}
                      </span>
                    </td>
                    <td>
                      {!p.integrated && (
                        <button
                          type="button"
                          className="btn btn-link"
                          onClick={() => {
                            setTarget(key);
                            document.getElementById('import-form')?.scrollIntoView({ behavior: 'smooth' });
                          }}
                        >
                          Import…
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </ListCard>

      <div className="admin-forms">
        <CreateProviderForm
          token={token}
          onCreated={(p) => {
            setTarget(`${p.country_code}*${p.party_id}`);
            providers.reload();
          }}
        />
        <ImportForm
          token={token}
          providers={items}
          target={target}
          onTarget={setTarget}
          onImported={providers.reload}
        />
      </div>
      {providers.state === 'error' && !(providers.error instanceof ApiError) && (
        <ErrorNote error={providers.error} onRetry={providers.reload} />
      )}
    </main>
  );
}
