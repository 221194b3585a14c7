import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api, type ConnectorDetail, type EvseDetail, type LocationDetail, type OcpiHours } from '../api.ts';
import {
  evseStatusWords,
  evseTone,
  formatDistance,
  formatKw,
  formatNumber,
  formatPeriod,
  isDc,
  powerTypeName,
  standardName,
  weeklyHours,
} from '../format.ts';
import { ErrorNote, Spinner } from '../ui/Spinner.tsx';
import { AvailabilityPill, addressLine, OpenPill, PriceLine } from '../ui/StationBits.tsx';
import { useResource } from '../ui/useResource.ts';

function OpeningHours({ hours, timeZone }: { hours: OcpiHours | null; timeZone: string | null }) {
  if (!hours) return <p className="muted">The operator has not published opening hours.</p>;
  const today = todayWeekday(timeZone);
  const openings = hours.exceptional_openings ?? [];
  const closings = hours.exceptional_closings ?? [];
  return (
    <div data-testid="opening-hours">
      {hours.twentyfourseven ? (
        <p className="hours-247">Open 24 hours a day, 7 days a week.</p>
      ) : (
        <table className="hours-table">
          <caption className="visually-hidden">Regular opening hours</caption>
          <tbody>
            {weeklyHours(hours).map((d) => (
              <tr key={d.weekday} className={d.weekday === today ? 'is-today' : undefined}>
                <th scope="row">
                  {d.name}
                  {d.weekday === today && <span className="visually-hidden"> (today)</span>}
                </th>
                <td>{d.periods.length ? d.periods.join(', ') : <span className="muted">Closed</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {openings.length > 0 && (
        <div className="exceptions">
          <h3>Extra opening times</h3>
          <ul>
            {openings.map((p) => (
              <li key={`${p.period_begin}-${p.period_end}`}>{formatPeriod(p.period_begin, p.period_end, timeZone)}</li>
            ))}
          </ul>
        </div>
      )}
      {closings.length > 0 && (
        <div className="exceptions">
          <h3>Closed on</h3>
          <ul>
            {closings.map((p) => (
              <li key={`${p.period_begin}-${p.period_end}`}>{formatPeriod(p.period_begin, p.period_end, timeZone)}</li>
            ))}
          </ul>
        </div>
      )}
      {timeZone && <p className="muted small">Times are local time ({timeZone}).</p>}
    </div>
  );
}

function todayWeekday(timeZone: string | null): number {
  try {
    const name = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: timeZone ?? undefined }).format(
      new Date(),
    );
    return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(name) + 1;
  } catch {
    return 0;
  }
}

function ConnectorRow({ c, sameAsStation, evse }: { c: ConnectorDetail; sameAsStation: boolean; evse: EvseDetail }) {
  const canCharge = !!evse.evse_id && (evse.status === 'AVAILABLE' || evse.status === 'UNKNOWN');
  return (
    <li className="connector" data-testid="connector">
      <div className="connector-head">
        <span className={`plug ${isDc(c.power_type) ? 'plug-dc' : 'plug-ac'}`}>{isDc(c.power_type) ? 'DC' : 'AC'}</span>
        <div>
          <p className="connector-name">{standardName(c.standard)}</p>
          <p className="muted small">
            {formatKw(c.max_power_kw)} · {powerTypeName(c.power_type)} · {c.format === 'CABLE' ? 'cable' : 'socket'}
            {c.max_voltage ? ` · ${formatNumber(c.max_voltage)} V` : ''}
            {c.max_amperage ? ` / ${formatNumber(c.max_amperage)} A` : ''}
          </p>
        </div>
      </div>
      <PriceLine price={c.price} notes={!sameAsStation} />
      {evse.evse_id && (
        <Link
          className={`btn btn-charge ${canCharge ? 'btn-primary' : ''}`}
          to={`/c/${encodeURIComponent(evse.evse_id)}?connector=${encodeURIComponent(c.id)}`}
          data-testid="charge-here"
        >
          {canCharge ? 'Charge here' : 'Price and start'}
        </Link>
      )}
    </li>
  );
}

function EvseCard({ evse, stationTariff }: { evse: EvseDetail; stationTariff: string | null }) {
  const tone = evseTone(evse.status);
  return (
    <li className="card evse" data-testid="evse" data-status={evse.status}>
      <div className="evse-head">
        <span className={`badge badge-${tone}`} data-testid="evse-status">
          {evseStatusWords[evse.status] ?? evse.status}
        </span>
        <span className="evse-id mono">{evse.evse_id ?? evse.uid}</span>
      </div>
      {(evse.physical_reference || evse.floor_level) && (
        <p className="muted small">
          {evse.physical_reference && `Marked “${evse.physical_reference}”`}
          {evse.physical_reference && evse.floor_level && ' · '}
          {evse.floor_level && `Floor ${evse.floor_level}`}
        </p>
      )}
      <ul className="connectors-list">
        {evse.connectors.map((c) => (
          <ConnectorRow key={c.id} c={c} evse={evse} sameAsStation={!!c.price && c.price.tariff_id === stationTariff} />
        ))}
      </ul>
    </li>
  );
}

const facilityWords: Record<string, string> = {
  HOTEL: 'Hotel',
  RESTAURANT: 'Restaurant',
  CAFE: 'Café',
  MALL: 'Shopping mall',
  SUPERMARKET: 'Supermarket',
  SPORT: 'Sports',
  RECREATION_AREA: 'Recreation area',
  NATURE: 'Nature',
  MUSEUM: 'Museum',
  BIKE_SHARING: 'Bike sharing',
  BUS_STOP: 'Bus stop',
  TAXI_STAND: 'Taxi stand',
  TRAM_STOP: 'Tram stop',
  METRO_STATION: 'Metro station',
  TRAIN_STATION: 'Train station',
  AIRPORT: 'Airport',
  PARKING_LOT: 'Parking lot',
  CARPOOL_PARKING: 'Carpool parking',
  FUEL_STATION: 'Fuel station',
  WIFI: 'Wi-Fi',
};

function StationView({ s }: { s: LocationDetail }) {
  const distance = formatDistance(s.distance_m);
  const operator = s.operator ?? (s.operator_name ? { name: s.operator_name, website: null } : null);
  const osm = `https://www.openstreetmap.org/?mlat=${s.coordinates.latitude}&mlon=${s.coordinates.longitude}#map=17/${s.coordinates.latitude}/${s.coordinates.longitude}`;
  const direction = s.directions.find((d) => d.language === 'en') ?? s.directions[0];

  return (
    <article className="station" data-testid="station-page" data-location-id={s.id}>
      <header className="station-head">
        <h1 data-testid="station-name">{s.name ?? s.address}</h1>
        <p className="address">
          {addressLine(s)}
          {distance && <span className="muted"> · {distance} away</span>}
        </p>
        {operator && (
          <p className="operator" data-testid="operator">
            Operated by{' '}
            {operator.website ? (
              <a href={operator.website} target="_blank" rel="noreferrer noopener">
                {operator.name}
              </a>
            ) : (
              operator.name
            )}
          </p>
        )}
        <div className="pills">
          <AvailabilityPill a={s.availability} />
          <span className="pill pill-power">up to {formatKw(s.max_power_kw)}</span>
          <OpenPill open={s.open_now} twentyFourSeven={s.opening_hours?.twentyfourseven} />
        </div>
        <div className="actions">
          <a className="btn" href={osm} target="_blank" rel="noreferrer noopener">
            Open in map app
          </a>
        </div>
      </header>

      <section className="station-section" aria-labelledby="prices-h">
        <h2 id="prices-h">Prices</h2>
        <p className="muted small">
          All prices include VAT and are shown before you start charging. Each charge point may have its own price.
        </p>
        {s.price && (
          <div className="card price-card" data-testid="station-price">
            <PriceLine price={s.price} />
          </div>
        )}
      </section>

      <section className="station-section" aria-labelledby="evses-h">
        <h2 id="evses-h">
          Charge points <span className="muted">({s.evses.length})</span>
        </h2>
        {s.evses.length === 0 ? (
          <p className="muted">No charge points are listed yet.</p>
        ) : (
          <ul className="evse-list">
            {s.evses.map((e) => (
              <EvseCard key={e.uid} evse={e} stationTariff={s.price?.tariff_id ?? null} />
            ))}
          </ul>
        )}
      </section>

      <section className="station-section" aria-labelledby="hours-h">
        <h2 id="hours-h">Opening hours</h2>
        <OpeningHours hours={s.opening_hours} timeZone={s.time_zone} />
      </section>

      {(s.facilities.length > 0 || s.parking_type || direction) && (
        <section className="station-section" aria-labelledby="about-h">
          <h2 id="about-h">At this place</h2>
          {direction && <p>{direction.text}</p>}
          {s.parking_type && <p className="muted">Parking: {s.parking_type.replaceAll('_', ' ').toLowerCase()}</p>}
          {s.facilities.length > 0 && (
            <ul className="chips static">
              {s.facilities.map((f) => (
                <li key={f} className="chip">
                  {facilityWords[f] ?? f.replaceAll('_', ' ').toLowerCase()}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </article>
  );
}

export function StationPage() {
  const { locationId = '' } = useParams();
  const res = useResource((signal) => api.location(locationId, signal), [locationId]);

  useEffect(() => {
    if (res.data?.name) document.title = `${res.data.name} — Lataus`;
    return () => {
      document.title = 'Lataus — charge anywhere';
    };
  }, [res.data?.name]);

  return (
    <main className="page narrow">
      <p className="back">
        <Link to="/">← Map</Link> <Link to="/list">List</Link>
      </p>
      {res.state === 'loading' && !res.data && <Spinner label="Loading station…" />}
      {res.state === 'error' &&
        (res.error instanceof ApiError && res.error.status === 404 ? (
          <div className="empty" data-testid="not-found">
            <h1>Station not found</h1>
            <p>This station may have been removed by its operator.</p>
          </div>
        ) : (
          <ErrorNote error={res.error} onRetry={res.reload} />
        ))}
      {res.data && res.data.id === locationId && <StationView s={res.data} />}
    </main>
  );
}
