// What starts the moment an add callback is acknowledged, ahead of the pass that writes it: the
// welcome message (a welcome code lives 20 s) and the contact's profile (name, union id, gender and
// the corp tags it carries), so the pass writes the customer whole, once, and a journey entering
// on `wecom.contact_added` already sees its corp tags.
import type { Db } from '@courtyard/db';
import { callbackDedupeKey, WeComBudgetError, WeComError, type ContactAddedEvent, type WeComCallbackEvent } from '@courtyard/wecom';
import { callbackConnection, forget, remember, type Live } from './wecom-callback-cache.ts';
import type { WeComProcessDeps } from './wecom-callbacks.ts';
import { WelcomeMessage, welcomeRequest } from './wecom-live-code-rules.ts';
import type { ContactFollows } from './wecom-outreach-adds.ts';

type Client = Live['client'];

/**
 * What became of an add's welcome message. `over_budget`: the corp's budget for send_welcome_msg
 * (10,000 a minute) had no room before the welcome code's 20 s were over, so it was not sent.
 */
export type WelcomeOutcome = 'sent' | 'already_sent' | 'code_expired' | 'over_budget' | 'none' | `failed_${number}`;

/**
 * How long a pass waits for its contacts' profiles (normally milliseconds; longer when WeCom is
 * slow), and how long a profile read waits for room in the corp's budget for externalcontact/get:
 * a profile not in hand by then is read later (wecom-profile-reads.ts).
 */
export const PROFILE_WAIT_MS = 2000;

/** A welcome code can be used for 20 s after the add (notes §5); the last 2 s are left for the call itself. */
const WELCOME_CODE_LIFE_MS = 20_000;
const WELCOME_CALL_MARGIN_MS = 2_000;

/** How long the welcome message of `event` may wait for room in the budget: until its code is about to expire. */
function welcomeWaitMs(event: ContactAddedEvent): number {
  const left = event.CreateTime * 1000 + WELCOME_CODE_LIFE_MS - WELCOME_CALL_MARGIN_MS - Date.now();
  return Math.max(0, Math.min(left, WELCOME_CODE_LIFE_MS - WELCOME_CALL_MARGIN_MS));
}

/** What `externalcontact/get` told of a customer. */
export interface Profile extends ContactFollows {
  name: string | null;
  unionId: string | null;
  gender: 'male' | 'female' | 'unknown';
  /** Corp tags (type 1) the contact carries, over every staff member who follows it. */
  corpTagIds: string[];
}

/**
 * The profile, or undefined when it could not be read within PROFILE_WAIT_MS of budget (the customer
 * is then written without it, and the read is queued: wecom-profile-reads.ts).
 */
export function fetchProfile(client: Client, externalUserId: string): Promise<Profile | undefined> {
  return readProfile(client, externalUserId, PROFILE_WAIT_MS).catch(() => undefined);
}

/** externalcontact/get as a profile; WeCom's errors (and WeComBudgetError past `maxWaitMs`) are thrown. */
export async function readProfile(client: Client, externalUserId: string, maxWaitMs?: number): Promise<Profile> {
  const answer = await client.call('externalcontact/get', { external_userid: externalUserId }, maxWaitMs === undefined ? {} : { maxWaitMs });
  const detail = answer.external_contact;
  const corpTagIds = [...new Set(answer.follow_user.flatMap((f) => (f.tags ?? []).filter((t) => t.type === 1 && t.tag_id).map((t) => t.tag_id!)))];
  const follows = answer.follow_user.map((f) => ({ userId: f.userid, addWay: f.add_way ?? null, remarkMobiles: f.remark_mobiles ?? [] }));
  return { name: detail.name ?? null, unionId: detail.unionid ?? null, gender: detail.gender === 1 ? 'male' : detail.gender === 2 ? 'female' : 'unknown', corpTagIds, follows };
}

/** The work started for one add callback. */
export interface Arrival {
  profile: Promise<Profile | undefined>;
  /** Absent when the add has no welcome code or no live code (nothing to send). */
  welcome?: Promise<WelcomeOutcome>;
}

/**
 * Arrivals under way, by workspace and callback de-duplication key: the pass that processes the
 * callback waits for them instead of calling WeCom again. An entry goes after a minute.
 */
const arrivals = new Map<string, Arrival>();

const isAdd = (event: WeComCallbackEvent): event is ContactAddedEvent =>
  event.Event === 'change_external_contact' && (event.ChangeType === 'add_external_contact' || event.ChangeType === 'add_half_external_contact');

/** Starts an acknowledged add's profile read and welcome message; other callbacks are left alone. */
export function arriveEarly(deps: WeComProcessDeps, workspaceId: string, event: WeComCallbackEvent): void {
  if (!isAdd(event)) return;
  const key = `${workspaceId}:${callbackDedupeKey(event)}`;
  if (arrivals.has(key)) return;
  const client = callbackConnection(deps.db, workspaceId).then((conn) => {
    if (!conn) throw new Error('WeCom is no longer connected');
    return conn.client;
  });
  const profile = client.then((c) => fetchProfile(c, event.ExternalUserID));
  const arrival: Arrival = { profile };
  if (event.WelcomeCode && event.State) {
    arrival.welcome = (async () => {
      const [c, code, staff] = await Promise.all([client, welcomeCode(deps.db, workspaceId, event.State), staffRow(deps.db, workspaceId, event.UserID)]);
      return sendWelcome(c, event, code, staff?.name ?? event.UserID, profile);
    })();
    // Settled or not, the pass reads it (and sends again when it failed).
    arrival.welcome.catch(() => undefined);
  }
  profile.catch(() => undefined);
  arrivals.set(key, arrival);
  setTimeout(() => arrivals.delete(key), 60_000).unref();
}

/** The arrival started for this callback, else one started now (a callback another process acknowledged, or one retried after a failure). */
export function arrivalOf(client: Client, db: Db, workspaceId: string, event: ContactAddedEvent, staffName: string): Required<Arrival> {
  const early = arrivals.get(`${workspaceId}:${callbackDedupeKey(event)}`);
  // A failed early send is tried once more; 41051 tells if it had got through after all.
  const profile = early?.profile ?? fetchProfile(client, event.ExternalUserID);
  const resend = async () => sendWelcome(client, event, await welcomeCode(db, workspaceId, event.State), staffName, profile);
  const welcome = early?.welcome ? early.welcome.catch(resend) : resend();
  return { profile, welcome };
}

/** The pass has written these adds: their arrivals are let go now rather than after their minute (memory under a long burst). */
export function arrivalsWritten(workspaceId: string, events: ContactAddedEvent[]): void {
  for (const event of events) arrivals.delete(`${workspaceId}:${callbackDedupeKey(event)}`);
}

/** A live code's welcome message as the callback path needs it, read at most every 2 s per code. */
interface WelcomeCode {
  name: string;
  message: WelcomeMessage | null;
  /** The message names the customer: the profile must be read before it goes. */
  namesCustomer: boolean;
}

function welcomeCode(db: Db, workspaceId: string, state: string | undefined): Promise<WelcomeCode | null> {
  if (!state) return Promise.resolve(null);
  return remember(`code:${workspaceId}:${state}`, async () => {
    const code = await db.prisma.weComLiveCode.findUnique({ where: { workspaceId_state: { workspaceId, state } }, select: { name: true, welcome: true } });
    if (!code) return null;
    const message = code.welcome ? WelcomeMessage.parse(code.welcome) : null;
    return { name: code.name, message, namesCustomer: JSON.stringify(message ?? '').includes('customer_name') };
  });
}

function staffRow(db: Db, workspaceId: string, userId: string): Promise<{ id: string; name: string } | null> {
  return remember(`staff:${workspaceId}:${userId}`, () => db.prisma.staff.findUnique({ where: { workspaceId_wecomUserId: { workspaceId, wecomUserId: userId } }, select: { id: true, name: true } }));
}

/** The staff accounts of WeCom members, made for members Courtyard has not met yet (WeCom knows them). */
export async function staffOf(db: Db, workspaceId: string, userIds: string[]): Promise<Map<string, { id: string; name: string }>> {
  let found = await Promise.all(userIds.map((u) => staffRow(db, workspaceId, u)));
  const missing = userIds.filter((_, i) => !found[i]);
  if (missing.length) {
    await db.prisma.staff.createMany({ data: missing.map((u) => ({ workspaceId, name: u, wecomUserId: u })), skipDuplicates: true });
    for (const u of missing) forget(`staff:${workspaceId}:${u}`);
    found = await Promise.all(userIds.map((u) => staffRow(db, workspaceId, u)));
  }
  return new Map(userIds.map((u, i) => [u, found[i]!]));
}

async function sendWelcome(client: Client, event: ContactAddedEvent, code: WelcomeCode | null, staffName: string, profile: Promise<Profile | undefined>): Promise<WelcomeOutcome> {
  const message = code?.message;
  if (!message || !event.WelcomeCode) return 'none';
  // Only a text that names the customer waits for the profile.
  const name = code.namesCustomer ? (await profile)?.name ?? '' : '';
  const values = { customer_name: name, staff_name: staffName, live_code: code.name, coupon: message.coupon ?? '' };
  try {
    await client.call('externalcontact/send_welcome_msg', welcomeRequest(event.WelcomeCode, message, values), { maxWaitMs: welcomeWaitMs(event) });
    return 'sent';
  } catch (error) {
    // Nothing was sent, and no room comes before the code expires: final, like 41050.
    if (error instanceof WeComBudgetError) return 'over_budget';
    // 41051: it was delivered (an earlier attempt got through before its commit); 41050: the
    // 20 s are over. Both are final; a retryable answer or no answer is tried again.
    if (!(error instanceof WeComError) || error.retryable) throw error;
    return error.code === 41051 ? 'already_sent' : error.code === 41050 ? 'code_expired' : `failed_${error.code}`;
  }
}
