// Small pieces shared by the list cards, the map sheet and the station page.
import { Fragment } from 'react';
import { Link } from 'react-router';
import type { Availability, LocationSummary, PriceSummary } from '../api.ts';
import {
  availabilityTone,
  connectorSummary,
  formatDistance,
  formatKw,
  formatVatRate,
  priceParts,
  priceVat,
  variesNote,
} from '../format.ts';

export function AvailabilityPill({ a }: { a: Availability }) {
  const tone = availabilityTone(a);
  return (
    <span className={`pill pill-${tone}`} data-testid="availability">
      <span className="dot" aria-hidden="true" />
      {a.total === 0 ? 'No charge points' : `${a.available} of ${a.total} available`}
    </span>
  );
}

export function OpenPill({ open, twentyFourSeven }: { open: boolean; twentyFourSeven?: boolean }) {
  return (
    <span className={`pill ${open ? 'pill-open' : 'pill-closed'}`} data-testid="open-now">
      {open ? (twentyFourSeven ? 'Open 24/7' : 'Open now') : 'Closed now'}
    </span>
  );
}

export function PriceLine({
  price,
  compact = false,
  notes = true,
}: {
  price: PriceSummary | null;
  compact?: boolean;
  /** false: leave out the "varies" note and alt text (shown once elsewhere on the page). */
  notes?: boolean;
}) {
  if (!price) return <p className="price-line muted">Price not published by the operator</p>;
  const note = notes ? variesNote(price, compact) : null;
  return (
    <div className="price-block" data-testid="price">
      <p className="price-line">
        {priceParts(price).map((p, i) => (
          <Fragment key={p.key}>
            {i > 0 && <span className="sep"> · </span>}
            <span className="price-part">{p.text}</span>
          </Fragment>
        ))}
      </p>
      <p className="price-vat">{formatVatRate(priceVat(price))}</p>
      {note && <p className="price-note">{note}</p>}
      {notes && price.alt_text && <p className="price-note">{price.alt_text}</p>}
    </div>
  );
}

export function addressLine(s: Pick<LocationSummary, 'address' | 'postal_code' | 'city'>): string {
  return [s.address, [s.postal_code, s.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

export function StationCard({ s }: { s: LocationSummary }) {
  const distance = formatDistance(s.distance_m);
  return (
    <article className="card station-card" data-testid="station-card" data-location-id={s.id}>
      <div className="card-head">
        <h2 className="card-title">
          <Link to={`/stations/${encodeURIComponent(s.id)}`} data-testid="station-link">
            {s.name ?? s.address}
          </Link>
        </h2>
        {distance && <span className="distance">{distance}</span>}
      </div>
      <p className="address">{addressLine(s)}</p>
      {s.operator_name && <p className="operator muted">{s.operator_name}</p>}
      <div className="pills">
        <AvailabilityPill a={s.availability} />
        <span className="pill pill-power">up to {formatKw(s.max_power_kw)}</span>
        <OpenPill open={s.open_now} twentyFourSeven={s.opening_hours?.twentyfourseven} />
      </div>
      {s.connectors.length > 0 && <p className="connectors muted">{connectorSummary(s.connectors)}</p>}
      <PriceLine price={s.price} compact />
    </article>
  );
}
