// The TransactionStatus body encoder against the straightforward version it replaced (bytes of the ISO-8859-1
// string, `?` for what ISO-8859-1 cannot hold, PHP urlencode per byte).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeNotificationBody, latin1FormEncode } from '../../../simulators/payone/core/wire.ts';

function reference(value: string): string {
  let latin1 = '';
  for (const ch of value) latin1 += ch.codePointAt(0)! <= 0xff ? ch : '?';
  let out = '';
  for (const byte of Buffer.from(latin1, 'latin1')) {
    const isUnreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f;
    if (isUnreserved) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

describe('latin1FormEncode', () => {
  it('encodes like PHP urlencode over ISO-8859-1, whatever the string', () => {
    const chars = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)) }),
      fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)) }),
    );
    fc.assert(
      fc.property(chars, (value) => {
        expect(latin1FormEncode(value)).toBe(reference(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('examples', () => {
    expect(latin1FormEncode('Müller & Söhne')).toBe('M%FCller+%26+S%F6hne');
    expect(latin1FormEncode('€ 😀 x')).toBe('%3F+%3F+x');
    expect(latin1FormEncode('a.b_c-d')).toBe('a.b_c-d');
    expect(
      encodeNotificationBody([
        ['key', 'v w'],
        ['empty', ''],
      ]),
    ).toBe('key=v+w&empty=');
  });
});
