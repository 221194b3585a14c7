// The PAYONE adapter against recorded bodies (vendored from /shared/payone/fixtures into ./fixtures).
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCapture,
  buildPreauthorization,
  buildRefund,
  checkNotification,
  classifyErrorCode,
  clientApiHash,
  decodeForm,
  encodeForm,
  interpretResponse,
  isNotificationKeyValid,
  isRetryableErrorCode,
  maskParams,
  notificationDedupeKey,
  notificationEvent,
  type PayoneAccount,
  PayoneHttpClient,
  PayoneProvider,
  parseCidrs,
  parseResponse,
  RESPONSE_STATUSES,
  requestKey,
  Secret,
} from '../../../src/payone/index.ts';

const FX = path.join(import.meta.dirname, 'fixtures');
const read = (p: string) => fs.readFileSync(path.join(FX, p), 'utf8');
/** The OmniPay mocks are whole HTTP responses; the body follows the first blank line. */
const httpBody = (p: string) =>
  read(p)
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n\n');

const account = (over: Partial<PayoneAccount> = {}): PayoneAccount => ({
  mid: '10000',
  aid: '10001',
  portalId: '2000000',
  portalKey: new Secret('asdf'),
  mode: 'test',
  hash: 'md5',
  encoding: 'UTF-8',
  refundRequest: 'debit',
  ...over,
});

describe('key computation (§2.1)', () => {
  it('Server API key: md5 and sha2-384 of the portal key, per the vectors', () => {
    expect(requestKey(new Secret('asdf'), 'md5')).toBe('912ec803b2ce49e4a541068d495ab570');
    expect(requestKey(new Secret('asdf'), 'sha2-384')).toBe(
      'a69e7df30b24c042ec540ccbbdbfb1562c85787038c885749c1e408e2d62fa36642cd0075fa351e822e2b8a59139cd9d',
    );
    expect(requestKey(new Secret('123456'), 'md5')).toBe('e10adc3949ba59abbe56e057f20f883e');
    expect(requestKey(new Secret('123456'), 'sha2-384')).toBe(
      '0a989ebc4a77b56a6e2bb7b19d995d185ce44090c13e2984b7ecc6d446d4b61ea9991b76a4c2f04b1b4d244841449454',
    );
  });

  it('Client API hash vectors (md5 and HMAC-SHA384)', () => {
    const md5 = JSON.parse(read('PAYONE-GmbH+woocommerce-3/derived/client_api_md5_hash_vector.json'));
    expect(clientApiHash(md5.params, new Secret(md5.portal_key), 'md5')).toBe(md5.expected_hash);
    const hmac = JSON.parse(read('moreonion+payone_payment/derived/client_api_hmac_sha384_vectors.json'));
    for (const v of hmac.vectors)
      expect(clientApiHash(v.params, new Secret(v.portal_key), 'sha2-384'), v.name).toBe(v.expected_hash);
  });

  it('the request body with md5 key matches the recorded form body', () => {
    const v = JSON.parse(read('moreonion+payone_payment/derived/client_api_hmac_sha384_vectors.json'));
    const params = {
      request: 'authorization',
      responsetype: 'JSON',
      mode: 'test',
      mid: '1',
      aid: '1',
      portalid: '1',
      encoding: 'UTF-8',
      key: requestKey(new Secret(v.server_api_key_vector.portal_key), 'md5'),
      pseudocardpan: '4711',
    };
    expect(encodeForm(params, 'UTF-8')).toBe(v.server_api_key_vector.expected_post_body);
  });

  it('notification key: md5 of the portal key (sha2-384 also accepted), nothing else', () => {
    expect(isNotificationKeyValid('912ec803b2ce49e4a541068d495ab570', new Secret('asdf'))).toBe(true);
    expect(isNotificationKeyValid('912EC803B2CE49E4A541068D495AB570', new Secret('asdf'))).toBe(true);
    expect(isNotificationKeyValid(requestKey(new Secret('asdf'), 'sha2-384'), new Secret('asdf'))).toBe(true);
    expect(isNotificationKeyValid('912ec803b2ce49e4a541068d495ab571', new Secret('asdf'))).toBe(false);
    expect(isNotificationKeyValid('asdf', new Secret('asdf'))).toBe(false);
  });
});

describe('response parsing (§1.2)', () => {
  it('APPROVED (OmniPay mock)', () => {
    const p = parseResponse(httpBody('academe+OmniPay-Payone/tests/Mock/ShopAuthorizeSuccess.txt'));
    expect(p).toEqual({ status: 'APPROVED', txid: '196569999', userid: '86057923' });
    expect(interpretResponse(p)).toEqual({ status: 'approved', txid: '196569999', userid: '86057923' });
  });

  it('ERROR with a blank line between errormessage and customermessage', () => {
    const p = parseResponse(httpBody('academe+OmniPay-Payone/tests/Mock/ShopAuthorizeFailure.txt'));
    expect(p.customermessage).toBe('Invalid card expiry date. Please verify your card data.');
    expect(interpretResponse(p)).toEqual({
      status: 'error',
      code: '33',
      message: 'Expiry date invalid, incorrect or in the past',
      customerMessage: 'Invalid card expiry date. Please verify your card data.',
      class: 'declined',
      retryable: false,
    });
  });

  it('REDIRECT: the redirecturl keeps its raw & and = (split on the first = only)', () => {
    const p = parseResponse(read('PAYONE-GmbH+woocommerce-3/derived/preauth_cc_3ds_redirect_response.txt'));
    expect(interpretResponse(p)).toEqual({
      status: 'redirect',
      txid: '262491170',
      userid: null,
      redirectUrl: 'https://secure.pay1.de/3ds/redirect.php?md=20954722&txid=262491170',
    });
  });

  it('capture responses with settleaccount and clearing data; CRLF and a trailing newline', () => {
    for (const f of ['Invoice_Capture.txt', 'PayolutionInvoice_Capture.txt']) {
      const body = read(`arvatis+payone-php-api/responses/${f}`);
      const p = parseResponse(body.replaceAll('\n', '\r\n'));
      expect(p.status).toBe('APPROVED');
      expect(['yes', 'no']).toContain(p.settleaccount);
      expect(interpretResponse(p)).toMatchObject({ status: 'approved', txid: p.txid });
    }
    expect(parseResponse('status=APPROVED\ntxid=1\nclearing_legalnote=\n').clearing_legalnote).toBe('');
  });

  it('all authorization bodies parse to APPROVED with txid and userid', () => {
    for (const f of fs.readdirSync(path.join(FX, 'arvatis+payone-php-api/responses'))) {
      if (!f.endsWith('_Authorization.txt')) continue;
      const o = interpretResponse(parseResponse(read(`arvatis+payone-php-api/responses/${f}`)));
      expect(o).toMatchObject({ status: 'approved', txid: expect.stringMatching(/^\d+$/) });
    }
  });

  it('Spryker mock bodies: ERROR 1011/916 and a REDIRECT with a query-string URL', () => {
    const blocks = read('spryker-eco+payone/derived/adapter_mock_raw_strings.txt')
      .split(/^## .*$/m)
      .slice(1)
      .map((b) => parseResponse(b));
    expect(interpretResponse(blocks[0]!)).toMatchObject({ status: 'error', code: '1011', class: 'invalid_request' });
    expect(blocks[1]!.redirecturl).toBe(
      'https://www.sandbox.paypal.com/webscr?useraction=continue&cmd=_express-checkout&token=EC-1XL23256WD360340A',
    );
    expect(interpretResponse(blocks[2]!)).toMatchObject({ status: 'error', code: '916', retryable: false });
  });

  it('the 1203 live error text', () => {
    const j = JSON.parse(read('fjbender+payone-jsonized/derived/json_error_1203_missing_mid.json'));
    const body = Object.entries(j)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    expect(interpretResponse(parseResponse(body))).toMatchObject({
      status: 'error',
      code: '1203',
      class: 'configuration',
      retryable: false,
    });
  });

  it('every PAYONE status maps to an outcome; empty or odd bodies are "unknown"', () => {
    for (const s of RESPONSE_STATUSES) expect(interpretResponse({ status: s, txid: '1' }).status).toBeTruthy();
    expect(interpretResponse(parseResponse(''))).toMatchObject({ status: 'unknown' });
    expect(interpretResponse(parseResponse('<html>502</html>'))).toMatchObject({ status: 'unknown' });
    expect(interpretResponse({ status: 'VALID' })).toMatchObject({ status: 'unknown' });
    expect(interpretResponse({ status: 'APPROVED' })).toMatchObject({ status: 'unknown' });
    expect(interpretResponse({ status: 'PENDING', txid: '5' })).toEqual({ status: 'pending', txid: '5', userid: null });
  });
});

describe('error codes: PAYONE catalogue → class and retryability', () => {
  const catalogue = read('PAYONE-GmbH+oxid-6/derived/payoneerrors.tsv')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split('\t')[0]));

  it('classifies every catalogued code (388)', () => {
    expect(catalogue.length).toBeGreaterThan(380);
    const unclassified = catalogue.filter((c) => classifyErrorCode(c) === 'unknown');
    expect(unclassified).toEqual([]);
  });

  it('only transient conditions are retryable', () => {
    expect(catalogue.filter(isRetryableErrorCode).sort((a, b) => a - b)).toEqual([
      1, 91, 900, 902, 903, 904, 909, 990, 991, 6502,
    ]);
    expect(classifyErrorCode(907)).toBe('sequence');
    expect(classifyErrorCode(911)).toBe('duplicate_reference');
    expect(classifyErrorCode(2006)).toBe('configuration');
    expect(classifyErrorCode(908)).toBe('process_state');
    expect(classifyErrorCode(80)).toBe('declined');
    expect(classifyErrorCode(872)).toBe('declined');
    expect(classifyErrorCode(4219)).toBe('authentication');
    expect(classifyErrorCode(971)).toBe('customer_abort');
    expect(classifyErrorCode(1073)).toBe('invalid_request');
    expect(classifyErrorCode(0)).toBe('unknown');
  });
});

describe('request building', () => {
  const cmd = {
    reference: 'LT-abc_1/2',
    amount: 5000,
    currency: 'EUR',
    card: { pseudocardpan: '9410010000002325942' },
    returnUrls: { successUrl: 'https://l/ok', errorUrl: 'https://l/err', backUrl: 'https://l/back' },
    credential: { kind: 'single' as const },
  };

  it('preauthorization with a pseudo card PAN and 3-D Secure URLs', () => {
    const p = buildPreauthorization(account(), cmd);
    expect(p).toMatchObject({
      request: 'preauthorization',
      mid: '10000',
      aid: '10001',
      portalid: '2000000',
      key: '912ec803b2ce49e4a541068d495ab570',
      mode: 'test',
      api_version: '3.11',
      encoding: 'UTF-8',
      clearingtype: 'cc',
      reference: 'LT-abc_1/2',
      amount: '5000',
      currency: 'EUR',
      pseudocardpan: '9410010000002325942',
      successurl: 'https://l/ok',
      errorurl: 'https://l/err',
      backurl: 'https://l/back',
    });
    expect(p).not.toHaveProperty('sequencenumber'); // §5.1: implied 0, must not be sent
    expect(p).not.toHaveProperty('recurrence');
    expect(buildPreauthorization(account({ hash: 'sha2-384' }), cmd).key).toHaveLength(96);
    expect(buildPreauthorization(account(), cmd, 'authorization').request).toBe('authorization');
  });

  it('stored-credential fields (§4.1)', () => {
    const f = (kind: 'store_initial' | 'stored_customer_initiated' | 'stored_merchant_initiated') =>
      buildPreauthorization(account(), { ...cmd, credential: { kind } });
    expect(f('store_initial')).toMatchObject({
      recurrence: 'oneclick',
      initial_payment: 'true',
      customer_is_present: 'yes',
    });
    expect(f('stored_customer_initiated')).toMatchObject({ recurrence: 'oneclick', initial_payment: 'false' });
    const mit = f('stored_merchant_initiated');
    expect(mit).toMatchObject({ recurrence: 'recurring', customer_is_present: 'no' });
    expect(mit).not.toHaveProperty('successurl'); // no customer to redirect
  });

  it('rejects references PAYONE would refuse', () => {
    expect(() => buildPreauthorization(account(), { ...cmd, reference: 'x'.repeat(21) })).toThrow();
    expect(() => buildPreauthorization(account(), { ...cmd, reference: 'a b' })).toThrow();
    expect(() => buildPreauthorization(account(), { ...cmd, amount: 0 })).toThrow();
  });

  it('capture: sequencenumber, final capture releases the rest, 0 cancels', () => {
    const c = buildCapture(account(), { txid: '1', sequence: 1, amount: 3120, currency: 'EUR', final: true });
    expect(c).toMatchObject({
      request: 'capture',
      txid: '1',
      sequencenumber: '1',
      amount: '3120',
      capturemode: 'completed',
      settleaccount: 'auto',
    });
    expect(buildCapture(account(), { txid: '1', sequence: 1, amount: 0, currency: 'EUR', final: true }).amount).toBe(
      '0',
    );
    expect(() =>
      buildCapture(account(), { txid: '1', sequence: 0, amount: 1, currency: 'EUR', final: true }),
    ).toThrow();
  });

  it('refund as debit (negative, GT) or as refund', () => {
    expect(buildRefund(account(), { txid: '1', sequence: 2, amount: 120, currency: 'EUR' })).toMatchObject({
      request: 'debit',
      amount: '-120',
      transactiontype: 'GT',
      sequencenumber: '2',
    });
    const r = buildRefund(account({ refundRequest: 'refund' }), {
      txid: '1',
      sequence: 2,
      amount: 120,
      currency: 'EUR',
    });
    expect(r).toMatchObject({ request: 'refund', amount: '-120', sequencenumber: '2' });
    expect(r).not.toHaveProperty('transactiontype');
  });
});

describe('encodings', () => {
  it('UTF-8 and ISO-8859-1 round trips', () => {
    const v = { lastname: 'Jäger Straße', city: 'Köln', x: 'a&b=c+d' };
    expect(encodeForm(v, 'ISO-8859-1')).toBe('lastname=J%E4ger+Stra%DFe&city=K%F6ln&x=a%26b%3Dc%2Bd');
    expect(encodeForm(v, 'UTF-8')).toBe('lastname=J%C3%A4ger+Stra%C3%9Fe&city=K%C3%B6ln&x=a%26b%3Dc%2Bd');
    expect(decodeForm(encodeForm(v, 'ISO-8859-1'), 'ISO-8859-1')).toEqual(v);
    expect(decodeForm(encodeForm(v, 'UTF-8'), 'UTF-8')).toEqual(v);
    expect(decodeForm('street=J%E4gerweg 12', 'ISO-8859-1').street).toBe('Jägerweg 12');
    expect(encodeForm({ n: '€' }, 'ISO-8859-1')).toBe('n=%3F'); // not representable in Latin-1
  });

  it('decodes like a byte-by-byte reference: stray %, raw Latin-1 and UTF-8 bytes, +', () => {
    // The straightforward decoder (one byte at a time) that the fast one must agree with.
    const reference = (text: string, encoding: 'UTF-8' | 'ISO-8859-1') => {
      const enc = encoding === 'UTF-8' ? 'utf8' : 'latin1';
      const one = (s: string) => {
        const bytes: number[] = [];
        const t = s.replaceAll('+', ' ');
        for (let i = 0; i < t.length; i++) {
          if (t[i] === '%' && /^[0-9a-fA-F]{2}$/.test(t.slice(i + 1, i + 3))) {
            bytes.push(Number.parseInt(t.slice(i + 1, i + 3), 16));
            i += 2;
          } else for (const b of Buffer.from(t[i]!, enc)) bytes.push(b);
        }
        return Buffer.from(bytes).toString(enc);
      };
      const out: Record<string, string> = {};
      for (const pair of text.split('&')) {
        if (pair === '') continue;
        const eq = pair.indexOf('=');
        out[one(eq < 0 ? pair : pair.slice(0, eq)).trim()] = eq < 0 ? '' : one(pair.slice(eq + 1));
      }
      return out;
    };
    expect(decodeForm('a=100%&b=%zz%4&c=%E4%', 'ISO-8859-1')).toEqual({ a: '100%', b: '%zz%4', c: 'ä%' });
    expect(decodeForm('n=J%C3%A4ger+%C3%9F', 'UTF-8')).toEqual({ n: 'Jäger ß' });
    expect(decodeForm(Buffer.from('n=Jäger', 'latin1'), 'ISO-8859-1')).toEqual({ n: 'Jäger' });
    const chars = [...'ab=&+% 09AFafzäß€'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 30 }), fc.boolean(), (cs, utf8) => {
        const enc = utf8 ? 'UTF-8' : 'ISO-8859-1';
        const text = cs.join('');
        expect(decodeForm(text, enc)).toEqual(reference(text, enc));
        const raw = Buffer.from(text, utf8 ? 'utf8' : 'latin1');
        expect(decodeForm(raw, enc)).toEqual(reference(raw.toString('latin1'), enc));
      }),
    );
  });
});

describe('TransactionStatus', () => {
  const logged = read('commercetools+commercetools-payone-integration/derived/notification_appointed_cc_logged.txt');
  const auth = { portalKey: new Secret('asdf'), portalId: '2022125', aid: '17102', allowedCidrs: [] };
  const body = (over: Record<string, string> = {}) => {
    const f = decodeForm(logged, 'ISO-8859-1');
    Object.assign(f, { key: '912ec803b2ce49e4a541068d495ab570', aid: '17102', txid: '262491170' }, over);
    return Buffer.from(encodeForm(f, 'ISO-8859-1'), 'latin1');
  };

  it('parses the logged appointed notification into our event (decimal major units → minor)', () => {
    const check = checkNotification(body(), 'application/x-www-form-urlencoded', '185.60.20.7', auth);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.fields.lastname).toBe('Test Buyer');
    expect(check.fields.cardpan).toBe('411111xxxxxx1111');
    expect(notificationEvent(check.fields)).toEqual({
      type: 'notification',
      txaction: 'appointed',
      txid: '262491170',
      sequence: 0,
      transactionStatus: 'completed',
      currency: 'EUR',
      price: 200000,
      receivable: 0,
      balance: 0,
      failedcause: null,
    });
    expect(notificationDedupeKey(check.fields)).toBe('262491170|appointed|0|completed');
  });

  it('the OXID stored rows: paid with negative balance, Latin-1 names', () => {
    const [header, ...rows] = read('PAYONE-GmbH+oxid-6/derived/fcpotransactionstatus_rows.tsv').trim().split('\n');
    const cols = header!.split('\t').map((c) => c.replace(/^FCPO_/, '').toLowerCase());
    const paid = Object.fromEntries(rows[2]!.split('\t').map((v, i) => [cols[i]!, v]));
    const e = notificationEvent(paid);
    expect(e).toMatchObject({ txaction: 'paid', balance: -5380, price: 5380, receivable: 0, transactionStatus: null });
  });

  it('rejects a wrong key, a foreign portal or aid, and senders outside PAYONE_NOTIFY_IPS', () => {
    expect(checkNotification(body({ key: 'x'.repeat(32) }), undefined, '1.2.3.4', auth)).toMatchObject({
      ok: false,
      reason: 'bad_key',
    });
    expect(checkNotification(body({ portalid: '1' }), undefined, '1.2.3.4', auth)).toMatchObject({
      reason: 'wrong_portal',
    });
    expect(checkNotification(body({ aid: '1' }), undefined, '1.2.3.4', auth)).toMatchObject({ reason: 'wrong_aid' });
    const ips = { ...auth, allowedCidrs: parseCidrs('185.60.20.0/24, 54.246.203.105') };
    expect(checkNotification(body(), undefined, '185.60.20.254', ips).ok).toBe(true);
    expect(checkNotification(body(), undefined, '::ffff:54.246.203.105', ips).ok).toBe(true);
    expect(checkNotification(body(), undefined, '185.60.21.1', ips)).toMatchObject({ reason: 'forbidden_ip' });
    expect(() => parseCidrs('300.1.1.1/8')).toThrow();
  });

  it('decodes UTF-8 when the Content-Type says so', () => {
    const b = Buffer.from(encodeForm({ ...decodeForm(body(), 'ISO-8859-1'), lastname: 'Jäger' }, 'UTF-8'), 'latin1');
    const c = checkNotification(b, 'application/x-www-form-urlencoded; charset=UTF-8', '1.1.1.1', auth);
    expect(c.ok && c.fields.lastname).toBe('Jäger');
  });
});

describe('secrets and masking', () => {
  it('a Secret never shows its value', () => {
    const s = new Secret('portal-key-123');
    expect(String(s)).toBe('***');
    expect(`${s}`).toBe('***');
    expect(JSON.stringify({ s })).toBe('{"s":"***"}');
    expect(inspect({ s })).not.toContain('portal-key-123');
    expect(s.reveal()).toBe('portal-key-123');
  });

  it('masks key, card numbers, CVC and bank data in logged parameters', () => {
    const m = maskParams({
      key: 'abc',
      pseudocardpan: '9410010000002325942',
      cardpan: '4111111111111111',
      cardcvc2: '123',
      iban: 'DE02120300000000202051',
      amount: '5',
    });
    expect(m).toEqual({
      key: '***',
      pseudocardpan: '***************5942',
      cardpan: '411111xxxxxx1111',
      cardcvc2: '***',
      iban: '***',
      amount: '5',
    });
  });
});

describe('PayoneProvider over a fake transport', () => {
  const fakeFetch = (status: number, body: string, contentType = 'text/plain; charset=UTF-8'): typeof fetch =>
    (async () => new Response(body, { status, headers: { 'content-type': contentType } })) as typeof fetch;

  it('approved capture; the exchange is logged masked', async () => {
    let sent = '';
    const f: typeof fetch = async (_url, init) => {
      sent = String(init?.body);
      return new Response(read('arvatis+payone-php-api/responses/PayolutionInvoice_Capture.txt'), { status: 200 });
    };
    const p = new PayoneProvider(account(), new PayoneHttpClient({ url: 'http://x', fetch: f }));
    const r = await p.capture({ txid: '213747789', sequence: 1, amount: 100, currency: 'EUR', final: true });
    expect(r.outcome).toEqual({ status: 'approved', txid: '213747789', userid: null });
    expect(sent).toContain('key=912ec803b2ce49e4a541068d495ab570');
    expect(r.exchange.request.key).toBe('***');
    expect(JSON.stringify(r.exchange)).not.toContain('912ec803b2ce49e4a541068d495ab570');
  });

  it('HTTP 500, timeouts and refused connections are "unknown" outcomes', async () => {
    const p500 = new PayoneProvider(
      account(),
      new PayoneHttpClient({ url: 'http://x', fetch: fakeFetch(500, 'oops') }),
    );
    expect(
      (await p500.capture({ txid: '1', sequence: 1, amount: 1, currency: 'EUR', final: true })).outcome,
    ).toMatchObject({
      status: 'unknown',
    });
    const slow: typeof fetch = (_u, init) =>
      new Promise((_r, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const pt = new PayoneProvider(account(), new PayoneHttpClient({ url: 'http://x', fetch: slow, timeoutMs: 20 }));
    const r = await pt.capture({ txid: '1', sequence: 1, amount: 1, currency: 'EUR', final: true });
    expect(r.outcome).toEqual({ status: 'unknown', detail: 'timeout after 20 ms' });
    const refused = new PayoneProvider(account(), { url: 'http://127.0.0.1:1/post-gateway/', timeoutMs: 2000 });
    expect((await refused.refund({ txid: '1', sequence: 2, amount: 1, currency: 'EUR' })).outcome.status).toBe(
      'unknown',
    );
  });

  it('decodes an ISO-8859-1 answer', async () => {
    const latin = Buffer.from('status=ERROR\nerrorcode=2\nerrormessage=Zahlung abgelehnt für Jäger\n', 'latin1');
    const f: typeof fetch = async () =>
      new Response(latin, { status: 200, headers: { 'content-type': 'text/plain; charset=ISO-8859-1' } });
    const p = new PayoneProvider(
      account({ encoding: 'ISO-8859-1' }),
      new PayoneHttpClient({ url: 'http://x', fetch: f }),
    );
    const r = await p.preauthorize({
      reference: 'LT1',
      amount: 1,
      currency: 'EUR',
      card: { pseudocardpan: '1' },
      returnUrls: null,
      credential: { kind: 'single' },
    });
    expect(r.outcome).toMatchObject({ status: 'error', message: 'Zahlung abgelehnt für Jäger', class: 'declined' });
  });
});
