import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { mapWithConcurrency } from './concurrency.ts';
import type { ChannelDriver, ChannelSendResult, OutboundMessage } from './types.ts';

const Email = z.email();

/** `noreply@brand.cn` or `品牌 <noreply@brand.cn>`: the address part, or null when it is not one. */
function senderAddressOf(from: string): string | null {
  const match = /^\s*(?:[^<>]*<\s*([^<>\s]+)\s*>|([^<>\s]+))\s*$/.exec(from);
  const address = match?.[1] ?? match?.[2];
  return address && Email.safeParse(address).success ? address : null;
}

export const EmailChannelConfig = z.object({
  /** SMTP server host name. */
  host: z.string().trim().min(1, 'give the SMTP server host'),
  /** SMTP port; by default 465 when `secure`, else 587 (submission, STARTTLS when offered). */
  port: z.number().int().min(1).max(65_535).optional(),
  /** TLS from the first byte (port 465); off by default, STARTTLS is still used when offered. */
  secure: z.boolean().default(false),
  /** Login name; none by default (a relay that trusts the network). */
  user: z.string().min(1).optional(),
  /** Password for `user`. */
  pass: z.string().min(1).optional(),
  /** Sender, `noreply@brand.cn` or `品牌 <noreply@brand.cn>`. */
  from: z.string().refine((f) => senderAddressOf(f) !== null, 'give a sender address such as noreply@brand.cn or 品牌 <noreply@brand.cn>'),
}).superRefine((c, ctx) => {
  if (c.user !== undefined && c.pass === undefined) ctx.addIssue({ code: 'custom', path: ['pass'], message: 'give the password for the SMTP user' });
  if (c.pass !== undefined && c.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'give the SMTP user the password belongs to' });
});
export type EmailChannelConfig = z.infer<typeof EmailChannelConfig>;

/** Connections the pool keeps open to the server; sends beyond that wait in the pool's queue. */
const MAX_CONNECTIONS = 3;

/** Header carrying the delivery's idempotency key, for receivers and support staff reading raw mail. */
export const IDEMPOTENCY_HEADER = 'X-Courtyard-Idempotency-Key';

/**
 * The same key always yields the same Message-ID, so a message re-sent after a lost SMTP answer
 * carries the id of the first copy and mail systems that dedupe on Message-ID drop it.
 */
export function messageIdFor(idempotencyKey: string, senderDomain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${senderDomain}>`;
}

/** Connection-level failures with no SMTP reply: the server may well answer next time. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EPROTOCOL']);

interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/** SMTP reply codes decide: 4xx is "try later" by definition, 5xx is permanent. */
export function resultOfSmtpError(error: unknown): ChannelSendResult {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SmtpFailure;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const code = typeof e.code === 'string' ? e.code : null;
  const detail = String(typeof e.response === 'string' && e.response ? e.response : e.message ?? 'unknown error').replace(/\s+/g, ' ').slice(0, 300);
  if (responseCode !== null) {
    return { status: 'failed', error: `SMTP ${responseCode}: ${detail}`, retryable: responseCode >= 400 && responseCode < 500 };
  }
  // Without a reply code only a broken connection is worth another try; a refused login or an
  // unbuildable message fails the same way every time.
  return { status: 'failed', error: `SMTP ${code ?? 'error'}: ${detail}`, retryable: code === null || TRANSIENT_CODES.has(code) };
}

export const emailDriver: ChannelDriver<typeof EmailChannelConfig> = {
  type: 'email',
  title: { 'zh-CN': '邮件（SMTP）', en: 'Email (SMTP)' },
  address: 'email',
  config: EmailChannelConfig,
  open(config) {
    const senderDomain = senderAddressOf(config.from)!.split('@')[1]!;
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: MAX_CONNECTIONS,
      host: config.host,
      port: config.port ?? (config.secure ? 465 : 587),
      secure: config.secure,
      auth: config.user !== undefined ? { user: config.user, pass: config.pass } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    });

    async function sendOne(m: OutboundMessage): Promise<ChannelSendResult> {
      const to = m.customer.email;
      if (!to) return { status: 'failed', error: 'customer has no email address', retryable: false };
      try {
        // Attachments are not mailed: they are links and cards shaped for chat channels, and
        // fetching arbitrary URLs from the server to attach them is not something to do implicitly.
        const info = await transport.sendMail({
          from: config.from,
          to: { name: m.customer.name ?? '', address: to },
          subject: m.subject ?? '',
          text: m.body,
          messageId: messageIdFor(m.idempotencyKey, senderDomain),
          headers: { [IDEMPOTENCY_HEADER]: m.idempotencyKey },
        });
        return { status: 'sent', providerMessageId: info.messageId };
      } catch (error) {
        return resultOfSmtpError(error);
      }
    }

    return {
      send: (messages) => mapWithConcurrency(messages, MAX_CONNECTIONS, sendOne),
      async close() {
        transport.close();
      },
    };
  },
};
