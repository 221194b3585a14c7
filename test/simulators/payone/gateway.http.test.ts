// The simulator over HTTP, as Lataus's adapter sees it: Server API answers, TransactionStatus delivery,
// 3-D Secure redirect, hosted card page, fault modes and the /__sim endpoints.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientApiHash, md5Hex } from '../../../simulators/payone/core/keys.ts';
import { type RunningPayoneSimulator, startPayoneSimulator } from '../../../simulators/payone/server.ts';
import {
  callApi,
  fixtureBody,
  PORTAL_KEY,
  preauthParams,
  reference,
  STANDARD,
  startReceiver,
  VISA_3DS,
  waitFor,
} from './helpers.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

let sim: RunningPayoneSimulator;
let receiver: Receiver;
let answer: (index: number, fields: Map<string, string>) => string = () => 'TSOK';

beforeAll(async () => {
  receiver = await startReceiver((i, f) => answer(i, f));
  sim = await startPayoneSimulator({
    port: 0,
    notifyUrl: receiver.url,
    retryScheduleMs: [100, 100, 100],
    paidDelayMs: 30,
    pendingDelayMs: 50,
    reorderWindowMs: 100,
    apiTimeoutMs: 300,
    quiet: true,
  });
});

afterEach(async () => {
  answer = () => 'TSOK';
  await sim.state.idle(5_000).catch(() => undefined);
  sim.state.reset();
  receiver.received.length = 0;
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

function forTxid(txid: string) {
  return receiver.received.filter((r) => r.fields.get('txid') === txid);
}

describe('Server API answers', () => {
  it('answers APPROVED in the recorded key=value shape', async () => {
    const res = await callApi(sim.apiUrl, preauthParams());
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/plain; charset=UTF-8');
    const shape = fixtureBody('academe+OmniPay-Payone/tests/Mock/ShopAuthorizeSuccess.txt').replace(/=\d+/g, '=N');
    expect(res.text.replace(/=\d+/g, '=N')).toBe(shape);
    expect(res.fields.get('txid')).toMatch(/^\d{9,12}$/);
    expect(res.fields.get('userid')).toMatch(/^\d{6,12}$/);
  });

  it('answers ERROR like the recorded failure body, without its blank line', async () => {
    const res = await callApi(sim.apiUrl, preauthParams({ pseudocardpan: '9410010000000400002' }));
    const recorded = fixtureBody('academe+OmniPay-Payone/tests/Mock/ShopAuthorizeFailure.txt')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('=')[0]);
    expect(
      res.text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('=')[0]),
    ).toEqual(recorded);
    expect(res.text).toBe(
      'status=ERROR\nerrorcode=5\nerrormessage=Authorization declined\ncustomermessage=An error occured while processing this transaction.\n',
    );
  });

  it('rejects a wrong key with 2006 and a missing mid with 1203', async () => {
    const wrong = await callApi(sim.apiUrl, preauthParams({ key: md5Hex('not-the-key') }));
    expect(Object.fromEntries(wrong.fields)).toEqual({
      status: 'ERROR',
      errorcode: '2006',
      errormessage: 'Key incorrect',
      customermessage: 'An error occured while processing this transaction (wrong parameters).',
    });
    const noMid = await callApi(sim.apiUrl, { ...preauthParams(), mid: '' });
    expect(noMid.fields.get('errorcode')).toBe('1203');
  });

  it('answers JSON when asked with Accept: application/json', async () => {
    const res = await callApi(sim.apiUrl, preauthParams(), { headers: { accept: 'application/json' } });
    expect(res.contentType).toContain('application/json');
    const json = JSON.parse(res.text);
    expect(json).toEqual({ Status: 'APPROVED', TxId: expect.any(String), UserId: expect.any(String) });
    const err = await callApi(sim.apiUrl, preauthParams({ key: md5Hex('x') }), {
      headers: { accept: 'application/json' },
    });
    expect(JSON.parse(err.text)).toMatchObject({ Status: 'ERROR', Error: { ErrorCode: '2006' } });
  });

  it('reads ISO-8859-1 requests (no encoding parameter) and answers in ISO-8859-1', async () => {
    const { encoding: _e, ...latin } = STANDARD;
    const body = `${new URLSearchParams({ ...latin, ...preauthParams() }).toString()}&firstname=J%FCrgen`;
    const res = await fetch(sim.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(res.headers.get('content-type')).toBe('text/plain; charset=ISO-8859-1');
    const text = await res.text();
    const txid = /txid=(\d+)/.exec(text)![1]!;
    expect(sim.state.ledger.processes.get(txid)!.person.firstname).toBe('Jürgen');
  });

  it('accepts multipart bodies and bodies without Content-Type, on / as well', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...STANDARD, ...preauthParams() })) form.append(k, v);
    const multipart = await fetch(`${sim.url}/`, { method: 'POST', body: form });
    expect(await multipart.text()).toMatch(/^status=APPROVED\n/);
    const bare = await fetch(sim.apiUrl, {
      method: 'POST',
      body: new TextEncoder().encode(new URLSearchParams({ ...STANDARD, ...preauthParams() }).toString()),
    });
    expect(await bare.text()).toMatch(/^status=APPROVED\n/);
  });
});

describe('payment process and notifications', () => {
  it('preauthorization → partial capture → paid, notified in order with PAYONE fields', async () => {
    const pre = await callApi(sim.apiUrl, preauthParams({ amount: '5000', lastname: 'Müller', param: 'session-7' }));
    const txid = pre.fields.get('txid')!;
    const cap = await callApi(sim.apiUrl, {
      request: 'capture',
      txid,
      sequencenumber: '1',
      amount: '1234',
      currency: 'EUR',
      capturemode: 'completed',
      settleaccount: 'auto',
    });
    expect(cap.text).toBe(`status=APPROVED\ntxid=${txid}\nsettleaccount=yes\n`);
    await waitFor(() => forTxid(txid).length >= 3);
    const got = forTxid(txid);
    expect(got.map((n) => [n.fields.get('txaction'), n.fields.get('sequencenumber')])).toEqual([
      ['appointed', '0'],
      ['capture', '1'],
      ['paid', '1'],
    ]);
    const appointed = got[0]!;
    expect(appointed.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(appointed.headers['user-agent']).toBe('PAYONE FinanceGate');
    expect(appointed.body).toContain('lastname=M%FCller');
    expect([...appointed.fields.keys()].slice(0, 6)).toEqual([
      'key',
      'txaction',
      'portalid',
      'aid',
      'clearingtype',
      'notify_version',
    ]);
    expect(Object.fromEntries(appointed.fields)).toMatchObject({
      key: md5Hex(PORTAL_KEY),
      portalid: '2000000',
      aid: '10001',
      mode: 'test',
      clearingtype: 'cc',
      price: '50.00',
      balance: '0.00',
      receivable: '0.00',
      currency: 'EUR',
      param: 'session-7',
      transaction_status: 'completed',
      cardpan: '411111xxxxxx1111',
      userid: pre.fields.get('userid'),
    });
    expect(Object.fromEntries(got[1]!.fields)).toMatchObject({ receivable: '12.34', balance: '12.34' });
    expect(Object.fromEntries(got[2]!.fields)).toMatchObject({ receivable: '12.34', balance: '0.00' });
    const tx = (await (await fetch(`${sim.url}/__sim/transactions/${txid}`)).json()) as Record<string, unknown[]>;
    expect(tx).toMatchObject({ txid, captured: 1234, released: true, remainingReservation: 0, sequencenumber: 1 });
    expect(tx.notifications).toHaveLength(3);
  });

  it('retries until TSOK and holds later notifications of the txid until then (FIFO)', async () => {
    let appointedAnswers = 0;
    answer = (_i, fields) => {
      if (fields.get('txaction') === 'appointed' && appointedAnswers < 2) {
        appointedAnswers += 1;
        return appointedAnswers === 1 ? 'TSNOTOK' : 'TSOK\n';
      }
      return 'TSOK';
    };
    const pre = await callApi(sim.apiUrl, preauthParams());
    const txid = pre.fields.get('txid')!;
    await callApi(sim.apiUrl, { request: 'capture', txid, sequencenumber: '1', amount: '5000', currency: 'EUR' });
    await waitFor(() => forTxid(txid).length >= 5);
    expect(forTxid(txid).map((n) => n.fields.get('txaction'))).toEqual([
      'appointed',
      'appointed',
      'appointed',
      'capture',
      'paid',
    ]);
    await sim.state.idle();
    const queued = sim.state.notificationsFor(txid);
    expect(queued[0]!.attempts.map((a) => a.outcome)).toEqual(['rejected', 'rejected', 'TSOK']);
    expect(queued.every((n) => n.status === 'delivered')).toBe(true);
  });

  it('gives up after the schedule and keeps blocking that txid; resend delivers', async () => {
    answer = () => 'ERROR';
    const txid = (await callApi(sim.apiUrl, preauthParams())).fields.get('txid')!;
    await callApi(sim.apiUrl, { request: 'capture', txid, sequencenumber: '1', amount: '0', currency: 'EUR' });
    await waitFor(() => sim.state.notificationsFor(txid)[0]!.status === 'gave-up');
    expect(sim.state.notificationsFor(txid)[0]!.attempts).toHaveLength(4);
    expect(forTxid(txid).every((n) => n.fields.get('txaction') === 'appointed')).toBe(true);
    answer = () => 'TSOK';
    const res = await fetch(`${sim.url}/__sim/notifications/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ txid }),
    });
    expect(await res.json()).toEqual({ requeued: 1 });
    await waitFor(() => sim.state.notificationsFor(txid).every((n) => n.status === 'delivered'));
    expect(forTxid(txid).at(-1)!.fields.get('txaction')).toBe('capture');
  });

  it('capture of 0 releases the reservation; debit and refund credit the card', async () => {
    const txid = (await callApi(sim.apiUrl, preauthParams({ amount: '8000' }))).fields.get('txid')!;
    const cap = (seq: string, amount: string) =>
      callApi(sim.apiUrl, { request: 'capture', txid, sequencenumber: seq, amount, currency: 'EUR' });
    expect((await cap('1', '3000')).fields.get('status')).toBe('APPROVED');
    expect((await cap('1', '100')).fields.get('errorcode')).toBe('907');
    expect((await cap('2', '5001')).fields.get('errorcode')).toBe('908');
    await waitFor(() => sim.state.ledger.processes.get(txid)!.paid === 3000);
    expect((await cap('2', '0')).fields.get('status')).toBe('APPROVED');
    expect((await cap('3', '1')).fields.get('errorcode')).toBe('908');
    const debit = await callApi(sim.apiUrl, {
      request: 'debit',
      txid,
      sequencenumber: '3',
      amount: '-1000',
      currency: 'EUR',
      transactiontype: 'GT',
    });
    expect(debit.text).toBe(`status=APPROVED\ntxid=${txid}\nsettleaccount=yes\n`);
    const refund = await callApi(sim.apiUrl, {
      request: 'refund',
      txid,
      sequencenumber: '4',
      amount: '-500',
      currency: 'EUR',
    });
    expect(refund.text).toBe(`status=APPROVED\ntxid=${txid}\n`);
    await sim.state.idle();
    const actions = forTxid(txid).map((n) => [
      n.fields.get('txaction'),
      n.fields.get('sequencenumber'),
      n.fields.get('receivable'),
      n.fields.get('balance'),
    ]);
    expect(actions).toEqual([
      ['appointed', '0', '0.00', '0.00'],
      ['capture', '1', '30.00', '30.00'],
      ['paid', '1', '30.00', '0.00'],
      ['capture', '2', '30.00', '0.00'],
      ['debit', '3', '20.00', '0.00'],
      ['refund', '4', '15.00', '0.00'],
    ]);
  });

  it('PENDING (provider timeout) resolves to appointed by notification', async () => {
    const res = await callApi(sim.apiUrl, preauthParams({ pseudocardpan: '9410010000000400119' }));
    expect(res.fields.get('status')).toBe('PENDING');
    const txid = res.fields.get('txid')!;
    await waitFor(() => forTxid(txid).length === 1);
    expect(forTxid(txid)[0]!.fields.get('txaction')).toBe('appointed');
    expect(sim.state.ledger.processes.get(txid)!.status).toBe('appointed');
  });
});

describe('3-D Secure redirect', () => {
  const urls = {
    successurl: 'https://lataus.test/pay/success?p=1',
    errorurl: 'https://lataus.test/pay/error',
    backurl: 'https://lataus.test/pay/back',
  };

  async function startChallenge() {
    const res = await callApi(sim.apiUrl, preauthParams({ pseudocardpan: VISA_3DS, ...urls }));
    expect(res.fields.get('status')).toBe('REDIRECT');
    const txid = res.fields.get('txid')!;
    const page = await fetch(res.fields.get('redirecturl')!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="acs-approve"');
    const md = /name="md" value="(\d+)"/.exec(html)![1]!;
    return { txid, md };
  }

  it('on authentication notifies appointed, then sends the browser to successurl', async () => {
    const { txid, md } = await startChallenge();
    expect(sim.state.ledger.processes.get(txid)!.status).toBe('redirect');
    const done = await fetch(`${sim.url}/3ds/redirect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ txid, md, outcome: 'authenticated' }).toString(),
      redirect: 'manual',
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(urls.successurl);
    expect(forTxid(txid).map((n) => n.fields.get('txaction'))).toEqual(['appointed']);
    const capture = await callApi(sim.apiUrl, {
      request: 'capture',
      txid,
      sequencenumber: '1',
      amount: '5000',
      currency: 'EUR',
    });
    expect(capture.fields.get('status')).toBe('APPROVED');
  });

  it('on failure notifies failed and sends the browser to errorurl; cancel goes to backurl', async () => {
    const first = await startChallenge();
    const fail = await fetch(`${sim.url}/3ds/redirect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ txid: first.txid, md: first.md, outcome: 'failed' }).toString(),
      redirect: 'manual',
    });
    expect(fail.headers.get('location')).toBe(urls.errorurl);
    expect(forTxid(first.txid).map((n) => n.fields.get('txaction'))).toEqual(['failed']);
    const capture = await callApi(sim.apiUrl, {
      request: 'capture',
      txid: first.txid,
      sequencenumber: '1',
      amount: '100',
      currency: 'EUR',
    });
    expect(capture.fields.get('errorcode')).toBe('950');
    const second = await startChallenge();
    const cancel = await fetch(`${sim.url}/3ds/redirect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ txid: second.txid, md: second.md, outcome: 'cancelled' }).toString(),
      redirect: 'manual',
    });
    expect(cancel.headers.get('location')).toBe(urls.backurl);
  });
});

describe('hosted card page and Client API', () => {
  const successurl = 'https://lataus.test/cards/return?state=abc';

  it('validates the form and returns the pseudo PAN (never the PAN) to the merchant', async () => {
    const page = await fetch(`${sim.url}/hosted/card?successurl=${encodeURIComponent(successurl)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-testid="cardpan"');
    const submit = (fields: Record<string, string>) =>
      fetch(`${sim.url}/hosted/card`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ successurl, ...fields }).toString(),
        redirect: 'manual',
      });
    const badLuhn = await submit({ cardpan: '4111111111111112', expiry: '12/30', cvc: '123' });
    expect(badLuhn.status).toBe(422);
    const badHtml = await badLuhn.text();
    expect(badHtml).toContain('data-testid="error-cardpan"');
    expect(badHtml).not.toContain('4111111111111112');
    const expired = await submit({ cardpan: '4111111111111111', expiry: '01/20', cvc: '123' });
    expect(await expired.text()).toContain('This card has expired.');
    const ok = await submit({ cardpan: '4111 1111 1111 1111', expiry: '12/30', cvc: '123' });
    expect(ok.status).toBe(303);
    const location = new URL(ok.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://lataus.test/cards/return');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      state: 'abc',
      status: 'VALID',
      pseudocardpan: '9410010000000411111',
      truncatedcardpan: '411111xxxxxx1111',
      cardtype: 'V',
      cardexpiredate: '3012',
    });
    expect(ok.headers.get('location')).not.toContain('4111111111111111');
    const pre = await callApi(
      sim.apiUrl,
      preauthParams({ pseudocardpan: location.searchParams.get('pseudocardpan')! }),
    );
    expect(pre.fields.get('status')).toBe('APPROVED');
  });

  it('answers the Client API creditcardcheck as JSONP with a valid hash and 2007 without', async () => {
    const params: Record<string, string> = {
      request: 'creditcardcheck',
      responsetype: 'JSON',
      mode: 'test',
      mid: '10000',
      portalid: '2000000',
      aid: '10001',
      encoding: 'UTF-8',
      storecarddata: 'yes',
    };
    const hash = clientApiHash(params, PORTAL_KEY, 'sha2-384');
    const card = { cardpan: '5500000000000004', cardexpiredate: '3012', cardcvc2: '123', cardtype: 'M' };
    const res = await fetch(
      `${sim.url}/client-api/?${new URLSearchParams({ ...params, ...card, hash, callback: 'cb' })}`,
    );
    expect(res.headers.get('content-type')).toContain('application/javascript');
    expect(await res.text()).toBe(
      'cb({"status":"VALID","pseudocardpan":"9410010000000550004","truncatedcardpan":"550000xxxxxx0004","cardtype":"M","cardexpiredate":"3012"});',
    );
    const bad = await fetch(`${sim.url}/client-api/?${new URLSearchParams({ ...params, ...card, hash: 'x' })}`);
    expect(await bad.json()).toMatchObject({ status: 'ERROR', errorcode: '2007' });
  });
});

describe('fault modes and /__sim', () => {
  const setFaults = (faults: Record<string, unknown>) =>
    fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });

  it('answers 5xx and times out on demand; a timeout after processing leaves the payment in place', async () => {
    expect((await setFaults({ apiErrorRate: 1 })).status).toBe(200);
    const res = await callApi(sim.apiUrl, preauthParams());
    expect(res.status).toBe(503);
    await setFaults({ apiErrorRate: 0, apiTimeoutRate: 1, timeoutAfterProcessing: true });
    const ref = reference('to');
    await expect(callApi(sim.apiUrl, preauthParams({ reference: ref }))).rejects.toThrow();
    await setFaults({ apiTimeoutRate: 0 });
    const processes = [...sim.state.ledger.processes.values()];
    expect(processes.map((p) => p.reference)).toEqual([ref]);
    const retry = await callApi(sim.apiUrl, preauthParams({ reference: ref }));
    expect(retry.fields.get('errorcode')).toBe('911');
    expect((await setFaults({ apiErrorRate: 2 })).status).toBe(400);
  });

  it('duplicates notifications and delivers out of order on demand', async () => {
    await setFaults({ duplicateNotificationRate: 1 });
    const txid = (await callApi(sim.apiUrl, preauthParams())).fields.get('txid')!;
    await waitFor(() => forTxid(txid).length === 2);
    expect(forTxid(txid)[0]!.body).toBe(forTxid(txid)[1]!.body);
    await setFaults({ duplicateNotificationRate: 0, outOfOrderNotifications: true });
    const second = (await callApi(sim.apiUrl, preauthParams())).fields.get('txid')!;
    await callApi(sim.apiUrl, {
      request: 'capture',
      txid: second,
      sequencenumber: '1',
      amount: '100',
      currency: 'EUR',
      settleaccount: 'no',
    });
    await waitFor(() => forTxid(second).length === 2);
    expect(forTxid(second).map((n) => n.fields.get('txaction'))).toEqual(['capture', 'appointed']);
  });

  it('pauses notifications and shows state; reset forgets', async () => {
    await setFaults({ notificationsPaused: true });
    const txid = (await callApi(sim.apiUrl, preauthParams())).fields.get('txid')!;
    const state = (await (await fetch(`${sim.url}/__sim/state`)).json()) as {
      options: { portalKey: string };
      transactions: Array<{ txid: string }>;
      notifications: unknown[];
      apiCalls: unknown[];
    };
    expect(state.options.portalKey).toBe('***');
    expect(state.transactions.map((t) => t.txid)).toEqual([txid]);
    expect(state.notifications).toMatchObject([{ txid, txaction: 'appointed', status: 'pending', attempts: [] }]);
    expect(state.apiCalls).toMatchObject([{ request: 'preauthorization', status: 'APPROVED', txid }]);
    await setFaults({ notificationsPaused: false });
    await waitFor(() => forTxid(txid).length === 1);
    expect((await fetch(`${sim.url}/__sim/reset`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${sim.url}/__sim/transactions/${txid}`)).status).toBe(404);
  });
});
