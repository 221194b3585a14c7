// /account — the signed-in driver: saved cards (add on the hosted card page, delete, choose the default), the
// virtual charge card and every charge with its status and receipt.
import { useEffect, useRef, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { accountApi, type ChargeView, chargingApi, type StoredCard, type VirtualCard } from '../driver-api.ts';
import { useSession } from '../features/account/session.tsx';
import { chargeTone, transactionWords } from '../features/charging/status.ts';
import { cardBrand, cardExpiry, cardFromQuery, cardLabel } from '../features/charging/storage.ts';
import { formatDateTime, formatKwh, formatMoney } from '../format.ts';
import { explain, isMissingRoute } from '../ui/problem.ts';
import { Spinner } from '../ui/Spinner.tsx';
import { useResource } from '../ui/useResource.ts';

function CardsSection() {
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const cards = useResource((signal) => accountApi.cards(signal), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const saving = useRef(false);

  // Back from the hosted card page: save the card once, then clean the address bar.
  useEffect(() => {
    const card = cardFromQuery(sp);
    if (!card || saving.current) return;
    saving.current = true;
    navigate('/account', { replace: true });
    setBusy('add');
    accountApi
      .addCard(card)
      .then((c) => setMessage({ ok: true, text: `${cardLabel(c.brand, c.masked_pan)} was saved.` }))
      .catch((e) => setMessage({ ok: false, text: explain(e) }))
      .finally(() => {
        setBusy(null);
        cards.reload();
      });
  }, [sp, navigate, cards.reload]);

  const act = async (key: string, fn: () => Promise<unknown>, ok: string) => {
    setBusy(key);
    setMessage(null);
    try {
      await fn();
      setMessage({ ok: true, text: ok });
    } catch (e) {
      setMessage({ ok: false, text: explain(e) });
    } finally {
      setBusy(null);
      cards.reload();
    }
  };

  const addCard = async () => {
    setBusy('add');
    setMessage(null);
    try {
      const { url } = await chargingApi.cardPage(new URL('/account', window.location.origin).toString());
      window.location.assign(url);
    } catch (e) {
      setMessage({ ok: false, text: explain(e) });
      setBusy(null);
    }
  };

  const items: StoredCard[] = cards.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="cards-h" data-testid="cards">
      <div className="card-head">
        <h2 id="cards-h">Payment cards</h2>
        <button
          type="button"
          className="btn btn-soft"
          onClick={addCard}
          disabled={!!busy}
          data-testid="account-add-card"
        >
          {busy === 'add' ? 'Please wait…' : 'Add card'}
        </button>
      </div>
      {cards.state === 'loading' && !cards.data && <Spinner label="Loading cards…" />}
      {cards.state === 'error' && <p className="form-error">{explain(cards.error)}</p>}
      {cards.data && items.length === 0 && (
        <p className="muted">No saved card yet. Add one to start charging in one tap.</p>
      )}
      {items.length > 0 && (
        <ul className="saved-cards">
          {items.map((c) => (
            <li key={c.id} className="saved-card" data-testid="saved-card" data-default={c.is_default || undefined}>
              <div>
                <p className="saved-card-name">
                  {cardBrand(c.brand)} <span className="mono">{c.masked_pan}</span>
                </p>
                <p className="muted small">
                  expires {cardExpiry(c.expiry)}
                  {c.is_default && (
                    <>
                      {' · '}
                      <span className="badge badge-ok">Default</span>
                    </>
                  )}
                </p>
              </div>
              <div className="saved-card-actions">
                {!c.is_default && (
                  <button
                    type="button"
                    className="btn btn-link"
                    disabled={!!busy}
                    onClick={() => act(`def-${c.id}`, () => accountApi.makeDefault(c.id), 'Default card changed.')}
                    data-testid="card-make-default"
                  >
                    Make default
                  </button>
                )}
                <button
                  type="button"
                  className="btn btn-link danger"
                  disabled={!!busy}
                  onClick={() => {
                    if (window.confirm(`Remove ${cardLabel(c.brand, c.masked_pan)}?`))
                      void act(`del-${c.id}`, () => accountApi.deleteCard(c.id), 'The card was removed.');
                  }}
                  data-testid="card-delete"
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {message && (
        <p
          className={message.ok ? 'form-ok' : 'form-error'}
          role={message.ok ? 'status' : 'alert'}
          data-testid="cards-message"
        >
          {message.text}
        </p>
      )}
    </section>
  );
}

function pushedToText(v: VirtualCard): string {
  if (v.pushed_to === 0) return 'Not yet known to any operator.';
  return `Known to ${v.pushed_to === 1 ? '1 operator' : `${v.pushed_to} operators`}.`;
}

function VirtualCardSection() {
  const v = useResource((signal) => accountApi.virtualCard(signal), []);
  return (
    <section className="card virtual-card-section" aria-labelledby="vc-h" data-testid="virtual-card">
      <h2 id="vc-h">Your charge card</h2>
      {v.state === 'loading' && !v.data && <Spinner label="Loading…" />}
      {v.state === 'error' && (
        <p className="muted">
          {isMissingRoute(v.error) ? 'Virtual charge cards are not available yet.' : explain(v.error)}
        </p>
      )}
      {v.data && (
        <div className="vcard">
          <div className={`vcard-face ${v.data.valid ? '' : 'is-blocked'}`}>
            <span className="vcard-brand">Lataus</span>
            <span className="vcard-uid mono" data-testid="virtual-card-uid">
              {v.data.uid}
            </span>
            <span className="vcard-contract mono small">{v.data.contract_id}</span>
          </div>
          <p>
            <span className={`badge ${v.data.valid ? 'badge-ok' : 'badge-off'}`} data-testid="virtual-card-status">
              {v.data.valid ? 'Active' : 'Blocked'}
            </span>{' '}
            <span className="muted small">{pushedToText(v.data)}</span>
          </p>
          <p className="muted small">
            Choose “Start with my charge card” on a charge point’s page: charging starts and is billed to your default
            card.
          </p>
        </div>
      )}
    </section>
  );
}

function chargeLink(c: ChargeView): string {
  return `/charges/${encodeURIComponent(c.id)}`;
}

function TransactionsSection() {
  const list = useResource((signal) => accountApi.charges(signal), []);
  const items = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="tx-h" data-testid="transactions">
      <div className="card-head">
        <h2 id="tx-h">Your charges</h2>
        <button type="button" className="btn btn-soft" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {list.state === 'loading' && !list.data && <Spinner label="Loading charges…" />}
      {list.state === 'error' && <p className="form-error">{explain(list.error)}</p>}
      {list.data && items.length === 0 && (
        <p className="muted">
          No charges yet. <Link to="/">Find a charge point on the map.</Link>
        </p>
      )}
      {items.length > 0 && (
        <ul className="tx-list">
          {items.map((c) => {
            const money = c.final
              ? formatMoney(c.final.incl_vat, c.final.currency)
              : c.cost_so_far
                ? `${c.cost_so_far.at_least ? 'at least ' : ''}${formatMoney(c.cost_so_far.incl_vat, c.cost_so_far.currency)}`
                : '—';
            return (
              <li key={c.id} className="tx" data-testid="transaction" data-status={c.status}>
                <div className="tx-main">
                  <Link to={chargeLink(c)} className="tx-title">
                    {c.location_name ?? c.evse_id}
                  </Link>
                  <p className="muted small">
                    {formatDateTime(c.started_at ?? c.updated_at)} · {formatKwh(c.kwh)}
                  </p>
                </div>
                <div className="tx-side">
                  <strong className="tx-amount">{money}</strong>
                  <span className={`badge badge-${chargeTone(c.status)}`} data-testid="transaction-status">
                    {transactionWords[c.status] ?? c.status}
                  </span>
                  {c.receipt_url && (
                    <a href={c.receipt_url} download className="small" data-testid="transaction-receipt">
                      Receipt
                    </a>
                  )}
                  {c.pay_again_url && (
                    <a href={c.pay_again_url} className="small">
                      Pay again
                    </a>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export default function AccountPage() {
  const { driver, setDriver } = useSession();
  const navigate = useNavigate();
  const [sp] = useSearchParams();
  const [signingOut, setSigningOut] = useState(false);
  if (driver === undefined) return <Spinner label="Loading your account…" />;
  if (driver === null) {
    // Keep a card coming back from the hosted page: sign in first, then come back here with it.
    const back = sp.toString() ? `/account?${sp.toString()}` : '/account';
    return <Navigate to={`/signin?next=${encodeURIComponent(back)}`} replace />;
  }
  const signOut = async () => {
    setSigningOut(true);
    await accountApi.signOut().catch(() => undefined);
    setDriver(null);
    navigate('/', { replace: true });
  };
  return (
    <main className="page narrow account" data-testid="account-page">
      <div className="account-head">
        <div>
          <h1>{driver.name ? `Hello, ${driver.name}` : 'Your account'}</h1>
          <p className="muted" data-testid="account-email">
            {driver.email}
          </p>
        </div>
        <button type="button" className="btn btn-soft" onClick={signOut} disabled={signingOut} data-testid="signout">
          Sign out
        </button>
      </div>
      <CardsSection />
      <VirtualCardSection />
      <TransactionsSection />
    </main>
  );
}
