// Unit tests of the simulator's pure protocol functions, against the digest's vectors and the recorded fixtures.
import { describe, expect, it } from 'vitest';
import { checkCard, luhnValid, pseudoPanFor, TEST_CARDS, truncatePan } from '../../../simulators/payone/core/cards.ts';
import { parseSchedule, parseSimulatorArgs } from '../../../simulators/payone/core/config.ts';
import { type GatewaySettings, processRequest } from '../../../simulators/payone/core/gateway.ts';
import {
  clientApiHash,
  clientApiHashInput,
  md5Hex,
  sha384Hex,
  verifyServerKey,
} from '../../../simulators/payone/core/keys.ts';
import { createLedger, type Ledger } from '../../../simulators/payone/core/ledger.ts';
import { formatMajor } from '../../../simulators/payone/core/money.ts';
import { notificationFields } from '../../../simulators/payone/core/notification.ts';
import { createQueue, dueNotifications, enqueue, recordAttempt } from '../../../simulators/payone/core/queue.ts';
import {
  decodeForm,
  encodeNotificationBody,
  formatKeyValueBody,
  parseMultipart,
  parseUrlencoded,
  toJsonResponse,
} from '../../../simulators/payone/core/wire.ts';
import { fixture, fixtureBody } from './helpers.ts';

const settings: GatewaySettings = {
  mid: '10000',
  portalid: '2000000',
  aid: '10001',
  portalKey: 'lataus-sim-portal-key',
  keyHash: 'md5_or_sha2-384',
  publicUrl: 'http://sim.test',
  magicAmounts: true,
  notifyVersion: '7.5',
};
const standard = {
  mid: '10000',
  portalid: '2000000',
  aid: '10001',
  key: md5Hex('lataus-sim-portal-key'),
  mode: 'test',
  encoding: 'UTF-8',
  api_version: '3.11',
};
const ctx = { now: new Date('2026-11-27T10:00:00Z'), idGap: () => 1 };

function run(ledger: Ledger, params: Record<string, string>) {
  const result = processRequest(ledger, settings, new Map(Object.entries({ ...standard, ...params })), ctx);
  return { ...result, map: Object.fromEntries(result.fields) as Record<string, string> };
}

function preauth(ledger: Ledger, overrides: Record<string, string> = {}) {
  return run(ledger, {
    request: 'preauthorization',
    reference: `r${ledger.lastTxid}`,
    clearingtype: 'cc',
    amount: '5000',
    currency: 'EUR',
    pseudocardpan: '9410010000000411111',
    lastname: 'Driver',
    country: 'DE',
    ...overrides,
  });
}

describe('keys (digest §2.1 vectors)', () => {
  it('computes the Server API key as md5 or sha384 of the portal key', () => {
    expect(md5Hex('asdf')).toBe('912ec803b2ce49e4a541068d495ab570');
    expect(sha384Hex('asdf')).toBe(
      'a69e7df30b24c042ec540ccbbdbfb1562c85787038c885749c1e408e2d62fa36642cd0075fa351e822e2b8a59139cd9d',
    );
    expect(md5Hex('123456')).toBe('e10adc3949ba59abbe56e057f20f883e');
    expect(verifyServerKey(md5Hex('k'), 'k', 'md5_or_sha2-384')).toBe(true);
    expect(verifyServerKey(sha384Hex('k'), 'k', 'md5_or_sha2-384')).toBe(true);
    expect(verifyServerKey(sha384Hex('k'), 'k', 'md5')).toBe(false);
    expect(verifyServerKey(md5Hex('k'), 'k', 'sha2-384')).toBe(false);
    expect(verifyServerKey(md5Hex('other'), 'k', 'md5_or_sha2-384')).toBe(false);
  });

  it('computes Client API hashes as in the fixture vectors', () => {
    const md5Vector = JSON.parse(fixture('PAYONE-GmbH+woocommerce-3/derived/client_api_md5_hash_vector.json'));
    expect(clientApiHash(md5Vector.params, md5Vector.portal_key, 'md5')).toBe(md5Vector.expected_hash);
    const hmac = JSON.parse(fixture('moreonion+payone_payment/derived/client_api_hmac_sha384_vectors.json'));
    for (const vector of hmac.vectors) {
      expect(clientApiHashInput(vector.params)).toBe(vector.string_to_sign);
      expect(clientApiHash(vector.params, vector.portal_key, 'sha2-384')).toBe(vector.expected_hash);
    }
  });
});

describe('wire formats', () => {
  it('decodes ISO-8859-1 by default and UTF-8 when named', () => {
    const latin = decodeForm(parseUrlencoded(Buffer.from('lastname=M%FCller&street=J%E4gerweg+12')));
    expect(latin).toMatchObject({ ok: true, encoding: 'ISO-8859-1' });
    if (latin.ok) expect(latin.params.get('street')).toBe('Jägerweg 12');
    const utf8 = decodeForm(parseUrlencoded(Buffer.from('encoding=UTF-8&lastname=M%C3%BCller')));
    if (!utf8.ok) throw new Error('expected ok');
    expect(utf8.params.get('lastname')).toBe('Müller');
  });

  it('rejects bytes that are not UTF-8 under encoding=UTF-8 (2013) and unknown encodings (1201)', () => {
    expect(decodeForm(parseUrlencoded(Buffer.from('encoding=UTF-8&lastname=M%FCller')))).toMatchObject({
      ok: false,
      errorcode: 2013,
    });
    expect(decodeForm(parseUrlencoded(Buffer.from('encoding=UTF-16')))).toMatchObject({ ok: false, errorcode: 1201 });
  });

  it('reads multipart/form-data bodies', () => {
    const body = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="request"\r\n\r\ncapture\r\n--XyZ\r\nContent-Disposition: form-data; name="amount"\r\n\r\n100\r\n--XyZ--\r\n',
    );
    const fields = parseMultipart(body, 'XyZ').map((f) => [f.name.toString(), f.value.toString()]);
    expect(fields).toEqual([
      ['request', 'capture'],
      ['amount', '100'],
    ]);
  });

  it('formats responses like the recorded bodies', () => {
    expect(
      formatKeyValueBody([
        ['status', 'APPROVED'],
        ['txid', '196569999'],
        ['userid', '86057923'],
      ]),
    ).toBe(fixtureBody('academe+OmniPay-Payone/tests/Mock/ShopAuthorizeSuccess.txt'));
    const redirect = fixture('PAYONE-GmbH+woocommerce-3/derived/preauth_cc_3ds_redirect_response.txt');
    expect(
      formatKeyValueBody([
        ['status', 'REDIRECT'],
        ['redirecturl', 'https://secure.pay1.de/3ds/redirect.php?md=20954722&txid=262491170'],
        ['txid', '262491170'],
      ]),
    ).toBe(`${redirect}\n`);
  });

  it('maps the JSON variant as the digest table says', () => {
    expect(
      toJsonResponse([
        ['status', 'ERROR'],
        ['errorcode', '1203'],
        ['errormessage', 'Parameter {mid} faulty or missing'],
        ['customermessage', 'x'],
      ]),
    ).toEqual({
      Status: 'ERROR',
      Error: { ErrorCode: '1203', ErrorMessage: 'Parameter {mid} faulty or missing', CustomerMessage: 'x' },
    });
  });

  it('encodes notifications in ISO-8859-1 with + for spaces and empty fields kept', () => {
    expect(
      encodeNotificationBody([
        ['street', 'Jägerweg 12'],
        ['lastname', 'Test Buyer'],
        ['company', ''],
        ['cardpan', '411111xxxxxx1111'],
      ]),
    ).toBe('street=J%E4gerweg+12&lastname=Test+Buyer&company=&cardpan=411111xxxxxx1111');
  });

  it('formats notification amounts in major units with a dot', () => {
    expect(formatMajor(200000, 'EUR')).toBe('2000.00');
    expect(formatMajor(-5380, 'EUR')).toBe('-53.80');
    expect(formatMajor(0, 'EUR')).toBe('0.00');
    expect(formatMajor(5, 'EUR')).toBe('0.05');
    expect(formatMajor(1500, 'JPY')).toBe('1500');
  });
});

describe('cards', () => {
  it('has Luhn-valid test cards with 19-digit pseudo PANs', () => {
    for (const card of TEST_CARDS) {
      expect(luhnValid(card.pan)).toBe(true);
      expect(card.pseudocardpan).toMatch(/^\d{19}$/);
    }
    expect(truncatePan('4111111111111111')).toBe('411111xxxxxx1111');
    expect(pseudoPanFor('4012888888881881')).toBe(pseudoPanFor('4012888888881881'));
  });

  it('validates card data like creditcardcheck', () => {
    const now = new Date('2026-11-27T00:00:00Z');
    expect(checkCard({ pan: '4111111111111112', cardexpiredate: '3012' }, now)).toMatchObject({ errorcode: 877 });
    expect(checkCard({ pan: '41111', cardexpiredate: '3012' }, now)).toMatchObject({ errorcode: 878 });
    expect(checkCard({ pan: '4111111111111111', cardexpiredate: '2610' }, now)).toMatchObject({ errorcode: 33 });
    expect(checkCard({ pan: '4111111111111111', cardexpiredate: '2611', cvc: '12' }, now)).toMatchObject({
      errorcode: 879,
    });
    expect(checkCard({ pan: '340000000000009', cardexpiredate: '3012', cvc: '1234' }, now)).toMatchObject({
      ok: true,
      cardtype: 'A',
      truncatedcardpan: '340000xxxxx0009',
    });
  });
});

describe('gateway', () => {
  it('answers a missing mid with 1203 and PAYONE text (fixture json_error_1203_missing_mid.json)', () => {
    const expected = JSON.parse(fixture('fjbender+payone-jsonized/derived/json_error_1203_missing_mid.json'));
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    const { map } = run(ledger, { request: 'preauthorization', mid: '' });
    expect(map).toEqual(expected);
  });

  it('checks credentials: 2006 for a wrong key, 1206 for a malformed one, 2005 for another portal', () => {
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    expect(preauth(ledger, { key: md5Hex('wrong') }).map.errorcode).toBe('2006');
    expect(preauth(ledger, { key: 'not-hex' }).map.errorcode).toBe('1206');
    expect(preauth(ledger, { portalid: '2000001' }).map.errorcode).toBe('2005');
    expect(preauth(ledger, { key: sha384Hex('lataus-sim-portal-key') }).map.status).toBe('APPROVED');
  });

  it('issues increasing numeric txids and appoints with sequencenumber 0', () => {
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    const first = preauth(ledger);
    const second = preauth(ledger);
    expect(first.fields.map(([k]) => k)).toEqual(['status', 'txid', 'userid']);
    expect(Number(second.map.txid)).toBeGreaterThan(Number(first.map.txid));
    expect(first.effects).toHaveLength(1);
    expect(first.effects[0]).toMatchObject({ kind: 'notify', txaction: 'appointed', sequencenumber: 0 });
  });

  it('rejects a reused reference with 911 (case-insensitive)', () => {
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    preauth(ledger, { reference: 'Order-1' });
    expect(preauth(ledger, { reference: 'order-1' }).map.errorcode).toBe('911');
  });

  it('enforces sequencenumbers (907) and the reserved amount (908); partial captures; capture 0 releases', () => {
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    const txid = preauth(ledger).map.txid!;
    const capture = (seq: string | undefined, amount: string, extra: Record<string, string> = {}) =>
      run(ledger, {
        request: 'capture',
        txid,
        amount,
        currency: 'EUR',
        ...(seq === undefined ? {} : { sequencenumber: seq }),
        ...extra,
      }).map;
    expect(capture('0', '1000').errorcode).toBe('907');
    expect(capture('2', '1000').errorcode).toBe('907');
    expect(capture('1', '5001').errorcode).toBe('908');
    expect(capture('1', '2000', { capturemode: 'notcompleted' })).toMatchObject({ status: 'APPROVED', txid });
    expect(capture(undefined, '1000').errorcode).toBe('1009');
    expect(capture('2', '3001').errorcode).toBe('908');
    expect(capture('2', '0', { capturemode: 'notcompleted' }).errorcode).toBe('935');
    expect(capture('2', '0')).toMatchObject({ status: 'APPROVED' });
    expect(capture('3', '1').errorcode).toBe('908');
    const process = ledger.processes.get(txid)!;
    expect(process).toMatchObject({ captured: 2000, released: true, sequencenumber: 2 });
  });

  it('debits (negative = credit, with 906 above the receivable) and refunds only on a settled balance', () => {
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    const txid = preauth(ledger).map.txid!;
    run(ledger, { request: 'capture', txid, sequencenumber: '1', amount: '3000', currency: 'EUR' });
    const seqless = run(ledger, { request: 'debit', txid, amount: '-100', currency: 'EUR' }).map;
    expect(seqless.errorcode).toBe('1009');
    expect(
      run(ledger, { request: 'debit', txid, sequencenumber: '2', amount: '-3001', currency: 'EUR' }).map.errorcode,
    ).toBe('906');
    expect(
      run(ledger, { request: 'debit', txid, sequencenumber: '2', amount: '-100', currency: 'USD' }).map.errorcode,
    ).toBe('910');
    // Not paid yet: refund needs a settled balance.
    expect(
      run(ledger, { request: 'refund', txid, sequencenumber: '2', amount: '-100', currency: 'EUR' }).map.errorcode,
    ).toBe('915');
    const debit = run(ledger, { request: 'debit', txid, sequencenumber: '2', amount: '-500', currency: 'EUR' });
    expect(debit.fields).toEqual([
      ['status', 'APPROVED'],
      ['txid', txid],
      ['settleaccount', 'yes'],
    ]);
    const notify = debit.effects[0];
    expect(notify).toMatchObject({ kind: 'notify', txaction: 'debit', sequencenumber: 2 });
    if (notify?.kind === 'notify') expect(Object.fromEntries(notify.fields).receivable).toBe('25.00');
    ledger.processes.get(txid)!.paid = 2500;
    const refund = run(ledger, { request: 'refund', txid, sequencenumber: '3', amount: '-1000', currency: 'EUR' });
    expect(refund.fields).toEqual([
      ['status', 'APPROVED'],
      ['txid', txid],
    ]);
    expect(refund.effects[0]).toMatchObject({ txaction: 'refund', sequencenumber: 3 });
  });

  it('declines by test card and by magic amount; unknown pseudo PAN is 872', () => {
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    expect(preauth(ledger, { pseudocardpan: '9410010000000409995' }).map.errorcode).toBe('13');
    expect(preauth(ledger, { amount: '5051' }).map.errorcode).toBe('13');
    expect(preauth(ledger, { amount: '5005' }).map.errorcode).toBe('5');
    expect(preauth(ledger, { pseudocardpan: '9410010000999999999' }).map.errorcode).toBe('872');
    expect(preauth(ledger, { amount: '5003' }).map.status).toBe('PENDING');
    expect(preauth(ledger, { amount: '5003', api_version: '3.8' }).map.errorcode).toBe('903');
  });

  it('answers REDIRECT for 3-D Secure cards, exempts merchant-initiated payments', () => {
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    const urls = { successurl: 'https://l.test/ok', errorurl: 'https://l.test/err', backurl: 'https://l.test/back' };
    expect(preauth(ledger, { pseudocardpan: '9410010000000403220' }).map.errorcode).toBe('1041');
    const redirect = preauth(ledger, { pseudocardpan: '9410010000000403220', ...urls });
    expect(redirect.fields.map(([k]) => k)).toEqual(['status', 'redirecturl', 'txid']);
    expect(redirect.map.redirecturl).toMatch(/^http:\/\/sim\.test\/3ds\/redirect\?md=\d{8}&txid=\d+$/);
    expect(redirect.effects).toEqual([]);
    expect(
      preauth(ledger, { pseudocardpan: '9410010000000403220', customer_is_present: 'no', recurrence: 'recurring' }).map
        .status,
    ).toBe('APPROVED');
  });
});

describe('notification fields', () => {
  it('follow the logged real notification body field for field (notify_version 7.4)', () => {
    const logged = fixture(
      'commercetools+commercetools-payone-integration/derived/notification_appointed_cc_logged.txt',
    ).trim();
    const loggedNames = logged.split('&').map((pair) => pair.split('=')[0]);
    const ledger = createLedger({ txid: 300000000, userid: 80000000 });
    const txid = preauth(ledger, { amount: '200000', lastname: 'Test Buyer' }).map.txid!;
    const fields = notificationFields(
      ledger.processes.get(txid)!,
      { txaction: 'appointed', sequencenumber: 0, transactionStatus: 'completed' },
      'lataus-sim-portal-key',
      '7.4',
    );
    expect(fields.map(([name]) => name)).toEqual(loggedNames);
    const ours = Object.fromEntries(fields);
    const theirs = Object.fromEntries(logged.split('&').map((pair) => pair.split('=') as [string, string]));
    for (const name of ['txaction', 'clearingtype', 'notify_version', 'mode', 'price', 'sequencenumber', 'country']) {
      expect(ours[name], name).toBe(theirs[name]);
    }
    expect(ours.balance).toBe('0.00');
    expect(ours.receivable).toBe('0.00');
    expect(ours.transaction_status).toBe('completed');
    expect(encodeNotificationBody(fields)).toContain('&lastname=Test+Buyer&');
  });
});

describe('notification queue', () => {
  const policy = { retryScheduleMs: [1000, 2000], fifo: true };
  const input = (txid: string, txaction: string) => ({
    txid,
    txaction,
    sequencenumber: 0,
    url: 'http://x',
    body: '',
    fields: {},
  });

  it('delivers per txid in order and retries on the schedule, then gives up and keeps blocking', () => {
    const q = createQueue();
    const a1 = enqueue(q, input('1', 'appointed'), 0);
    enqueue(q, input('1', 'capture'), 0);
    const b1 = enqueue(q, input('2', 'appointed'), 0);
    expect(dueNotifications(q, 0, policy, new Set()).map((i) => i.id)).toEqual([a1.id, b1.id]);
    recordAttempt(a1, { at: '', outcome: 'rejected' }, 0, policy);
    expect(a1.dueAt).toBe(1000);
    expect(dueNotifications(q, 500, policy, new Set()).map((i) => i.id)).toEqual([b1.id]);
    recordAttempt(a1, { at: '', outcome: 'timeout' }, 1000, policy);
    expect(a1.dueAt).toBe(3000);
    recordAttempt(a1, { at: '', outcome: 'network-error' }, 3000, policy);
    expect(a1.status).toBe('gave-up');
    expect(dueNotifications(q, 10_000, policy, new Set(['2'])).map((i) => i.txaction)).toEqual([]);
  });

  it('looks only at unfinished notifications: delivered ones leave the open list, the next of the txid is due', () => {
    const q = createQueue();
    const first = Array.from({ length: 50 }, (_, i) => enqueue(q, input(String(i), 'appointed'), 0));
    const next = enqueue(q, input('7', 'capture'), 0);
    for (const item of dueNotifications(q, 0, policy, new Set()))
      recordAttempt(item, { at: '', outcome: 'TSOK' }, 0, policy);
    expect(first.every((i) => i.status === 'delivered')).toBe(true);
    expect(dueNotifications(q, 0, policy, new Set()).map((i) => i.id)).toEqual([next.id]);
    expect(q.open).toEqual([next]);
    expect(q.items).toHaveLength(51); // kept for inspection
  });

  it('out-of-order mode releases newest first without FIFO', () => {
    const q = createQueue();
    enqueue(q, input('1', 'appointed'), 0);
    enqueue(q, input('1', 'capture'), 0);
    expect(dueNotifications(q, 0, { ...policy, fifo: false }, new Set()).map((i) => i.txaction)).toEqual(['capture']);
  });
});

describe('config', () => {
  it('parses flags, env and compressible schedules', () => {
    expect(parseSchedule('1s,2s,500ms')).toEqual([1000, 2000, 500]);
    expect(parseSchedule('payone')).toHaveLength(12);
    const options = parseSimulatorArgs(['--port', '4200', '--no-notify', '--notify-schedule', '1s,2s'], {
      PAYONE_KEY: 'k',
    });
    if (options === 'help') throw new Error('unexpected');
    expect(options).toMatchObject({ port: 4200, notify: false, portalKey: 'k', retryScheduleMs: [1000, 2000] });
    const env = parseSimulatorArgs([], { PAYONE_SIM_PORT: '4300' });
    expect(env !== 'help' && env.port).toBe(4300);
  });
});
