// A sample receipt: a session priced by the tariff engine (tariff_10: start fee, energy, parking), plus the
// eMSP's markup, as an issued invoice. Used by the PDF tests and for docs/screenshots/invoice-sample.png.
import { linesFromPricedSession } from '../../../src/modules/invoicing/core/from-priced-session.ts';
import type { Invoice } from '../../../src/modules/invoicing/core/invoice.ts';
import { computeTotals } from '../../../src/modules/invoicing/core/totals.ts';
import { priceCdr } from '../../../src/modules/tariffs/index.ts';
import { cdrFrom, exampleTariff } from '../tariffs/helpers.ts';

export function samplePricedSession() {
  const cdr = cdrFrom('2026-03-14T16:05:00Z', [
    { minutes: 50, charging: true, dims: { ENERGY: 18.4 } },
    { minutes: 34, charging: true, dims: { ENERGY: 9.25 } },
    { minutes: 40, parking: true },
  ]);
  const r = priceCdr({
    cdr,
    tariffs: [exampleTariff('tariff_10_025kwh_parking_start.json')],
    timeZone: 'Europe/Berlin',
  });
  if (!r.ok) throw new Error(r.error.message);
  return { cdr, result: r.result };
}

export function sampleInvoice(): Invoice {
  const { cdr, result } = samplePricedSession();
  const lines = linesFromPricedSession(result, {
    markup: { percent: { rate: '8', vat_rate: '19' }, session_fee: { net: '0.42', vat_rate: '19' } },
  });
  const t = computeTotals(lines, 'EUR');
  return {
    number: 'LAT-2026-000042',
    kind: 'invoice',
    references_number: null,
    issued_at: '2026-03-14T18:20:11.000Z',
    issue_date: '2026-03-14',
    currency: 'EUR',
    seller: { name: 'Lataus Demo eMSP GmbH', address: 'Musterstraße 1, 10115 Berlin, Germany', vat_id: 'DE000000000' },
    buyer: { name: 'Jörg Weiß', email: 'joerg.weiss@example.org', address: 'Große Straße 5, 20095 Hamburg' },
    session: {
      location_name: 'Parkhaus Schöneberg',
      address: 'Hauptstraße 155, 10827 Berlin',
      evse_id: 'DE*LTS*E1234*1',
      start: cdr.start_date_time,
      end: cdr.end_date_time,
      kwh: result.total_energy,
      time_zone: 'Europe/Berlin',
    },
    session_ref: 'sess-1',
    lines: lines.map((l, i) => ({ ...l, position: i + 1, net_minor: t.line_nets[i]! })),
    vat_groups: t.groups,
    totals: { net: t.net, vat: t.vat, gross: t.gross },
    payment: { card: { brand: 'VISA', last4: '1234' } },
    price_proof_ref: null,
  };
}
