// Card data the simulator understands: test PANs, their pseudo card PANs and what a payment with them does.
// Real PANs never leave the simulator: merchants see the pseudo PAN, the truncated PAN, the type and expiry.
import { createHash } from 'node:crypto';
import type { PayoneErrorCode } from './errors.ts';

/** PAYONE card type codes ([M1] Enum/CreditcardType.php). */
export type CardType = 'V' | 'M' | 'A' | 'D' | 'J' | 'O' | 'U' | 'B' | 'P' | 'C';

/** What a (pre)authorization with a card does. */
export type CardBehaviour =
  | { readonly kind: 'approve' }
  | { readonly kind: 'decline'; readonly errorcode: PayoneErrorCode }
  | { readonly kind: 'challenge' } // 3-D Secure challenge: REDIRECT to the simulator's ACS page
  | { readonly kind: 'pending' }; // provider timeout: PENDING (api_version >= 3.9), settled by notification

export interface TestCard {
  readonly pan: string;
  readonly pseudocardpan: string;
  readonly cardtype: CardType;
  readonly label: string;
  readonly behaviour: CardBehaviour;
}

/**
 * Test cards. The first two decline rows are PAYONE's documented test data (PAN and pseudo PAN, digest §7);
 * the others are the simulator's. Pseudo PANs are 19 digits as PAYONE's are.
 */
export const TEST_CARDS: readonly TestCard[] = [
  {
    pan: '4111111111111111',
    pseudocardpan: '9410010000000411111',
    cardtype: 'V',
    label: 'Visa, approved',
    behaviour: { kind: 'approve' },
  },
  {
    pan: '5500000000000004',
    pseudocardpan: '9410010000000550004',
    cardtype: 'M',
    label: 'Mastercard, approved',
    behaviour: { kind: 'approve' },
  },
  {
    pan: '2720990000000015',
    pseudocardpan: '9410010000000272015',
    cardtype: 'M',
    label: 'Mastercard (2-series), approved',
    behaviour: { kind: 'approve' },
  },
  {
    pan: '340000000000009',
    pseudocardpan: '9410010000000340009',
    cardtype: 'A',
    label: 'Amex (4-digit CVC), approved',
    behaviour: { kind: 'approve' },
  },
  {
    pan: '4000000000003220',
    pseudocardpan: '9410010000000403220',
    cardtype: 'V',
    label: 'Visa, 3-D Secure challenge (REDIRECT)',
    behaviour: { kind: 'challenge' },
  },
  {
    pan: '5200000000001096',
    pseudocardpan: '9410010000000521096',
    cardtype: 'M',
    label: 'Mastercard, 3-D Secure challenge (REDIRECT)',
    behaviour: { kind: 'challenge' },
  },
  {
    pan: '4000000000009995',
    pseudocardpan: '9410010000000409995',
    cardtype: 'V',
    label: 'Visa, declined: insufficient funds (13 Limit exceeded)',
    behaviour: { kind: 'decline', errorcode: 13 },
  },
  {
    pan: '4000000000000002',
    pseudocardpan: '9410010000000400002',
    cardtype: 'V',
    label: 'Visa, declined (5 Authorization declined)',
    behaviour: { kind: 'decline', errorcode: 5 },
  },
  {
    pan: '4000000000000127',
    pseudocardpan: '9410010000000400127',
    cardtype: 'V',
    label: 'Visa, declined: CVC (7)',
    behaviour: { kind: 'decline', errorcode: 7 },
  },
  {
    pan: '4000000000000259',
    pseudocardpan: '9410010000000400259',
    cardtype: 'V',
    label: 'Visa, declined: stolen (43)',
    behaviour: { kind: 'decline', errorcode: 43 },
  },
  {
    pan: '4000000000000119',
    pseudocardpan: '9410010000000400119',
    cardtype: 'V',
    label: 'Visa, issuer timeout (PENDING, then appointed)',
    behaviour: { kind: 'pending' },
  },
  {
    pan: '4301111100000101',
    pseudocardpan: '9410009000000000102',
    cardtype: 'V',
    label: 'PAYONE test card: declined (1 issuer unavailable)',
    behaviour: { kind: 'decline', errorcode: 1 },
  },
  {
    pan: '4301111100000200',
    pseudocardpan: '9410009000000000201',
    cardtype: 'V',
    label: 'PAYONE test card: declined (2 Authorization declined)',
    behaviour: { kind: 'decline', errorcode: 2 },
  },
];

/** A pseudo PAN used by PAYONE's plugins as a test helper (digest §4.1): approves, Mastercard. */
export const PLUGIN_TEST_PSEUDOCARDPAN = {
  pseudocardpan: '5500000000099999',
  pan: '5500000000000004',
  cardtype: 'M',
} as const;

export function luhnValid(pan: string): boolean {
  if (!/^\d+$/.test(pan)) return false;
  let sum = 0;
  let double = false;
  for (let i = pan.length - 1; i >= 0; i--) {
    let digit = pan.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The card type by its number (IIN ranges), or undefined when the simulator does not know the scheme. */
export function cardTypeOf(pan: string): CardType | undefined {
  if (/^4/.test(pan)) return 'V';
  if (/^(5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/.test(pan)) return 'M';
  if (/^3[47]/.test(pan)) return 'A';
  if (/^(30[0-5]|36|38|6011|65)/.test(pan)) return 'D';
  if (/^35(2[89]|[3-8]\d)/.test(pan)) return 'J';
  if (/^(50|5[6-9]|6\d)/.test(pan)) return 'O';
  return undefined;
}

/** PAYONE's masked form: first 6, `x` for the middle, last 4 (`411111xxxxxx1111`). */
export function truncatePan(pan: string): string {
  return `${pan.slice(0, 6)}${'x'.repeat(Math.max(0, pan.length - 10))}${pan.slice(-4)}`;
}

/** A stable 19-digit pseudo PAN for a PAN outside the test table (same card → same pseudo PAN, as at PAYONE). */
export function pseudoPanFor(pan: string): string {
  const known = TEST_CARDS.find((c) => c.pan === pan);
  if (known) return known.pseudocardpan;
  const digest = createHash('sha256').update(`payone-sim:${pan}`).digest();
  const digits = (digest.readBigUInt64BE(0) % 10n ** 12n).toString().padStart(12, '0');
  return `9410011${digits}`;
}

export type CardCheck =
  | {
      readonly ok: true;
      readonly pan: string;
      readonly cardtype: CardType;
      readonly cardexpiredate: string;
      readonly pseudocardpan: string;
      readonly truncatedcardpan: string;
    }
  | {
      readonly ok: false;
      readonly errorcode: PayoneErrorCode;
      readonly field: 'cardpan' | 'cardexpiredate' | 'cardcvc2' | 'cardtype';
    };

/** Parses `MM/YY`, `MMYY`, `MM/YYYY` or PAYONE's `YYMM` (when `yymm` is set) into YYMM. */
export function expiryToYymm(input: string, yymm = false): string | undefined {
  const text = input.replace(/\s/g, '');
  if (yymm) return /^\d{4}$/.test(text) ? text : undefined;
  const m = /^(\d{1,2})\/?(\d{2}|\d{4})$/.exec(text);
  if (!m) return undefined;
  const month = Number(m[1]);
  if (month < 1 || month > 12) return undefined;
  const year = m[2]!.length === 4 ? m[2]!.slice(2) : m[2]!;
  return `${year}${String(month).padStart(2, '0')}`;
}

/** Validates raw card data the way creditcardcheck does (digest §3, §7 error codes). */
export function checkCard(
  input: { pan: string; cardexpiredate: string; cvc?: string; cardtype?: string },
  now: Date,
): CardCheck {
  const pan = input.pan.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(pan)) return { ok: false, errorcode: 878, field: 'cardpan' };
  if (!luhnValid(pan)) return { ok: false, errorcode: 877, field: 'cardpan' };
  const detected = cardTypeOf(pan);
  if (!detected) return { ok: false, errorcode: 880, field: 'cardtype' };
  if (input.cardtype !== undefined && input.cardtype !== '' && input.cardtype !== detected) {
    return { ok: false, errorcode: 880, field: 'cardtype' };
  }
  const yymm = input.cardexpiredate;
  const month = Number(yymm.slice(2, 4));
  if (!/^\d{4}$/.test(yymm) || month < 1 || month > 12) return { ok: false, errorcode: 1077, field: 'cardexpiredate' };
  const nowYymm = (now.getUTCFullYear() % 100) * 100 + now.getUTCMonth() + 1;
  if (Number(yymm) < nowYymm) return { ok: false, errorcode: 33, field: 'cardexpiredate' };
  if (input.cvc !== undefined) {
    const cvcLength = detected === 'A' ? 4 : 3;
    if (!new RegExp(`^\\d{${cvcLength}}$`).test(input.cvc)) return { ok: false, errorcode: 879, field: 'cardcvc2' };
  }
  return {
    ok: true,
    pan,
    cardtype: detected,
    cardexpiredate: yymm,
    pseudocardpan: pseudoPanFor(pan),
    truncatedcardpan: truncatePan(pan),
  };
}

/** A card the simulator has tokenised (or knows from the test table), by pseudo PAN. */
export interface StoredCard {
  readonly pseudocardpan: string;
  readonly truncatedcardpan: string;
  readonly cardtype: CardType;
  readonly cardexpiredate: string;
  readonly behaviour: CardBehaviour;
}

/** Behaviour of a card outside the test table: approve. */
export function behaviourOfPan(pan: string): CardBehaviour {
  return TEST_CARDS.find((c) => c.pan === pan)?.behaviour ?? { kind: 'approve' };
}

/** The pseudo PANs valid without a card check first: the test table and the plugins' helper. Expiry 12/2030+. */
export function preregisteredCards(): StoredCard[] {
  const cards: StoredCard[] = TEST_CARDS.map((c) => ({
    pseudocardpan: c.pseudocardpan,
    truncatedcardpan: truncatePan(c.pan),
    cardtype: c.cardtype,
    cardexpiredate: '3012',
    behaviour: c.behaviour,
  }));
  cards.push({
    pseudocardpan: PLUGIN_TEST_PSEUDOCARDPAN.pseudocardpan,
    truncatedcardpan: truncatePan(PLUGIN_TEST_PSEUDOCARDPAN.pan),
    cardtype: PLUGIN_TEST_PSEUDOCARDPAN.cardtype,
    cardexpiredate: '3012',
    behaviour: { kind: 'approve' },
  });
  return cards;
}
