import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { openChannel } from './index.ts';
import { outboundMessage, outboundMessages } from './test-messages.ts';
import type { ChannelConnection } from './types.ts';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

const servers: SMTPServer[] = [];
const connections: ChannelConnection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close?.()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
});

/** A plain-text SMTP server on a free port that keeps every accepted message. */
async function startSmtpServer(options: Partial<SMTPServerOptions> = {}) {
  const received: ReceivedMail[] = [];
  let openSessions = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onConnect(_session, callback) {
      openSessions++;
      callback();
    },
    onClose() {
      openSessions--;
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, openSessions: () => openSessions };
}

function open(port: number, extra: Record<string, unknown> = {}) {
  const connection = openChannel('email', { host: '127.0.0.1', port, secure: false, from: 'Courtyard Tea <noreply@tea.example>', ...extra });
  connections.push(connection);
  return connection;
}

function header(raw: string, name: string): string | undefined {
  const unfolded = raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: (.*)$`, 'im').exec(unfolded)?.[1];
}

function rejectWith(responseCode: number, message: string) {
  return Object.assign(new Error(message), { responseCode });
}

describe('email channel', () => {
  it('delivers the subject and text from the configured sender to the customer, with the idempotency key in a header', async () => {
    const smtp = await startSmtpServer();
    const message = outboundMessage(1);

    const [result] = await open(smtp.port).send([message]);

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.from).toBe('noreply@tea.example');
    expect(mail.to).toEqual(['customer1@example.com']);
    expect(header(mail.raw, 'From')).toBe('Courtyard Tea <noreply@tea.example>');
    expect(header(mail.raw, 'To')).toBe('Customer 1 <customer1@example.com>');
    expect(header(mail.raw, 'Subject')).toBe('Spring tea is here');
    expect(header(mail.raw, 'X-Courtyard-Idempotency-Key')).toBe(message.idempotencyKey);
    expect(mail.raw).toContain('Hello Customer 1, the new harvest has arrived.');
    expect(result).toEqual({ status: 'sent', providerMessageId: header(mail.raw, 'Message-ID') });
    expect(header(mail.raw, 'Message-ID')).toMatch(/^<[0-9a-f]{40}@tea\.example>$/);
  });

  it('a message sent again carries the same Message-ID, and different messages different ones', async () => {
    const smtp = await startSmtpServer();
    const channel = open(smtp.port);
    await channel.send([outboundMessage(1), outboundMessage(2)]);
    await channel.send([outboundMessage(1)]);
    const ids = smtp.received.map((m) => header(m.raw, 'Message-ID'));
    const byKey = new Map(smtp.received.map((m) => [header(m.raw, 'X-Courtyard-Idempotency-Key'), header(m.raw, 'Message-ID')]));
    expect(ids).toHaveLength(3);
    expect(byKey.size).toBe(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('sends a batch over the pooled connections and reports one result per message in order', async () => {
    const smtp = await startSmtpServer();
    const messages = outboundMessages(12);
    const results = await open(smtp.port).send(messages);
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(messages.map((m) => m.customer.email).sort());
    expect(new Set(results.map((r) => r.status === 'sent' && r.providerMessageId)).size).toBe(12);
  });

  it('a customer without an email address fails for good and nothing is sent', async () => {
    const smtp = await startSmtpServer();
    const results = await open(smtp.port).send([outboundMessage(1, { customer: { email: null } }), outboundMessage(2)]);
    expect(results[0]).toEqual({ status: 'failed', error: 'customer has no email address', retryable: false });
    expect(results[1]!.status).toBe('sent');
    expect(smtp.received.map((m) => m.to)).toEqual([['customer2@example.com']]);
  });

  it('a temporary 451 rejection fails retryably with the SMTP code', async () => {
    const smtp = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(rejectWith(451, 'Mailbox busy, try again later'));
      },
    });
    const [result] = await open(smtp.port).send([outboundMessage(1)]);
    expect(result).toMatchObject({ status: 'failed', retryable: true });
    expect(result!.status === 'failed' && result!.error).toMatch(/^SMTP 451: .*Mailbox busy/);
  });

  it('a permanent 550 rejection fails for good with the SMTP code', async () => {
    const smtp = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(rejectWith(550, 'No such user here'));
      },
    });
    const [result] = await open(smtp.port).send([outboundMessage(1)]);
    expect(result).toMatchObject({ status: 'failed', retryable: false });
    expect(result!.status === 'failed' && result!.error).toMatch(/^SMTP 550: .*No such user here/);
  });

  it('logs in with the configured user and password', async () => {
    const smtp = await startSmtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 'right-password') callback(null, { user: 'mailer' });
        else callback(rejectWith(535, 'Authentication credentials invalid'));
      },
    });
    const [sent] = await open(smtp.port, { user: 'mailer', pass: 'right-password' }).send([outboundMessage(1)]);
    const [refused] = await open(smtp.port, { user: 'mailer', pass: 'wrong' }).send([outboundMessage(2)]);
    expect(sent!.status).toBe('sent');
    expect(refused).toMatchObject({ status: 'failed', retryable: false });
    expect(refused!.status === 'failed' && refused!.error).toContain('535');
    expect(smtp.received).toHaveLength(1);
  });

  it('an unreachable server fails retryably', async () => {
    const smtp = await startSmtpServer();
    const port = smtp.port;
    await new Promise((resolve) => servers.pop()!.close(() => resolve(undefined)));
    const [result] = await open(port).send([outboundMessage(1)]);
    expect(result).toMatchObject({ status: 'failed', retryable: true });
    expect(result!.status === 'failed' && result!.error).toContain('ECONNREFUSED');
  });

  it('closing the connection closes its pooled SMTP sessions', async () => {
    const smtp = await startSmtpServer();
    const channel = openChannel('email', { host: '127.0.0.1', port: smtp.port, from: 'noreply@tea.example' });
    await channel.send(outboundMessages(3));
    expect(smtp.openSessions()).toBeGreaterThan(0);
    await channel.close!();
    await expect.poll(() => smtp.openSessions()).toBe(0);
  });
});
