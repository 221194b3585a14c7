// /c/:evseId — the QR-code page of one charge point: the price before starting, an e-mail for the receipt, a card
// from PAYONE's hosted card page, and "Start charging". Signed-in drivers also get one-tap starts (OneClick with
// the default card, or the virtual charge card).
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../api.ts';
import {
  accountApi,
  type ChargeOffer,
  chargingApi,
  type StartChargeBody,
  type StartedCharge,
  type StoredCard,
  type VirtualCard,
} from '../driver-api.ts';
import { useSession } from '../features/account/session.tsx';
import {
  attemptKey,
  cardExpiry,
  cardFromQuery,
  cardLabel,
  cardQueryParams,
  loadForm,
  rememberCharge,
  type StartForm,
  saveForm,
} from '../features/charging/storage.ts';
import { evseStatusWords, formatKw, formatMinor, formatMoney, isDc, standardName } from '../format.ts';
import { explain, isMissingRoute } from '../ui/problem.ts';
import { ErrorNote, Spinner } from '../ui/Spinner.tsx';
import { PriceLine } from '../ui/StationBits.tsx';
import { useResource } from '../ui/useResource.ts';

/** Goes to the live charge page (same origin: client-side) or the bank's 3-D Secure page. */
function useFollow() {
  const navigate = useNavigate();
  return (started: StartedCharge) => {
    rememberCharge(started.charge_url);
    if (started.redirect_url) {
      window.location.assign(started.redirect_url);
      return;
    }
    const u = new URL(started.charge_url, window.location.origin);
    if (u.origin === window.location.origin) navigate(`${u.pathname}${u.search}`);
    else window.location.assign(u.toString());
  };
}

function PriceDetails({ offer }: { offer: ChargeOffer }) {
  const currency = offer.price?.currency ?? offer.hold.currency;
  const fee = offer.markup.fee;
  const percent = Number(offer.markup.percent) > 0 ? offer.markup.percent : null;
  return (
    <section className="card charge-price" aria-labelledby="price-h" data-testid="charge-price">
      <h2 id="price-h">Price</h2>
      <PriceLine price={offer.price} />
      {(percent || fee) && (
        <p className="markup" data-testid="charge-markup">
          Lataus service fee: {percent && <>+{percent} % on the operator’s price</>}
          {percent && fee && ' and '}
          {fee && <>{formatMoney(fee.incl_vat, currency)} per charge</>} (incl. VAT).
        </p>
      )}
      {!percent && !fee && <p className="markup muted">No Lataus service fee on top of the operator’s price.</p>}
      <div className="estimate" data-testid="charge-estimate">
        <p className="estimate-total">
          <span>Typical charge</span>
          <strong>about {formatMoney(offer.estimate.total.incl_vat, currency)}</strong>
        </p>
        <p className="muted small">{offer.estimate.assumption}</p>
        {offer.estimate.lines.length > 0 && (
          <ul className="estimate-lines small">
            {offer.estimate.lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        )}
      </div>
      <p className="hold small" data-testid="charge-hold">
        Before starting we reserve <strong>{formatMinor(offer.hold.amount_minor, offer.hold.currency)}</strong> on your
        card. You pay only the final price; the rest is released when the charge is billed.
      </p>
    </section>
  );
}

function OneTapStart({
  busy,
  defaultCard,
  virtualCard,
  onStart,
}: {
  busy: boolean;
  defaultCard: StoredCard | null;
  virtualCard: VirtualCard | null;
  onStart: (how: 'oneclick' | 'virtual') => void;
}) {
  return (
    <section className="card one-tap" aria-labelledby="onetap-h" data-testid="one-tap">
      <h2 id="onetap-h">Start in one tap</h2>
      {defaultCard ? (
        <button
          type="button"
          className="btn btn-primary btn-block btn-big"
          disabled={busy}
          onClick={() => onStart('oneclick')}
          data-testid="start-oneclick"
        >
          Start with {cardLabel(defaultCard.brand, defaultCard.masked_pan)}
        </button>
      ) : (
        <p className="muted">
          Save a card in <Link to="/account">your account</Link> to start in one tap.
        </p>
      )}
      {virtualCard?.valid && (
        <button
          type="button"
          className="btn btn-block"
          disabled={busy}
          onClick={() => onStart('virtual')}
          data-testid="start-virtual-card"
        >
          Start with my charge card <span className="mono small">{virtualCard.uid}</span>
        </button>
      )}
      <p className="muted small">Billed to your account; the receipt is sent to your e-mail address.</p>
    </section>
  );
}

function StartView({ evseId, offer }: { evseId: string; offer: ChargeOffer }) {
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const follow = useFollow();
  const { driver } = useSession();
  const [form, setForm] = useState<StartForm>(() => {
    const f = loadForm(evseId);
    const fromQuery = sp.get('connector');
    const connectors = offer.evse.connectors;
    const connectorId =
      (fromQuery && connectors.some((c) => c.id === fromQuery) ? fromQuery : null) ??
      (f.connectorId && connectors.some((c) => c.id === f.connectorId) ? f.connectorId : null) ??
      connectors[0]?.id ??
      null;
    return { ...f, connectorId };
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const emailId = useId();

  // Back from the hosted card page: keep the card, drop it from the address bar.
  useEffect(() => {
    const card = cardFromQuery(sp);
    if (!card) return;
    setForm((f) => {
      const next = { ...f, card };
      saveForm(evseId, next);
      return next;
    });
    const rest = new URLSearchParams(sp);
    for (const k of cardQueryParams) rest.delete(k);
    const s = rest.toString();
    navigate(`/c/${encodeURIComponent(evseId)}${s ? `?${s}` : ''}`, { replace: true });
  }, [sp, evseId, navigate]);

  useEffect(() => saveForm(evseId, form), [evseId, form]);

  const signedIn = !!driver;
  const cards = useResource(
    (signal) => (signedIn ? accountApi.cards(signal) : Promise.resolve({ items: [] as StoredCard[] })),
    [signedIn],
  );
  const vcard = useResource(
    (signal) => (signedIn ? accountApi.virtualCard(signal).catch(() => null) : Promise.resolve(null)),
    [signedIn],
  );
  const defaultCard = cards.data?.items.find((c) => c.is_default) ?? cards.data?.items[0] ?? null;

  const addCard = async () => {
    setError(null);
    setBusy(true);
    try {
      const back = new URL(`/c/${encodeURIComponent(evseId)}`, window.location.origin);
      if (form.connectorId) back.searchParams.set('connector', form.connectorId);
      const { url } = await chargingApi.cardPage(back.toString());
      window.location.assign(url);
    } catch (e) {
      setError(explain(e));
      setBusy(false);
    }
  };

  const start = async (how: 'adhoc' | 'oneclick' | 'virtual') => {
    if (inFlight.current || !form.connectorId) return;
    const base = { evse_id: offer.evse.evse_id, connector_id: form.connectorId };
    let body: Omit<StartChargeBody, 'idempotency_key'>;
    if (how === 'oneclick' && defaultCard) body = { ...base, stored_card_id: defaultCard.id };
    else if (how === 'virtual') body = { ...base, use_virtual_card: true };
    else {
      if (!form.card) return setError('Add a card first.');
      const email = form.email.trim();
      body = { ...base, ...(email ? { email } : {}), card: form.card };
    }
    const { key, form: withKey } = attemptKey(evseId, form, JSON.stringify(body));
    setForm(withKey);
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      const started = await chargingApi.start({ ...body, idempotency_key: key });
      // A declined card is a new attempt next time (another card, or the same after calling the bank).
      const next = { ...withKey, attempt: null };
      if (started.status === 'FAILED') next.card = null;
      saveForm(evseId, next);
      follow(started);
    } catch (e) {
      // Network failures and 5xx keep the key: tapping again repeats the same attempt, never a second charge.
      if (e instanceof ApiError && e.status < 500) {
        const next = { ...withKey, attempt: null };
        if (e.status === 409 || e.status === 402) next.card = null;
        setForm(next);
      }
      setError(explain(e));
      setBusy(false);
      inFlight.current = false;
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void start('adhoc');
  };

  const connectors = offer.evse.connectors;
  const location = offer.location;
  return (
    <article className="charge-start" data-testid="charge-start" data-evse-id={offer.evse.evse_id}>
      <header className="station-head">
        <p className="muted small">Charge point</p>
        <h1 data-testid="charge-location">{location.name ?? location.address}</h1>
        <p className="address">
          {location.address}, {location.city}
        </p>
        <p className="evse-line">
          <span className="mono">{offer.evse.evse_id}</span>{' '}
          <span
            className={`badge ${offer.evse.status === 'AVAILABLE' ? 'badge-ok' : 'badge-busy'}`}
            data-testid="charge-evse-status"
          >
            {evseStatusWords[offer.evse.status as keyof typeof evseStatusWords] ?? offer.evse.status}
          </span>
        </p>
      </header>

      {connectors.length > 1 && (
        <fieldset className="card connector-choice">
          <legend>Choose the plug</legend>
          {connectors.map((c) => (
            <label key={c.id} className="radio-row" data-testid="connector-option">
              <input
                type="radio"
                name="connector"
                value={c.id}
                checked={form.connectorId === c.id}
                onChange={() => setForm((f) => ({ ...f, connectorId: c.id }))}
              />
              <span className={`plug ${isDc(c.power_type) ? 'plug-dc' : 'plug-ac'}`}>
                {isDc(c.power_type) ? 'DC' : 'AC'}
              </span>
              <span>
                {standardName(c.standard)} · {formatKw(c.max_power_kw)}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {connectors.length === 1 && connectors[0] && (
        <p className="single-connector">
          <span className={`plug ${isDc(connectors[0].power_type) ? 'plug-dc' : 'plug-ac'}`}>
            {isDc(connectors[0].power_type) ? 'DC' : 'AC'}
          </span>{' '}
          {standardName(connectors[0].standard)} · up to {formatKw(connectors[0].max_power_kw)}
        </p>
      )}

      <PriceDetails offer={offer} />

      {!offer.can_start && (
        <p className="form-error" role="alert" data-testid="cannot-start">
          {offer.reason ?? 'This charge point cannot be started right now.'}
        </p>
      )}

      {error && (
        <p className="form-error" role="alert" data-testid="start-error">
          {error}
        </p>
      )}

      {signedIn && offer.can_start && (
        <OneTapStart
          busy={busy}
          defaultCard={defaultCard}
          virtualCard={vcard.data ?? null}
          onStart={(how) => void start(how)}
        />
      )}

      <form className="card form pay-form" onSubmit={onSubmit} data-testid="adhoc-form">
        <h2>{signedIn ? 'Or pay with another card' : 'Pay by card, no account needed'}</h2>
        <label className="field" htmlFor={emailId}>
          <span>E-mail for the receipt</span>
          <input
            id={emailId}
            type="email"
            required={!signedIn}
            autoComplete="email"
            inputMode="email"
            value={form.email}
            placeholder={driver?.email ?? 'you@example.com'}
            onChange={(e) => setForm((f) => ({ ...f, email: e.target.value }))}
            data-testid="charge-email"
          />
        </label>
        <div className="card-slot">
          {form.card ? (
            <>
              <p data-testid="card-chosen">
                <strong>{cardLabel(form.card.cardtype, form.card.truncatedcardpan)}</strong>
                <span className="muted"> · expires {cardExpiry(form.card.cardexpiredate)}</span>
              </p>
              <button type="button" className="btn btn-link" onClick={addCard} disabled={busy}>
                Use another card
              </button>
            </>
          ) : (
            <button
              type="button"
              className="btn btn-block"
              onClick={addCard}
              disabled={busy || !offer.can_start}
              data-testid="add-card"
            >
              Add card
            </button>
          )}
        </div>
        <p className="muted small">
          You enter the card on our payment provider’s secure page (PAYONE). Lataus never sees the card number.
        </p>
        <button
          type="submit"
          className="btn btn-primary btn-block btn-big"
          disabled={busy || !offer.can_start || !form.card || !form.connectorId}
          data-testid="start-charge"
        >
          {busy ? 'Starting…' : 'Start charging'}
        </button>
      </form>
      {!signedIn && driver !== undefined && (
        <p className="muted small center">
          Charging often? <Link to="/signup">Create an account</Link> to start in one tap.
        </p>
      )}
    </article>
  );
}

export default function ChargeStartPage() {
  const { evseId = '' } = useParams();
  const offer = useResource((signal) => chargingApi.offer(evseId, signal), [evseId]);

  useEffect(() => {
    document.title = `Charge at ${evseId} — Lataus`;
    return () => {
      document.title = 'Lataus — charge anywhere';
    };
  }, [evseId]);

  return (
    <main className="page narrow">
      {offer.state === 'loading' && !offer.data && <Spinner label="Loading the charge point…" />}
      {offer.state === 'error' &&
        (offer.error instanceof ApiError && offer.error.status === 404 && !isMissingRoute(offer.error) ? (
          <div className="empty" data-testid="not-found">
            <h1>Charge point not found</h1>
            <p>
              We do not know the charge point <span className="mono">{evseId}</span>. Check the code on the charger, or{' '}
              <Link to="/">find it on the map</Link>.
            </p>
          </div>
        ) : (
          <ErrorNote
            error={
              isMissingRoute(offer.error)
                ? new Error('Starting a charge is not available on this server yet.')
                : offer.error
            }
            onRetry={offer.reload}
          />
        ))}
      {offer.data && <StartView key={evseId} evseId={evseId} offer={offer.data} />}
    </main>
  );
}
