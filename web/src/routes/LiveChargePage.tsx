// /charges/:id?t=… — the live charge: status in plain words, energy, duration, cost so far, Stop, and at the end
// the receipt or a "pay again" link. Polls every 2 s until a final state (no reload needed).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../api.ts';
import { type ChargeView, chargingApi } from '../driver-api.ts';
import { chargeStatusWords, chargeTone, finalStatuses, stoppable } from '../features/charging/status.ts';
import { formatDateTime, formatDuration, formatKwh, formatMinor, formatMoney } from '../format.ts';
import { explain } from '../ui/problem.ts';
import { ErrorNote, Spinner } from '../ui/Spinner.tsx';

const POLL_MS = 2000;
/** While the CDR is late there is nothing new every 2 s; ask less often. */
const SLOW_POLL_MS = 10_000;

const steps = [
  { key: 'start', label: 'Card checked', done: (s: ChargeView['status']) => !['AUTHORIZING', 'REDIRECT'].includes(s) },
  {
    key: 'charge',
    label: 'Charging',
    done: (s: ChargeView['status']) => !['AUTHORIZING', 'REDIRECT', 'STARTING', 'CHARGING'].includes(s),
  },
  {
    key: 'bill',
    label: 'Billed',
    done: (s: ChargeView['status']) => ['PRICED', 'PAID', 'PAYMENT_FAILED', 'REFUNDED'].includes(s),
  },
  { key: 'paid', label: 'Paid', done: (s: ChargeView['status']) => ['PAID', 'REFUNDED'].includes(s) },
];

function Progress({ c }: { c: ChargeView }) {
  if (c.status === 'FAILED') return null;
  const current = steps.findIndex((s) => !s.done(c.status));
  return (
    <ol className="progress" aria-label="Progress">
      {steps.map((s, i) => (
        <li
          key={s.key}
          className={s.done(c.status) ? 'done' : i === current ? 'current' : undefined}
          aria-current={i === current ? 'step' : undefined}
        >
          {s.label}
        </li>
      ))}
    </ol>
  );
}

/** Seconds charged, ticking locally between polls while the car charges (the server's figure wins at each poll). */
function useLiveDuration(c: ChargeView): number {
  const [now, setNow] = useState(() => Date.now());
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new answer from the server resets the local clock
  const seenAt = useMemo(() => Date.now(), [c]);
  const live = c.status === 'CHARGING' && !!c.started_at;
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [live]);
  if (!live) return c.duration_s;
  return c.duration_s + Math.min(Math.max(0, (now - seenAt) / 1000), 15);
}

function ChargeFigures({ c }: { c: ChargeView }) {
  const duration = useLiveDuration(c);
  const cost = c.final
    ? { label: 'Total', value: formatMoney(c.final.incl_vat, c.final.currency), note: 'incl. VAT' }
    : c.cost_so_far
      ? {
          label: c.cost_so_far.at_least ? 'Cost so far, at least' : 'Cost so far',
          value: formatMoney(c.cost_so_far.incl_vat, c.cost_so_far.currency),
          note: c.cost_so_far.at_least
            ? 'incl. VAT; the final price can be higher (minimum price or fees the operator adds at the end)'
            : 'incl. VAT',
        }
      : null;
  return (
    <dl className="figures" data-testid="charge-figures">
      <div>
        <dt>Energy</dt>
        <dd data-testid="charge-kwh">{formatKwh(c.kwh)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd data-testid="charge-duration">{formatDuration(duration)}</dd>
      </div>
      <div className="wide">
        <dt>{cost ? cost.label : 'Cost'}</dt>
        <dd data-testid="charge-cost" data-at-least={c.cost_so_far?.at_least ? 'true' : undefined}>
          {cost ? cost.value : <span className="muted">not known yet</span>}
        </dd>
        {cost && <p className="muted small">{cost.note}</p>}
      </div>
    </dl>
  );
}

function ChargeCard({ c, token, onChange }: { c: ChargeView; token: string | null; onChange: () => void }) {
  const [stopping, setStopping] = useState(false);
  const [stopError, setStopError] = useState<string | null>(null);
  const words =
    c.status === 'PAYMENT_FAILED' && !c.pay_again_url
      ? // PAYONE never answered the capture: it may have gone through, so no "pay again" (docs/charging.md)
        { label: 'Payment being confirmed', text: '' }
      : (chargeStatusWords[c.status] ?? { label: c.status, text: '' });
  const tone = chargeTone(c.status);
  const stop = async () => {
    setStopping(true);
    setStopError(null);
    try {
      await chargingApi.stop(c.id, token);
      onChange();
    } catch (e) {
      setStopError(explain(e));
    } finally {
      setStopping(false);
    }
  };
  const failed = c.status === 'FAILED' || c.status === 'PAYMENT_FAILED';
  return (
    <article className="live-charge" data-testid="live-charge" data-status={c.status}>
      <header className={`status-hero tone-${tone}`}>
        <p className="small status-where">
          {c.location_name ?? 'Charge point'} · <span className="mono">{c.evse_id}</span>
        </p>
        <h1 data-testid="charge-status">
          {(c.status === 'CHARGING' || c.status === 'STARTING' || c.status === 'STOPPING') && (
            <span className="pulse" aria-hidden="true" />
          )}
          {words.label}
        </h1>
        <p data-testid="charge-status-text">{c.status_text || words.text}</p>
      </header>

      {c.failure_reason && (
        <p className="form-error" role="alert" data-testid="failure-reason">
          {c.failure_reason}
        </p>
      )}

      <Progress c={c} />

      {c.status !== 'FAILED' && <ChargeFigures c={c} />}

      {c.status === 'FAILED' && (
        <Link
          className="btn btn-primary btn-block btn-big"
          to={`/c/${encodeURIComponent(c.evse_id)}?connector=${encodeURIComponent(c.connector_id)}`}
          data-testid="try-again"
        >
          Try again
        </Link>
      )}

      {stoppable.has(c.status) && (
        <button
          type="button"
          className="btn btn-danger btn-block btn-big"
          onClick={stop}
          disabled={stopping}
          data-testid="stop-charge"
        >
          {stopping ? 'Stopping…' : 'Stop charging'}
        </button>
      )}
      {stopError && (
        <p className="form-error" role="alert" data-testid="stop-error">
          {stopError}
        </p>
      )}

      {c.pay_again_url && (
        <a className="btn btn-primary btn-block btn-big" href={c.pay_again_url} data-testid="pay-again">
          Pay with another card
        </a>
      )}
      {c.receipt_url && (
        <a
          className={`btn btn-block btn-big ${c.pay_again_url ? '' : 'btn-primary'}`}
          href={c.receipt_url}
          download
          data-testid="receipt-link"
        >
          Download the receipt (PDF)
        </a>
      )}

      <section className="card charge-facts">
        <h2>Details</h2>
        <dl className="facts">
          <dt>Where</dt>
          <dd>
            {c.location_name}
            {c.address && <span className="muted">, {c.address}</span>}
          </dd>
          <dt>Charge point</dt>
          <dd className="mono">
            {c.evse_id} · plug {c.connector_id}
          </dd>
          {c.started_at && (
            <>
              <dt>Started</dt>
              <dd>{formatDateTime(c.started_at)}</dd>
            </>
          )}
          {c.stopped_at && (
            <>
              <dt>Ended</dt>
              <dd>{formatDateTime(c.stopped_at)}</dd>
            </>
          )}
          {c.payment && (
            <>
              <dt>On your card</dt>
              <dd data-testid="charge-payment">
                {c.payment.captured_minor > 0
                  ? `${formatMinor(c.payment.captured_minor, c.final?.currency ?? c.cost_so_far?.currency ?? 'EUR')} paid`
                  : c.payment.held_minor > 0 && !failed
                    ? `${formatMinor(c.payment.held_minor, c.final?.currency ?? c.cost_so_far?.currency ?? 'EUR')} reserved (not paid)`
                    : 'nothing held'}
              </dd>
            </>
          )}
          <dt>Reference</dt>
          <dd className="mono small">{c.id}</dd>
        </dl>
        {!finalStatuses.has(c.status) && (
          <p className="muted small">This page updates by itself. You can close it and come back with the same link.</p>
        )}
      </section>
    </article>
  );
}

export default function LiveChargePage() {
  const { id = '' } = useParams();
  const [sp] = useSearchParams();
  const token = sp.get('t');
  const [charge, setCharge] = useState<ChargeView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [nonce, setNonce] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const poke = useCallback(() => setNonce((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce forces an immediate refresh (after Stop)
  useEffect(() => {
    const ctrl = new AbortController();
    let stopped = false;
    const tick = async () => {
      try {
        const c = await chargingApi.charge(id, token, ctrl.signal);
        if (stopped) return;
        setCharge(c);
        setError(null);
        if (finalStatuses.has(c.status)) return;
        timer.current = setTimeout(tick, c.status === 'CDR_PENDING' ? SLOW_POLL_MS : POLL_MS);
      } catch (e) {
        if (stopped || ctrl.signal.aborted) return;
        setError(e);
        // A passing network failure should not end the live view; a 4xx (wrong link) does.
        if (!(e instanceof ApiError) || e.status >= 500) timer.current = setTimeout(tick, POLL_MS * 2);
      }
    };
    void tick();
    return () => {
      stopped = true;
      ctrl.abort();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [id, token, nonce]);

  useEffect(() => {
    if (charge) document.title = `${chargeStatusWords[charge.status]?.label ?? charge.status} — Lataus`;
    return () => {
      document.title = 'Lataus — charge anywhere';
    };
  }, [charge]);

  const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403 || error.status === 401);
  return (
    <main className="page narrow">
      {!charge && !error && <Spinner label="Loading your charge…" />}
      {notFound && !charge && (
        <div className="empty" data-testid="not-found">
          <h1>Charge not found</h1>
          <p>
            This link is incomplete or not yours. Open the link from your receipt e-mail, or{' '}
            <Link to="/account">sign in</Link> to see your charges.
          </p>
        </div>
      )}
      {error && !notFound && !charge ? <ErrorNote error={error} onRetry={poke} /> : null}
      {charge && <ChargeCard c={charge} token={token} onChange={poke} />}
      {charge && error && !notFound ? (
        <p className="muted small center" role="status">
          Connection lost, retrying…
        </p>
      ) : null}
    </main>
  );
}
