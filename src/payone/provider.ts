// The PAYONE implementation of the PaymentProvider port: pure mapping + HTTP client.
import type {
  CaptureCommand,
  PaymentProvider,
  PreauthorizeCommand,
  ProviderResult,
  RefundCommand,
} from '../modules/payments/core/provider.ts';
import { PayoneHttpClient } from './client.ts';
import {
  buildCapture,
  buildPreauthorization,
  buildRefund,
  interpretResponse,
  maskParams,
  type PayoneAccount,
} from './mapping.ts';
import { parseResponse } from './response.ts';

export class PayoneProvider implements PaymentProvider {
  readonly name = 'payone';
  readonly #client: PayoneHttpClient;

  constructor(
    private readonly account: PayoneAccount,
    client: PayoneHttpClient | { url: string; timeoutMs?: number },
  ) {
    this.#client = client instanceof PayoneHttpClient ? client : new PayoneHttpClient(client);
  }

  preauthorize(cmd: PreauthorizeCommand): Promise<ProviderResult> {
    return this.#send(buildPreauthorization(this.account, cmd));
  }
  capture(cmd: CaptureCommand): Promise<ProviderResult> {
    return this.#send(buildCapture(this.account, cmd));
  }
  refund(cmd: RefundCommand): Promise<ProviderResult> {
    return this.#send(buildRefund(this.account, cmd));
  }

  async #send(params: Record<string, string>): Promise<ProviderResult> {
    const x = await this.#client.post(params, this.account.encoding);
    const exchange = {
      request: maskParams(params),
      response: null as Record<string, string> | null,
      rawResponse: x.body,
      httpStatus: x.httpStatus,
      latencyMs: x.latencyMs,
      startedAt: x.startedAt,
    };
    if (x.transportError !== null) return { outcome: { status: 'unknown', detail: x.transportError }, exchange };
    const parsed = parseResponse(x.body ?? '');
    exchange.response = maskParams(parsed);
    // §1.2: business results come with HTTP 200; anything else is a failed exchange whose outcome we do not know.
    if (x.httpStatus !== 200) return { outcome: { status: 'unknown', detail: `HTTP ${x.httpStatus}` }, exchange };
    return { outcome: interpretResponse(parsed), exchange };
  }
}
