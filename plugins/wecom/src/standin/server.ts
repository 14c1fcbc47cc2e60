import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpoints, isWeComApi } from '../endpoints.ts';
import { MOMENT_MEDIA_RULES } from '../shapes/moments-transfer.ts';
import { contactHandlers } from './api-contacts.ts';
import { messageHandlers } from './api-messages.ts';
import { ControlInputs, type StandInControls } from './control.ts';
import { errors, StandInError, weComErrmsg } from './errors.ts';
import type { ApiGate } from './gate.ts';
import type { ApiHandler, ApiHandlers, HandlerSettings } from './handler.ts';
import type { StandInState } from './state.ts';

export const CONTROL_PREFIX = '/__standin/';

const handlers: ApiHandlers = { ...contactHandlers, ...messageHandlers };

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw errors.invalidParameter('body is not JSON');
  }
}

const UPLOAD_API = 'media/upload_attachment';

/** media/upload_attachment: a multipart form with the file in `media`; the media_id is valid 3 days. */
async function uploadAttachment(state: StandInState, req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const mediaType = url.searchParams.get('media_type');
  if (mediaType !== 'image' && mediaType !== 'video') throw errors.invalidParameter(`media_type ${mediaType ?? '(none)'}`);
  if (url.searchParams.get('attachment_type') !== '1' && url.searchParams.get('attachment_type') !== '2') throw errors.invalidParameter('attachment_type');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let file: File | null;
  try {
    // The platform's own multipart reader (undici), as any server framework would use one.
    const form = await new Request('http://standin/upload', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks) }).formData();
    const media = form.get('media');
    file = typeof media === 'string' ? null : media;
  } catch {
    throw errors.invalidParameter('body is not multipart/form-data');
  }
  if (!file) throw errors.invalidParameter('no file in media');
  const rule = MOMENT_MEDIA_RULES[mediaType];
  if (file.size === 0 || file.size > rule.maxBytes) throw new StandInError(40006, 'invalid file size');
  if (!(rule.types as readonly string[]).includes(file.type)) throw new StandInError(40005, 'invalid file type');
  const media_id = state.nextId('media');
  const created_at = state.nowSeconds();
  state.media.set(media_id, { media_id, type: mediaType, name: file.name, size: file.size, created_at });
  return { type: mediaType, media_id, created_at: String(created_at) };
}

function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? 'unknown';
}

/** Serves WeCom's API under /cgi-bin/ and the control API under /__standin/. */
export function createRequestListener(state: StandInState, gate: ApiGate, controls: StandInControls, settings: HandlerSettings) {
  /** Thrown once an API call was carried out but its answer is to be lost. */
  const LOST = Symbol('lost answer');

  async function answerApi(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
    const api = url.pathname.slice('/cgi-bin/'.length);
    if (api === 'gettoken') return gate.issueToken(url.searchParams.get('corpid'), url.searchParams.get('corpsecret'));
    if (api === UPLOAD_API) {
      gate.admit(api, url.searchParams.get('access_token'));
      return uploadAttachment(state, req, url);
    }
    if (!isWeComApi(api)) throw new StandInError(404, `unknown api ${api}`);
    gate.admit(api, url.searchParams.get('access_token'));
    const endpoint = endpoints[api];
    const input = endpoint.method === 'GET' ? Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'access_token')) : await readJson(req);
    const parsed = endpoint.request.safeParse(input);
    if (!parsed.success) throw errors.invalidParameter(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const handler = handlers[api] as ApiHandler<typeof api> | undefined;
    if (!handler) throw new StandInError(404, `api ${api} is not imitated`);
    if (gate.takeLost(api, 'request')) throw LOST;
    const body = handler(state, parsed.data as never, settings) as Record<string, unknown>;
    if (gate.takeLost(api, 'answer')) throw LOST;
    return body;
  }

  async function answerControl(req: IncomingMessage, url: URL): Promise<unknown> {
    const name = url.pathname.slice(CONTROL_PREFIX.length);
    if (req.method === 'GET' && name === 'welcome-messages') return { welcome_messages: state.welcomeMessages };
    if (req.method === 'GET' && name === 'callbacks') return { callbacks: controls.callbacks() };
    if (req.method !== 'POST' || !Object.hasOwn(ControlInputs, name)) throw new StandInError(404, `unknown control ${req.method} ${name}`);
    const key = name as keyof typeof ControlInputs;
    const parsed = ControlInputs[key].safeParse(await readJson(req));
    if (!parsed.success) throw errors.invalidParameter(parsed.error.message);
    return await (controls[key] as (input: unknown) => unknown)(parsed.data);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const isControl = url.pathname.startsWith(CONTROL_PREFIX);
    const work = isControl ? answerControl(req, url) : url.pathname.startsWith('/cgi-bin/') ? answerApi(req, url) : Promise.reject(new StandInError(404, 'not found'));
    work.then(
      (body) => send(res, 200, isControl ? body : { errcode: 0, errmsg: 'ok', ...(body as object) }),
      (error: unknown) => {
        if (error === LOST) {
          req.socket.destroy();
          return;
        }
        if (!(error instanceof StandInError)) {
          send(res, 500, { errcode: -1, errmsg: weComErrmsg(-1, 'system error', clientIp(req)) });
          return;
        }
        if (error.code === 404) {
          send(res, 404, { errcode: 404, errmsg: error.text });
          return;
        }
        // WeCom puts errors in the body of a 200 (widely assumed, unverified per the notes).
        send(res, 200, { errcode: error.code, errmsg: weComErrmsg(error.code, error.text, clientIp(req)) });
      },
    );
  };
}
