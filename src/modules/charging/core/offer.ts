// The offer before a start (pure): the driver's price (CPO tariff + markup), an estimate for a typical charge
// and the hold, for one connector of an EVSE at an instant. Everything priced by the tariff engine.
import { connectorPowerW, type Evse, type Location, type PriceSummary, priceSummary } from '../../network/index.ts';
import { estimateSession, parseTariff, type Tariff } from '../../tariffs/index.ts';
import {
  driverSummary,
  feeTag,
  holdAmount,
  type MarkupConfig,
  major,
  markUpAmount,
  moneyText,
  type PriceTag,
  summaryLines,
} from './pricing.ts';

/** A typical charge for the estimate: this much energy at the connector's power (capped as a car would). */
export const TYPICAL_KWH = 20;
const AC_CAR_KW = 11;
const DC_CAR_KW = 50;

export interface OfferConnector {
  id: string;
  standard: string;
  power_type: string;
  max_power_kw: number;
}

export interface Offer {
  evse: { evse_id: string; uid: string; status: string; connectors: OfferConnector[] };
  location: { id: string; name: string; address: string; city: string; time_zone: string };
  party: { country_code: string; party_id: string };
  connector_id: string;
  /** The CPO tariff the offer is based on (snapshot: the same one prices the live cost). */
  tariff: Tariff | null;
  cpo_price: PriceSummary | null;
  price: PriceSummary | null;
  markup: MarkupConfig;
  markup_view: { percent: string; fee: PriceTag | null };
  estimate: { assumption: string; total: { excl_vat: string; incl_vat: string }; lines: string[] } | null;
  hold: { amount_minor: number; currency: string };
  can_start: boolean;
  reason: string | null;
  at: string;
}

export interface OfferInput {
  party: { country_code: string; party_id: string };
  location: Location;
  evse: Evse;
  /** The connector to charge at; the EVSE's first when absent. */
  connectorId?: string | undefined;
  /** The CPO tariff chosen for the connector (raw stored object) or null. */
  tariff: unknown;
  markup: MarkupConfig;
  holdMin: string;
  /** Whether a registered roaming partner can receive our commands for this party. */
  partnerReachable: boolean;
  at: Date;
}

const STARTABLE = new Set(['AVAILABLE']);

function reasonFor(status: string): string {
  switch (status) {
    case 'CHARGING':
    case 'BLOCKED':
    case 'RESERVED':
      return 'The charge point is in use right now.';
    case 'OUTOFORDER':
    case 'INOPERATIVE':
      return 'The charge point is out of order.';
    case 'PLANNED':
    case 'REMOVED':
      return 'The charge point is not in operation.';
    default:
      return 'The charge point does not report that it is available.';
  }
}

export function buildOffer(i: OfferInput): Offer {
  const { location, evse } = i;
  const connectors: OfferConnector[] = evse.connectors.map((c) => ({
    id: c.id,
    standard: c.standard,
    power_type: c.power_type,
    max_power_kw: Math.round(connectorPowerW(c) / 100) / 10,
  }));
  const connector = i.connectorId ? evse.connectors.find((c) => c.id === i.connectorId) : evse.connectors[0];
  const parsed = i.tariff ? parseTariff(i.tariff, { mode: 'pricing' }) : null;
  const tariff = parsed?.ok ? parsed.tariff : null;
  const tz = location.time_zone;
  const cpo = tariff ? priceSummary(tariff as unknown as { id: string }, i.at, tz) : null;
  const price = cpo ? driverSummary(cpo, i.markup) : null;
  const currency = tariff?.currency ?? 'EUR';

  let estimate: Offer['estimate'] = null;
  if (tariff && connector) {
    const dc = connector.power_type === 'DC';
    const powerKw = Math.max(1, Math.min(connectorPowerW(connector) / 1000, dc ? DC_CAR_KW : AC_CAR_KW));
    const e = estimateSession({ tariff, start: i.at, timeZone: tz, energyKwh: TYPICAL_KWH, powerKw });
    if (e.ok) {
      const total = markUpAmount(e.estimate.total, i.markup);
      const minutes = Math.ceil(e.estimate.charging_minutes); // a duration for people: whole minutes
      const duration = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
      estimate = {
        assumption: `${TYPICAL_KWH} kWh at ${Math.round(powerKw * 10) / 10} kW (about ${duration}), no parking`,
        total: { excl_vat: major(total.excl_vat, currency), incl_vat: major(total.incl_vat, currency) },
        lines: [
          ...(price ? summaryLines(price, i.markup) : []),
          `Expected total for ${TYPICAL_KWH} kWh: ${moneyText(total.incl_vat, currency)}`,
        ],
      };
    }
  }
  const hold = { amount_minor: holdAmount(estimate?.total.incl_vat ?? '0', i.holdMin, currency), currency };

  let reason: string | null = null;
  if (!connector) reason = 'The charge point has no such connector.';
  else if (!tariff || !price) reason = 'No price is known for this charge point, so it cannot be started from here.';
  else if (!i.partnerReachable) reason = 'The operator of this charge point cannot be reached for a remote start.';
  else if (!STARTABLE.has(evse.status)) reason = reasonFor(evse.status);

  return {
    evse: { evse_id: evse.evse_id ?? evse.uid, uid: evse.uid, status: evse.status, connectors },
    location: {
      id: location.id,
      name: location.name ?? location.address,
      address: location.address,
      city: location.city,
      time_zone: tz,
    },
    party: i.party,
    connector_id: connector?.id ?? '',
    tariff,
    cpo_price: cpo,
    price,
    markup: i.markup,
    markup_view: { percent: i.markup.percent, fee: feeTag(i.markup) },
    estimate,
    hold,
    can_start: reason === null,
    reason,
    at: i.at.toISOString(),
  };
}
