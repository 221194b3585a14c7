// PAYONE's wire formats: the request form (urlencoded or multipart, ISO-8859-1 or UTF-8 per `encoding`),
// the key=value response, the optional JSON response (Accept: application/json), and the ISO-8859-1
// TransactionStatus form body. Digest §1 and §6.

export type PayoneEncoding = 'UTF-8' | 'ISO-8859-1';

/** A form field before character decoding: the encoding is itself a field of the form. */
export interface RawField {
  readonly name: Buffer;
  readonly value: Buffer;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Percent-decodes one urlencoded component to bytes (`+` is a space). A stray `%` stays literal. */
export function percentDecode(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2b) {
      out[n++] = 0x20;
    } else if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]!);
      const lo = hexValue(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
      } else {
        out[n++] = b;
      }
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

export function parseUrlencoded(body: Buffer): RawField[] {
  const fields: RawField[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 0x26) {
      const part = body.subarray(start, i);
      start = i + 1;
      if (part.length === 0) continue;
      const eq = part.indexOf(0x3d);
      const name = eq < 0 ? part : part.subarray(0, eq);
      const value = eq < 0 ? Buffer.alloc(0) : part.subarray(eq + 1);
      fields.push({ name: percentDecode(name), value: percentDecode(value) });
    }
  }
  return fields;
}

/** Minimal multipart/form-data reader: [SW6] posts a PHP array through curl, which becomes multipart. */
export function parseMultipart(body: Buffer, boundary: string): RawField[] {
  const fields: RawField[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const partStart = pos + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString('latin1') === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) break;
    let part = body.subarray(partStart, next);
    if (part.subarray(0, 2).toString('latin1') === '\r\n') part = part.subarray(2);
    if (part.subarray(part.length - 2).toString('latin1') === '\r\n') part = part.subarray(0, part.length - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('latin1');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) fields.push({ name: Buffer.from(name, 'latin1'), value: part.subarray(headerEnd + 4) });
    }
    pos = next;
  }
  return fields;
}

/** Reads the form of a request by its Content-Type; a missing Content-Type is read as urlencoded ([SW6]). */
export function parseRequestBody(body: Buffer, contentType: string | undefined): RawField[] {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
    return boundary ? parseMultipart(body, boundary) : [];
  }
  return parseUrlencoded(body);
}

export type DecodedForm =
  | { readonly ok: true; readonly encoding: PayoneEncoding; readonly params: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly errorcode: 1201 | 2013; readonly encoding: PayoneEncoding };

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function normaliseEncoding(value: string): PayoneEncoding | undefined {
  const upper = value.trim().toUpperCase();
  if (upper === 'UTF-8') return 'UTF-8';
  if (upper === 'ISO-8859-1') return 'ISO-8859-1';
  return undefined;
}

/**
 * Decodes the raw fields with the encoding the request names (ISO-8859-1 when absent, digest §2).
 * Bytes that are not valid UTF-8 under `encoding=UTF-8`, and control characters, give 2013.
 * A repeated name keeps its last value, as PHP does.
 */
export function decodeForm(fields: readonly RawField[]): DecodedForm {
  let encoding: PayoneEncoding = 'ISO-8859-1';
  const encodingField = fields.findLast((f) => f.name.toString('latin1') === 'encoding');
  if (encodingField) {
    const named = normaliseEncoding(encodingField.value.toString('latin1'));
    if (!named) return { ok: false, errorcode: 1201, encoding };
    encoding = named;
  }
  const params = new Map<string, string>();
  try {
    for (const field of fields) {
      const name = encoding === 'UTF-8' ? utf8Strict.decode(field.name) : field.name.toString('latin1');
      const value = encoding === 'UTF-8' ? utf8Strict.decode(field.value) : field.value.toString('latin1');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what PAYONE rejects
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) return { ok: false, errorcode: 2013, encoding };
      params.set(name, value);
    }
  } catch {
    return { ok: false, errorcode: 2013, encoding };
  }
  return { ok: true, encoding, params };
}

/** One response line; order is kept as given. */
export type ResponseFields = ReadonlyArray<readonly [string, string]>;

/** PAYONE's default response body: `name=value` lines ending in `\n`, values not URL-encoded. */
export function formatKeyValueBody(fields: ResponseFields): string {
  return fields.map(([name, value]) => `${name}=${value}\n`).join('');
}

/** Parses a key=value body as a client would: split on the first `=`, skip blank lines. */
export function parseKeyValueBody(body: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    result.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return result;
}

export function contentTypeFor(encoding: PayoneEncoding): string {
  return `text/plain; charset=${encoding}`;
}

/** Encodes a text body for the wire in the request's encoding (unmappable characters become `?`). */
export function encodeText(text: string, encoding: PayoneEncoding): Buffer {
  return encoding === 'UTF-8' ? Buffer.from(text, 'utf8') : Buffer.from(toLatin1Safe(text), 'latin1');
}

function toLatin1Safe(text: string): string {
  let out = '';
  for (const ch of text) out += ch.codePointAt(0)! <= 0xff ? ch : '?';
  return out;
}

const JSON_TOP_LEVEL: Record<string, string> = {
  status: 'Status',
  txid: 'TxId',
  userid: 'UserId',
  accessid: 'AccessId',
  settleaccount: 'SettleAccount',
  vxid: 'VxId',
  vaid: 'VaId',
  redirecturl: 'RedirectUrl',
  workorderid: 'WorkOrderId',
  usertoken: 'UserToken',
  pseudocardpan: 'PseudoCardPan',
  truncatedcardpan: 'TruncatedCardPan',
  cardtype: 'CardType',
  cardexpiredate: 'CardExpireDate',
  reasoncode: 'ReasonCode',
};
const JSON_ERROR: Record<string, string> = {
  errorcode: 'ErrorCode',
  errormessage: 'ErrorMessage',
  customermessage: 'CustomerMessage',
};

/** The `Accept: application/json` variant (digest §1.3): PAYONE's names, error fields under `Error`. */
export function toJsonResponse(fields: ResponseFields): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  const error: Record<string, string> = {};
  for (const [name, value] of fields) {
    const errorName = JSON_ERROR[name];
    if (errorName) error[errorName] = value;
    else json[JSON_TOP_LEVEL[name] ?? name] = value;
  }
  if (Object.keys(error).length > 0) json.Error = error;
  return json;
}

/** PHP urlencode of each ISO-8859-1 byte: unreserved bytes as they are, space as `+`, the rest `%XX`. */
const LATIN1_FORM_ENCODED: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const isUnreserved =
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f;
  if (isUnreserved) return String.fromCharCode(byte);
  if (byte === 0x20) return '+';
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});
const NEEDS_NO_ENCODING = /^[0-9A-Za-z._-]*$/;

/**
 * Percent-encodes a value as ISO-8859-1 the way PHP's urlencode does (space as `+`). A character outside
 * ISO-8859-1 (a surrogate pair counts as one) becomes `?`, i.e. `%3F`.
 */
export function latin1FormEncode(value: string): string {
  if (NEEDS_NO_ENCODING.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0xff) {
      out += LATIN1_FORM_ENCODED[code]!;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    out += '%3F';
  }
  return out;
}

/** The TransactionStatus body: always ISO-8859-1, fields in the given order, empty fields sent as `name=`. */
export function encodeNotificationBody(fields: ResponseFields): string {
  return fields.map(([name, value]) => `${latin1FormEncode(name)}=${latin1FormEncode(value)}`).join('&');
}
