// HTML of the simulator's browser pages: the hosted card form (in place of PAYONE's hosted iFrame) and the
// 3-D Secure ACS page. Plain HTML/CSS, mobile-friendly, with data-testid hooks for browser tests.
import { TEST_CARDS } from './cards.ts';
import { formatMajor } from './money.ts';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;color:#1d2433}
main{max-width:28rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.25rem;margin:.25rem 0 1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;font-size:1.1rem;padding:.7rem;border:1px solid #b8c0cc;border-radius:8px}
input[aria-invalid=true]{border-color:#c62828}
.row{display:flex;gap:.75rem}.row>div{flex:1}
.error{color:#c62828;font-size:.9rem;margin:.25rem 0 0}
button{width:100%;font-size:1.05rem;padding:.8rem;margin-top:1rem;border:0;border-radius:8px;background:#1556d6;color:#fff;cursor:pointer}
button.secondary,a.secondary{background:#e3e7ee;color:#1d2433}
a.button{display:block;text-align:center;text-decoration:none;font-size:1.05rem;padding:.8rem;margin-top:1rem;border-radius:8px}
button.danger{background:#c62828}
.note{font-size:.85rem;color:#5b6475}
.badge{display:inline-block;font-size:.75rem;background:#ffe9a8;border-radius:4px;padding:.1rem .4rem}
table{width:100%;border-collapse:collapse;font-size:.8rem;margin-top:.5rem}td{padding:.2rem;border-top:1px solid #e3e7ee}
code{font-size:.85rem}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export interface CardFormState {
  readonly successurl: string;
  readonly errorurl: string;
  readonly backurl: string;
  readonly cardholder: string;
  /** Expiry as typed (MM/YY). */
  readonly expiry: string;
  readonly errors: Partial<Record<'cardpan' | 'expiry' | 'cvc' | 'form', string>>;
}

function fieldError(testid: string, message: string | undefined): string {
  return message ? `<p class="error" data-testid="${testid}" role="alert">${escapeHtml(message)}</p>` : '';
}

/** The card form. Card number and CVC are never echoed back into the page. */
export function hostedCardPage(state: CardFormState): string {
  const e = state.errors;
  const rows = TEST_CARDS.map((c) => `<tr><td><code>${c.pan}</code></td><td>${escapeHtml(c.label)}</td></tr>`).join('');
  return layout(
    'Card details – PAYONE simulator',
    `<div class="card">
<span class="badge">PAYONE simulator · test mode</span>
<h1>Card details</h1>
${fieldError('error-form', e.form)}
<form method="post" action="/hosted/card" autocomplete="off" novalidate data-testid="card-form">
<input type="hidden" name="successurl" value="${escapeHtml(state.successurl)}">
<input type="hidden" name="errorurl" value="${escapeHtml(state.errorurl)}">
<input type="hidden" name="backurl" value="${escapeHtml(state.backurl)}">
<label for="cardholder">Cardholder</label>
<input id="cardholder" name="cardholder" autocomplete="cc-name" value="${escapeHtml(state.cardholder)}" data-testid="cardholder">
<label for="cardpan">Card number</label>
<input id="cardpan" name="cardpan" inputmode="numeric" autocomplete="cc-number" placeholder="4111 1111 1111 1111"
 aria-invalid="${e.cardpan ? 'true' : 'false'}" data-testid="cardpan">
${fieldError('error-cardpan', e.cardpan)}
<div class="row">
<div><label for="expiry">Expiry (MM/YY)</label>
<input id="expiry" name="expiry" inputmode="numeric" autocomplete="cc-exp" placeholder="12/30"
 value="${escapeHtml(state.expiry)}" aria-invalid="${e.expiry ? 'true' : 'false'}" data-testid="expiry">
${fieldError('error-expiry', e.expiry)}</div>
<div><label for="cvc">CVC</label>
<input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123"
 aria-invalid="${e.cvc ? 'true' : 'false'}" data-testid="cvc">
${fieldError('error-cvc', e.cvc)}</div>
</div>
<button type="submit" data-testid="submit">Check card</button>
</form>
${state.backurl ? `<a class="button secondary" href="${escapeHtml(state.backurl)}" data-testid="cancel">Cancel</a>` : ''}
<details data-testid="test-cards"><summary class="note">Test cards (any future expiry, any 3-digit CVC; Amex 4 digits)</summary>
<table>${rows}</table></details>
</div>`,
  );
}

export interface AcsPageInput {
  readonly txid: string;
  readonly md: string;
  readonly amount: number;
  readonly currency: string;
  readonly truncatedcardpan: string;
  readonly reference: string;
}

export function acsPage(input: AcsPageInput): string {
  const hidden = `<input type="hidden" name="txid" value="${escapeHtml(input.txid)}"><input type="hidden" name="md" value="${escapeHtml(input.md)}">`;
  return layout(
    '3-D Secure – PAYONE simulator',
    `<div class="card">
<span class="badge">PAYONE simulator · 3-D Secure ACS</span>
<h1>Confirm your payment</h1>
<p data-testid="acs-summary">Pay <strong>${escapeHtml(formatMajor(input.amount, input.currency))} ${escapeHtml(input.currency)}</strong>
 with card <code>${escapeHtml(input.truncatedcardpan)}</code> (reference ${escapeHtml(input.reference)}).</p>
<form method="post" action="/3ds/redirect">${hidden}<input type="hidden" name="outcome" value="authenticated">
<button type="submit" data-testid="acs-approve">Authenticate</button></form>
<form method="post" action="/3ds/redirect">${hidden}<input type="hidden" name="outcome" value="failed">
<button type="submit" class="danger" data-testid="acs-fail">Fail authentication</button></form>
<form method="post" action="/3ds/redirect">${hidden}<input type="hidden" name="outcome" value="cancelled">
<button type="submit" class="secondary" data-testid="acs-cancel">Cancel</button></form>
</div>`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(
    title,
    `<div class="card"><h1>${escapeHtml(title)}</h1><p data-testid="message">${escapeHtml(message)}</p></div>`,
  );
}
