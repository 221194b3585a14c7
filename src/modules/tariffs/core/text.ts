// Driver-facing English text for prices (incl. VAT, as drivers see them).
import type { Decimal } from 'decimal.js';

const SYMBOLS: Record<string, string> = { EUR: '€', GBP: '£', USD: '$' };

/** "0.35 €", "0.275 €", "12.00 €": at least 2 decimals, up to 4 when the price needs them; half-up. */
export function formatMoney(amount: Decimal, currency: string): string {
  let s = amount.toFixed(4, 4 /* ROUND_HALF_UP */);
  s = s.replace(/(\.\d\d\d?)0+$/, '$1').replace(/(\.\d\d[1-9]?)0$/, '$1');
  return `${s} ${SYMBOLS[currency] ?? currency}`;
}

export type PriceLineKind = 'FLAT' | 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'RESERVATION_TIME' | 'RESERVATION_FLAT';

export function priceText(kind: PriceLineKind, amount: Decimal, currency: string): string {
  const m = formatMoney(amount, currency);
  switch (kind) {
    case 'FLAT':
      return `Start fee: ${m}`;
    case 'ENERGY':
      return `${m} per kWh`;
    case 'TIME':
      return `Charging time: ${m} per hour`;
    case 'PARKING_TIME':
      return `Parking after charging: ${m} per hour`;
    case 'RESERVATION_TIME':
      return `Reservation: ${m} per hour`;
    case 'RESERVATION_FLAT':
      return `Reservation fee: ${m}`;
  }
}
