// application/x-www-form-urlencoded in UTF-8 or ISO-8859-1 (PAYONE's `encoding`; notifications are Latin-1).
// URLSearchParams only speaks UTF-8, hence this small codec.

export type PayoneEncoding = 'UTF-8' | 'ISO-8859-1';

const UNRESERVED = /[A-Za-z0-9\-_.*]/;

function toBytes(s: string, encoding: PayoneEncoding): Buffer {
  if (encoding === 'UTF-8') return Buffer.from(s, 'utf8');
  // Latin-1 cannot carry characters above U+00FF; PAYONE would answer 2013, so send '?' instead.
  return Buffer.from([...s].map((c) => (c.codePointAt(0)! <= 0xff ? c : '?')).join(''), 'latin1');
}

function encodeComponent(s: string, encoding: PayoneEncoding): string {
  let out = '';
  for (const b of toBytes(s, encoding)) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && UNRESERVED.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function encodeForm(params: Record<string, string>, encoding: PayoneEncoding): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeComponent(k, encoding)}=${encodeComponent(v, encoding)}`)
    .join('&');
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

function decodeComponent(s: string, encoding: PayoneEncoding): string {
  const t = s.includes('+') ? s.replaceAll('+', ' ') : s;
  // Most values are plain ASCII without escapes: the same in both encodings.
  if (!t.includes('%') && !/[\u0080-\uffff]/.test(t)) return t;
  const enc = encoding === 'UTF-8' ? 'utf8' : 'latin1';
  const parts: Buffer[] = [];
  let start = 0; // start of the run of literal characters not yet copied
  for (let i = 0; i < t.length; i++) {
    if (t.charCodeAt(i) === 37 && isHex(t.charCodeAt(i + 1)) && isHex(t.charCodeAt(i + 2))) {
      if (i > start) parts.push(Buffer.from(t.slice(start, i), enc));
      parts.push(Buffer.of(Number.parseInt(t.slice(i + 1, i + 3), 16)));
      i += 2;
      start = i + 1;
    }
  }
  if (start < t.length) parts.push(Buffer.from(t.slice(start), enc));
  return Buffer.concat(parts).toString(enc);
}

/** Decodes a form body. The raw bytes are read as Latin-1 first (lossless), then each value per `encoding`. */
export function decodeForm(body: Buffer | string, encoding: PayoneEncoding): Record<string, string> {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  const out: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decodeComponent(eq < 0 ? pair : pair.slice(0, eq), encoding);
    const v = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1), encoding);
    out[k.trim()] = v;
  }
  return out;
}

/** Encoding named by a Content-Type charset, if any. */
export function charsetOf(contentType: string | undefined): PayoneEncoding | null {
  const m = /charset\s*=\s*"?([\w-]+)/i.exec(contentType ?? '');
  if (!m) return null;
  const cs = m[1]!.toLowerCase();
  if (cs === 'utf-8' || cs === 'utf8') return 'UTF-8';
  if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'iso8859-1' || cs === 'windows-1252') return 'ISO-8859-1';
  return null;
}
