import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../clock.ts';
import { createCallbackCrypto } from '../crypto.ts';
import { CallbackPusher } from './callbacks.ts';
import { createControls, type StandInControls } from './control.ts';
import { ApiGate, type StandInApp } from './gate.ts';
import { createRequestListener } from './server.ts';
import { StandInState, type ReceiveLimitMode } from './state.ts';

export { CONTROL_PREFIX } from './server.ts';
export type { CallbackDelivery } from './callbacks.ts';
export type { ControlInputs, ScanResult, StandInControls } from './control.ts';
export type { StandInApp } from './gate.ts';
export { StandInState, type ReceiveLimitMode } from './state.ts';

export interface WeComStandInOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  corpId: string;
  /** The callback Token, used to sign pushed callbacks. */
  token: string;
  /** The callback EncodingAESKey (43 chars), used to encrypt pushed callbacks. */
  encodingAesKey: string;
  /** Where callbacks are POSTed; none means they are only recorded. */
  callbackUrl?: string;
  /** Apps (secrets) that may get tokens; default one app, secret `standin-secret`, with customer-contact permission. */
  apps?: StandInApp[];
  /** Default the system clock; share a ManualClock with the client in tests. */
  clock?: Clock;
  /** Token lifetime; default 7200 s. */
  tokenTtlSeconds?: number;
  /** Calls per API per minute before 45009; default 10,000 (per-corp figure, notes §1). */
  perMinute?: number;
  /** Calls per API per hour before 45009; default 150,000. */
  perHour?: number;
  /** Welcome-code validity; default 20 s (notes §5). */
  welcomeCodeTtlSeconds?: number;
  /** The customer receive limit for mass sends; default `month` (days-in-month a month, the current doc text). */
  receiveLimit?: ReceiveLimitMode;
  /** Callback attempts after the first; default 3. */
  callbackRetries?: number;
  /** Per callback attempt; default 5000 ms. */
  callbackTimeoutMs?: number;
}

export interface WeComStandIn extends StandInControls {
  /** Base URL to give the client, e.g. http://127.0.0.1:43123 */
  url: string;
  state: StandInState;
  setCallbackUrl(url: string | undefined): void;
  /** GET-verifies the callback URL with an encrypted echostr, as WeCom does on configuration. */
  verifyCallbackUrl(): Promise<boolean>;
  close(): Promise<void>;
}

export async function startWeComStandIn(options: WeComStandInOptions): Promise<WeComStandIn> {
  const clock = options.clock ?? systemClock;
  const state = new StandInState(clock);
  const crypto = createCallbackCrypto({ token: options.token, encodingAesKey: options.encodingAesKey, receiveId: options.corpId, now: () => clock.now() });
  const pusher = new CallbackPusher({
    ...(options.callbackUrl ? { url: options.callbackUrl } : {}),
    corpId: options.corpId,
    crypto,
    state,
    ...(options.callbackRetries !== undefined ? { retries: options.callbackRetries } : {}),
    ...(options.callbackTimeoutMs !== undefined ? { timeoutMs: options.callbackTimeoutMs } : {}),
  });
  const gate = new ApiGate(state, clock, {
    corpId: options.corpId,
    apps: options.apps ?? [{ secret: 'standin-secret', customerContact: true }],
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    perMinute: options.perMinute ?? 10_000,
    perHour: options.perHour ?? 150_000,
  });
  const receiveLimit = options.receiveLimit ?? 'month';
  const controls = createControls(state, pusher, gate, { receiveLimit });
  const server = createServer();
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  server.on('request', createRequestListener(state, gate, controls, { welcomeCodeTtlMs: (options.welcomeCodeTtlSeconds ?? 20) * 1000, receiveLimit, qrCodeBase: `${url}/qr` }));
  return {
    ...controls,
    url,
    state,
    setCallbackUrl: (next) => {
      pusher.url = next;
    },
    verifyCallbackUrl: () => pusher.verifyUrl(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
