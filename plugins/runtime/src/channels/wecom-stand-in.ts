// A local stand-in for the two WeCom endpoints the channel calls, for tests: gettoken and
// externalcontact/add_msg_template, answering with WeCom's errcode envelope (HTTP 200 throughout).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WecomStandInOptions {
  corpId?: string;
  secret?: string;
  /** Seconds a token lives, as gettoken's expires_in; 7200 like WeCom by default. */
  expiresIn?: number;
  /** External user ids that are not the sender's contacts: returned in fail_list. */
  notContacts?: string[];
}

export interface MessageTask {
  msgid: string;
  accessToken: string;
  body: {
    chat_type: string;
    external_userid: string[];
    sender: string;
    text?: { content: string };
    attachments?: unknown[];
  };
}

function envelope(errcode: number, errmsg: string, extra: Record<string, unknown> = {}) {
  const tail = errcode === 0 ? '' : `, hint: [1712000000_1_stand-in], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
  return { errcode, errmsg: errmsg + tail, ...extra };
}

const ERRMSG: Record<number, string> = {
  [-1]: 'system busy',
  40014: 'invalid access_token',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  48002: 'api forbidden',
};

export async function startWecomStandIn(options: WecomStandInOptions = {}) {
  const corpId = options.corpId ?? 'ww-test-corp';
  const secret = options.secret ?? 'test-secret';
  const notContacts = new Set(options.notContacts ?? []);
  const live = new Set<string>();
  const expired = new Set<string>();
  /** errcodes add_msg_template answers with next, one per call, before behaving normally. */
  const upcoming: number[] = [];
  const tasks: MessageTask[] = [];
  let tokensIssued = 0;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const reply = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

    if (req.method === 'GET' && url.pathname === '/cgi-bin/gettoken') {
      if (url.searchParams.get('corpid') !== corpId) return reply(envelope(40013, 'invalid corpid'));
      if (url.searchParams.get('corpsecret') !== secret) return reply(envelope(40001, 'invalid credential'));
      const token = `token-${++tokensIssued}`;
      live.add(token);
      return reply(envelope(0, 'ok', { access_token: token, expires_in: options.expiresIn ?? 7200 }));
    }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/externalcontact/add_msg_template') {
      const token = url.searchParams.get('access_token');
      if (!token) return reply(envelope(41001, 'access_token missing'));
      if (expired.has(token)) return reply(envelope(42001, ERRMSG[42001]!));
      if (!live.has(token)) return reply(envelope(40014, ERRMSG[40014]!));
      const forced = upcoming.shift();
      if (forced !== undefined) return reply(envelope(forced, ERRMSG[forced] ?? 'error'));
      const body = JSON.parse(raw) as MessageTask['body'];
      if (body.chat_type !== 'single' || !body.sender || !Array.isArray(body.external_userid) || body.external_userid.length > 10_000) {
        return reply(envelope(40058, 'invalid parameter'));
      }
      if (!body.text?.content && !body.attachments?.length) return reply(envelope(41048, 'no sendable content'));
      const msgid = `msg-${tasks.length + 1}`;
      tasks.push({ msgid, accessToken: token, body });
      return reply(envelope(0, 'ok', { fail_list: body.external_userid.filter((id) => notContacts.has(id)), msgid }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    corpId,
    secret,
    tasks,
    tokensIssued: () => tokensIssued,
    /** WeCom ends tokens early at times: every token issued so far now answers 42001. */
    expireTokens() {
      for (const token of live) expired.add(token);
      live.clear();
    },
    /** Forgets the tokens without marking them expired, so they answer 40014 (invalid). */
    forgetTokens() {
      live.clear();
    },
    /** The next add_msg_template calls answer these errcodes, in order. */
    failNext(...errcodes: number[]) {
      upcoming.push(...errcodes);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export type WecomStandIn = Awaited<ReturnType<typeof startWecomStandIn>>;
