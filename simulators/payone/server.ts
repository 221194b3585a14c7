// The PAYONE simulator's HTTP shell: the Server API gateway (POST /post-gateway/), the Client API creditcardcheck,
// the hosted card page, the 3-D Secure page, TransactionStatus delivery, and the /__sim/* inspection endpoints.
// Protocol rules live in ./core; this file does I/O, timers and fault injection.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { expiryToYymm } from './core/cards.ts';
import { clientApiCreditCardCheck } from './core/client-api.ts';
import { DEFAULT_FAULTS, DEFAULT_OPTIONS, type FaultSettings, type SimulatorOptions } from './core/config.ts';
import { PAYONE_ERROR_MESSAGES, type PayoneErrorCode } from './core/errors.ts';
import {
  type ChallengeOutcome,
  chargeback,
  completeChallenge,
  type Effect,
  errorFields,
  type GatewaySettings,
  processRequest,
  registerCard,
  resolvePending,
  settlePayment,
} from './core/gateway.ts';
import {
  createLedger,
  defaultIdStart,
  type Ledger,
  type PaymentProcess,
  receivable,
  remainingReservation,
} from './core/ledger.ts';
import { acsPage, type CardFormState, hostedCardPage, messagePage } from './core/pages.ts';
import {
  createQueue,
  type DeliveryAttempt,
  type DeliveryPolicy,
  enqueue,
  expediteAll,
  type NotificationQueue,
  planDelivery,
  type QueuedNotification,
  recordAttempt,
  resendGivenUp,
} from './core/queue.ts';
import {
  contentTypeFor,
  decodeForm,
  encodeNotificationBody,
  encodeText,
  formatKeyValueBody,
  type PayoneEncoding,
  parseRequestBody,
  parseUrlencoded,
  type ResponseFields,
  toJsonResponse,
} from './core/wire.ts';
import { deliverNotification } from './delivery.ts';

export type StartOptions = Partial<Omit<SimulatorOptions, 'faults'>> & { faults?: Partial<FaultSettings> };

export interface ApiCallRecord {
  readonly at: string;
  readonly request: string;
  readonly txid?: string;
  readonly status: string;
  readonly errorcode?: string;
  readonly fault?: 'http-5xx' | 'timeout';
}

/** Seeded PRNG (mulberry32) so fault runs repeat. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The live simulator: ledger, notification queue, faults. Tests read and steer it directly. */
export class PayoneSimulatorState {
  ledger: Ledger;
  queue: NotificationQueue;
  faults: FaultSettings;
  readonly apiCalls: ApiCallRecord[] = [];
  private readonly random: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private readonly inFlight = new Set<string>();
  private closed = false;
  /** Filled in once the server listens. */
  publicUrl = '';

  constructor(readonly options: SimulatorOptions) {
    this.ledger = createLedger(defaultIdStart(new Date()));
    this.queue = createQueue();
    this.faults = { ...options.faults };
    this.random = seededRandom(options.seed);
  }

  get settings(): GatewaySettings {
    return {
      mid: this.options.mid,
      portalid: this.options.portalid,
      aid: this.options.aid,
      portalKey: this.options.portalKey,
      keyHash: this.options.keyHash,
      publicUrl: this.publicUrl,
      magicAmounts: this.options.magicAmounts,
      notifyVersion: this.options.notifyVersion,
    };
  }

  chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  idGap = (): number => 1 + Math.floor(this.random() * 40);

  private get policy(): DeliveryPolicy {
    return { retryScheduleMs: this.options.retryScheduleMs, fifo: !this.faults.outOfOrderNotifications };
  }

  setFaults(patch: Partial<FaultSettings>): FaultSettings {
    this.faults = { ...this.faults, ...patch };
    this.pump();
    return this.faults;
  }

  /** Forget everything: transactions, cards tokenised at runtime, queue, timers, faults back to start values. */
  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.ledger = createLedger(defaultIdStart(new Date()));
    this.queue = createQueue();
    this.inFlight.clear();
    this.apiCalls.length = 0;
    this.faults = { ...this.options.faults };
  }

  recordCall(call: ApiCallRecord): void {
    this.apiCalls.push(call);
    if (this.apiCalls.length > 500) this.apiCalls.shift();
  }

  /** Carries out what a protocol step asked for: queue notifications, schedule settlement and pending answers. */
  apply(effects: readonly Effect[]): QueuedNotification[] {
    const queued: QueuedNotification[] = [];
    for (const effect of effects) {
      if (effect.kind === 'notify') {
        const item = enqueue(
          this.queue,
          {
            txid: effect.txid,
            txaction: effect.txaction,
            sequencenumber: effect.sequencenumber,
            url: this.options.notifyUrl,
            body: encodeNotificationBody(effect.fields),
            fields: Object.fromEntries(effect.fields),
          },
          Date.now(),
          this.faults.outOfOrderNotifications ? this.options.reorderWindowMs : 0,
        );
        if (!this.options.notify) item.status = 'skipped';
        queued.push(item);
      } else if (effect.kind === 'settle') {
        this.later(this.options.paidDelayMs, () =>
          this.apply(settlePayment(this.ledger, this.settings, effect.txid, effect.sequencenumber)),
        );
      } else {
        this.later(this.options.pendingDelayMs, () =>
          this.apply(resolvePending(this.ledger, this.settings, effect.txid)),
        );
      }
    }
    this.pump();
    return queued;
  }

  private later(ms: number, task: () => void): void {
    const ledger = this.ledger;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed && this.ledger === ledger) task();
    }, ms);
    this.timers.add(timer);
  }

  /** Starts every notification that is due; arms a timer for the next one. */
  pump(): void {
    if (this.closed) return;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    if (this.faults.notificationsPaused) return;
    const now = Date.now();
    const plan = planDelivery(this.queue, now, this.policy, this.inFlight);
    for (const item of plan.due) {
      this.inFlight.add(item.txid);
      void this.deliver(item);
    }
    const next = plan.nextDueAt;
    if (next !== undefined && next > now) {
      this.pumpTimer = setTimeout(() => this.pump(), Math.min(next - now, 2_147_000_000));
    }
  }

  private async deliver(item: QueuedNotification): Promise<void> {
    const queue = this.queue;
    const attempt = await this.post(item);
    if (this.closed || this.queue !== queue) return;
    this.inFlight.delete(item.txid);
    recordAttempt(item, attempt, Date.now(), this.policy);
    if (
      attempt.outcome === 'TSOK' &&
      item.duplicateOf === undefined &&
      this.chance(this.faults.duplicateNotificationRate)
    ) {
      enqueue(this.queue, { ...pickQueueInput(item), duplicateOf: item.id }, Date.now());
    }
    if (!this.options.quiet) {
      console.log(
        `payone-sim: notify txid=${item.txid} ${item.txaction} seq=${item.sequencenumber} → ${attempt.outcome}${attempt.httpStatus ? ` ${attempt.httpStatus}` : ''}`,
      );
    }
    this.pumpSoon();
  }

  /**
   * pump() once for all deliveries that finished in this turn of the event loop: each pump looks at every open
   * notification, so a pump per finished delivery made a backlog quadratic.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private post(item: QueuedNotification): Promise<DeliveryAttempt> {
    return deliverNotification(item.url, item.body, {
      timeoutMs: this.options.notifyTimeoutMs,
      lenientTsok: this.options.lenientTsok,
    });
  }

  /** Resolves when the notification got its first delivery attempt (or the wait ends). */
  async waitForFirstAttempt(item: QueuedNotification, maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while (item.status === 'pending' && item.attempts.length === 0 && Date.now() < until && !this.closed) {
      if (this.faults.notificationsPaused) return;
      await sleep(10);
    }
  }

  /** Resolves once no notification is pending (delivered, given up or skipped) and no settlement is scheduled. */
  async idle(maxMs = 10_000): Promise<void> {
    const until = Date.now() + maxMs;
    while (Date.now() < until) {
      if (this.timers.size === 0 && this.queue.items.every((i) => i.status !== 'pending')) return;
      await sleep(10);
    }
    throw new Error('payone simulator did not become idle');
  }

  expedite(): void {
    expediteAll(this.queue, Date.now());
    this.pump();
  }

  resend(txid?: string): number {
    const count = resendGivenUp(this.queue, Date.now(), txid);
    this.pump();
    return count;
  }

  notificationsFor(txid: string): QueuedNotification[] {
    return this.queue.items.filter((i) => i.txid === txid);
  }

  transaction(txid: string): ReturnType<typeof describeProcess> | undefined {
    const p = this.ledger.processes.get(txid);
    return p ? describeProcess(p, this.notificationsFor(txid)) : undefined;
  }

  snapshot() {
    const { portalKey: _secret, ...options } = this.options;
    return {
      options: { ...options, portalKey: '***', publicUrl: this.publicUrl },
      faults: this.faults,
      transactions: [...this.ledger.processes.values()].map((p) => describeProcess(p)),
      notifications: this.queue.items,
      apiCalls: this.apiCalls,
    };
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
  }
}

function pickQueueInput(item: QueuedNotification) {
  return {
    txid: item.txid,
    txaction: item.txaction,
    sequencenumber: item.sequencenumber,
    url: item.url,
    body: item.body,
    fields: item.fields,
  };
}

function describeProcess(p: PaymentProcess, notifications?: QueuedNotification[]) {
  return {
    ...p,
    receivable: receivable(p),
    balance: receivable(p) - p.paid,
    remainingReservation: remainingReservation(p),
    ...(notifications ? { notifications } : {}),
  };
}

const faultsSchema = z
  .object({
    apiErrorRate: z.number().min(0).max(1),
    apiTimeoutRate: z.number().min(0).max(1),
    timeoutAfterProcessing: z.boolean(),
    duplicateNotificationRate: z.number().min(0).max(1),
    outOfOrderNotifications: z.boolean(),
    notificationsPaused: z.boolean(),
    latencyMs: z.number().int().min(0).max(600_000),
    captureErrorCode: z
      .number()
      .int()
      .refine((c) => c in PAYONE_ERROR_MESSAGES, 'a PAYONE error code the simulator knows')
      .nullable(),
  })
  .partial()
  .strict();

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('application/json');
}

function sendPayone(
  reply: FastifyReply,
  fields: ResponseFields,
  encoding: PayoneEncoding,
  json: boolean,
): FastifyReply {
  if (json) {
    return reply
      .code(200)
      .header('content-type', 'application/json; charset=UTF-8')
      .send(JSON.stringify(toJsonResponse(fields)));
  }
  return reply
    .code(200)
    .header('content-type', contentTypeFor(encoding))
    .send(encodeText(formatKeyValueBody(fields), encoding));
}

function httpUrl(text: string | undefined): string {
  return text && /^https?:\/\/[^\s]+$/i.test(text) ? text : '';
}

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

function formOf(body: unknown): Map<string, string> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  // The simulator's own pages are UTF-8.
  return new Map(parseUrlencoded(raw).map((f) => [f.name.toString('utf8'), f.value.toString('utf8')] as const));
}

function buildApp(state: PayoneSimulatorState): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1_048_576 });
  // PAYONE's encodings are decided by the `encoding` field inside the body, so forms arrive as raw bytes.
  app.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const gateway = async (request: FastifyRequest, reply: FastifyReply) => {
    const faults = state.faults;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (state.chance(faults.apiErrorRate)) {
      state.recordCall({ at: new Date().toISOString(), request: '?', status: 'HTTP 503', fault: 'http-5xx' });
      return reply
        .code(503)
        .header('content-type', 'text/html; charset=utf-8')
        .send('<html><body><h1>503 Service Unavailable</h1></body></html>');
    }
    const timesOut = state.chance(faults.apiTimeoutRate);
    if (timesOut && !faults.timeoutAfterProcessing) return hang(request, reply, '?');

    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const decoded = decodeForm(parseRequestBody(raw, request.headers['content-type']));
    const json = wantsJson(request);
    if (!decoded.ok) {
      state.recordCall({
        at: new Date().toISOString(),
        request: '?',
        status: 'ERROR',
        errorcode: String(decoded.errorcode),
      });
      return sendPayone(reply, errorFields(decoded.errorcode), decoded.encoding, json);
    }
    if (json && !decoded.params.has('encoding')) {
      return sendPayone(reply, errorFields(1201), decoded.encoding, json);
    }
    if (decoded.params.get('request') === 'capture' && faults.captureErrorCode !== null) {
      const code = faults.captureErrorCode as PayoneErrorCode;
      state.recordCall({ at: new Date().toISOString(), request: 'capture', status: 'ERROR', errorcode: String(code) });
      const fields = errorFields(code);
      return sendPayone(reply, fields, decoded.encoding, json);
    }
    const result = processRequest(state.ledger, state.settings, decoded.params, {
      now: new Date(),
      idGap: state.idGap,
    });
    state.apply(result.effects);
    const fields = Object.fromEntries(result.fields);
    state.recordCall({
      at: new Date().toISOString(),
      request: decoded.params.get('request') ?? '',
      ...(result.txid ? { txid: result.txid } : {}),
      status: fields.status ?? '',
      ...(fields.errorcode ? { errorcode: fields.errorcode } : {}),
      ...(timesOut ? { fault: 'timeout' as const } : {}),
    });
    if (timesOut) return hang(request, reply, decoded.params.get('request') ?? '?');
    return sendPayone(reply, result.fields, decoded.encoding, json);
  };

  /** Never answers; drops the connection after apiTimeoutMs (or when the simulator closes). */
  const hang = (request: FastifyRequest, reply: FastifyReply, name: string) => {
    if (!state.faults.timeoutAfterProcessing) {
      state.recordCall({ at: new Date().toISOString(), request: name, status: 'no answer', fault: 'timeout' });
    }
    reply.hijack();
    const timer = setTimeout(() => request.raw.socket.destroy(), state.options.apiTimeoutMs);
    request.raw.socket.once('close', () => clearTimeout(timer));
  };

  app.post('/post-gateway/', gateway);
  app.post('/post-gateway', gateway);
  app.post('/', gateway);

  app.get('/', async (_request, reply) =>
    reply
      .header('content-type', 'text/plain; charset=utf-8')
      .send(
        'PAYONE Server API simulator\nPOST /post-gateway/  Server API\nGET  /hosted/card     hosted card page\nGET  /client-api/     creditcardcheck (JSON/JSONP)\nGET  /__sim/state     inspection\n',
      ),
  );

  // Client API creditcardcheck, JSON or JSONP (callback=...).
  const clientApi = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, string>;
    const params = new Map<string, string>(Object.entries(query));
    if (request.method === 'POST') for (const [k, v] of formOf(request.body)) params.set(k, v);
    const answer = clientApiCreditCardCheck(state.ledger, state.settings, params, new Date());
    const callback = params.get('callback');
    if (callback && /^[A-Za-z_$][\w.$]*$/.test(callback)) {
      return reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .send(`${callback}(${JSON.stringify(answer)});`);
    }
    return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer));
  };
  app.get('/client-api/', clientApi);
  app.post('/client-api/', clientApi);

  // Hosted card page.
  app.get('/hosted/card', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const successurl = httpUrl(q.successurl);
    if (!successurl) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(messagePage('Missing return address', 'The successurl query parameter (http or https) is required.'));
    }
    const formState: CardFormState = {
      successurl,
      errorurl: httpUrl(q.errorurl),
      backurl: httpUrl(q.backurl),
      cardholder: '',
      expiry: '',
      errors: {},
    };
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(hostedCardPage(formState));
  });

  app.post('/hosted/card', async (request, reply) => {
    const form = formOf(request.body);
    const successurl = httpUrl(form.get('successurl'));
    if (!successurl) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(messagePage('Missing return address', 'successurl is required.'));
    }
    const expiryText = form.get('expiry') ?? '';
    const base = {
      successurl,
      errorurl: httpUrl(form.get('errorurl')),
      backurl: httpUrl(form.get('backurl')),
      cardholder: form.get('cardholder') ?? '',
      expiry: expiryText,
    };
    const yymm = expiryToYymm(expiryText);
    const rerender = (errors: CardFormState['errors']) =>
      reply
        .code(422)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(hostedCardPage({ ...base, errors }));
    if (!yymm) return rerender({ expiry: 'Enter the expiry as MM/YY.' });
    const result = registerCard(
      state.ledger,
      { pan: form.get('cardpan') ?? '', cardexpiredate: yymm, cvc: form.get('cvc') ?? '' },
      new Date(),
    );
    if (!result.ok) {
      const messages: Record<string, CardFormState['errors']> = {
        cardpan: {
          cardpan:
            result.errorcode === 877 ? 'This card number is not valid (check digit).' : 'Enter a valid card number.',
        },
        cardtype: { cardpan: 'This card type is not accepted.' },
        cardexpiredate: { expiry: result.errorcode === 33 ? 'This card has expired.' : 'Enter the expiry as MM/YY.' },
        cardcvc2: { cvc: 'Enter the security code from the back of the card.' },
      };
      return rerender(messages[result.field] ?? { form: 'The card was not accepted.' });
    }
    const card = result.card;
    return reply.redirect(
      withParams(successurl, {
        status: 'VALID',
        pseudocardpan: card.pseudocardpan,
        truncatedcardpan: card.truncatedcardpan,
        cardtype: card.cardtype,
        cardexpiredate: card.cardexpiredate,
      }),
      303,
    );
  });

  // 3-D Secure challenge page (the redirecturl of a REDIRECT answer).
  app.get('/3ds/redirect', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const process = q.txid ? state.ledger.processes.get(q.txid) : undefined;
    if (!process) {
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(messagePage('Unknown payment', 'No such transaction.'));
    }
    if (process.status !== 'redirect') {
      return reply
        .code(409)
        .type('text/html; charset=utf-8')
        .send(messagePage('Already finished', `This authentication is already finished (${process.status}).`));
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        acsPage({
          txid: process.txid,
          md: q.md ?? '',
          amount: process.amount,
          currency: process.currency,
          truncatedcardpan: process.card.truncatedcardpan,
          reference: process.reference,
        }),
      );
  });

  app.post('/3ds/redirect', async (request, reply) => {
    const form = formOf(request.body);
    const outcome = form.get('outcome');
    if (outcome !== 'authenticated' && outcome !== 'failed' && outcome !== 'cancelled') {
      return reply.code(400).type('text/html; charset=utf-8').send(messagePage('Bad request', 'Unknown outcome.'));
    }
    const result = completeChallenge(
      state.ledger,
      state.settings,
      form.get('txid') ?? '',
      outcome as ChallengeOutcome,
      new Date(),
    );
    if (!result.ok) {
      return reply.code(409).type('text/html; charset=utf-8').send(messagePage('Cannot finish', result.reason));
    }
    const queued = state.apply(result.effects);
    // PAYONE sends the TransactionStatus before it redirects the customer (digest §4.2).
    for (const item of queued) await state.waitForFirstAttempt(item, state.options.notifyTimeoutMs + 1_000);
    return reply.redirect(result.redirectTo, 303);
  });

  // Inspection and control, apart from the PAYONE API.
  app.get('/__sim/state', async () => state.snapshot());
  app.get('/__sim/transactions/:txid', async (request, reply) => {
    const { txid } = request.params as { txid: string };
    const tx = state.transaction(txid);
    if (!tx) return reply.code(404).send({ error: 'unknown txid', txid });
    return tx;
  });
  app.post('/__sim/faults', async (request, reply) => {
    const parsed = faultsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid faults', issues: parsed.error.issues });
    return { faults: state.setFaults(parsed.data as Partial<FaultSettings>) };
  });
  app.post('/__sim/reset', async () => {
    state.reset();
    return { ok: true };
  });
  app.post('/__sim/notifications/deliver-now', async () => {
    state.expedite();
    return { ok: true };
  });
  app.post('/__sim/notifications/resend', async (request) => {
    const body = (request.body ?? {}) as { txid?: unknown };
    return { requeued: state.resend(typeof body.txid === 'string' ? body.txid : undefined) };
  });
  app.post('/__sim/transactions/:txid/chargeback', async (request, reply) => {
    const { txid } = request.params as { txid: string };
    const effects = chargeback(state.ledger, state.settings, txid);
    if (!effects) return reply.code(409).send({ error: 'no paid money on this txid', txid });
    state.apply(effects);
    return state.transaction(txid);
  });
  return app;
}

export interface RunningPayoneSimulator {
  readonly url: string;
  readonly port: number;
  /** POST target for the Server API: `${url}/post-gateway/`. */
  readonly apiUrl: string;
  readonly state: PayoneSimulatorState;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startPayoneSimulator(opts: StartOptions = {}): Promise<RunningPayoneSimulator> {
  const options: SimulatorOptions = {
    ...DEFAULT_OPTIONS,
    ...opts,
    faults: { ...DEFAULT_FAULTS, ...opts.faults },
  };
  const state = new PayoneSimulatorState(options);
  const app = buildApp(state);
  await app.listen({ host: options.host, port: options.port });
  const port = (app.server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.publicUrl = options.publicUrl ?? url;
  return {
    url,
    port,
    apiUrl: `${url}/post-gateway/`,
    state,
    app,
    async close() {
      state.close();
      await app.close();
    },
  };
}
