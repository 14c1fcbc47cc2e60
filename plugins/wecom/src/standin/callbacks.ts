import type { CallbackCrypto } from '../crypto.ts';
import { undiciHttpSend } from '../http.ts';
import { buildWeComXml, type XmlInput } from '../xml.ts';
import type { StandInState } from './state.ts';

/** One callback as pushed (or, with no callback URL, as it would have been). */
export interface CallbackDelivery {
  /** The decrypted event fields. */
  fields: XmlInput;
  /** HTTP status of each attempt; 0 for a network error or timeout. */
  attempts: number[];
  delivered: boolean;
}

export interface CallbackPusherOptions {
  url?: string;
  corpId: string;
  crypto: CallbackCrypto;
  state: StandInState;
  /** Attempts after the first; default 3 ("总共重试三次", notes §2). */
  retries?: number;
  /** Per attempt; default 5000 ms, after which WeCom drops the connection. */
  timeoutMs?: number;
}

/**
 * One POST through the client's kept-alive connections (as WeCom's servers keep them; a connection
 * the receiver closed as it was reused is tried once more); resolves with the status, 0 for a
 * network error or no answer within `timeoutMs`.
 */
async function post(url: URL, body: string, timeoutMs: number): Promise<number> {
  try {
    return (await undiciHttpSend(timeoutMs)(url, 'POST', { contentType: 'text/xml', data: Buffer.from(body) })).status;
  } catch {
    return 0;
  }
}

/**
 * Pushes events to the configured callback URL as WeCom does: encrypted, signed, POSTed as the
 * `<xml><ToUserName/><AgentID/><Encrypt/></xml>` envelope, and repeated until an HTTP 200.
 * A retry re-sends the same FromUserName and CreateTime, which receivers de-duplicate on.
 */
export class CallbackPusher {
  readonly deliveries: CallbackDelivery[] = [];
  constructor(private readonly options: CallbackPusherOptions) {}

  set url(url: string | undefined) {
    this.options.url = url;
  }

  async push(event: XmlInput): Promise<CallbackDelivery> {
    const fields: XmlInput = { ToUserName: this.options.corpId, FromUserName: 'sys', CreateTime: this.options.state.nowSeconds(), MsgType: 'event', ...event };
    const delivery: CallbackDelivery = { fields, attempts: [], delivered: false };
    this.deliveries.push(delivery);
    const url = this.options.url;
    if (!url) return delivery;
    const xml = buildWeComXml(fields);
    const tries = 1 + (this.options.retries ?? 3);
    for (let attempt = 0; attempt < tries && !delivery.delivered; attempt++) {
      // Each attempt is signed afresh (a new nonce and timestamp), as a new request would be.
      const { body, query } = this.options.crypto.encryptCallback(xml);
      const target = new URL(url);
      for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
      const status = await post(target, body, this.options.timeoutMs ?? 5000);
      delivery.attempts.push(status);
      delivery.delivered = status === 200;
    }
    return delivery;
  }

  /** URL verification as WeCom does it when the callback is configured: GET with an encrypted echostr. */
  async verifyUrl(): Promise<boolean> {
    if (!this.options.url) return false;
    const echo = String(Math.floor(Math.random() * 1e18));
    const encrypted = this.options.crypto.encrypt(echo);
    const timestamp = String(this.options.state.nowSeconds());
    const nonce = String(Math.floor(Math.random() * 1e9));
    const target = new URL(this.options.url);
    target.searchParams.set('msg_signature', this.options.crypto.signature(timestamp, nonce, encrypted));
    target.searchParams.set('timestamp', timestamp);
    target.searchParams.set('nonce', nonce);
    target.searchParams.set('echostr', encrypted);
    const response = await fetch(target, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
    return response.status === 200 && (await response.text()) === echo;
  }
}
