import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedAddressReason } from './addresses.ts';
import { RemoteNodeCaller, type RemoteCallRecord } from './caller.ts';
import { RemoteCallError } from './errors.ts';
import { answerAll, batch, installation, json, startServer, type TestServer } from './test-servers.ts';

let partner: TestServer;
let port: number;
beforeAll(async () => {
  partner = await startServer((_req, res, seen) => json(res, 200, answerAll(seen.body, 'issued')));
  port = Number(new URL(partner.url).port);
});
afterAll(() => partner.close());

/** A production caller (no development flag) whose DNS answers from `names`. */
function productionCaller(names: Record<string, string[]> = {}, log: RemoteCallRecord[] = []) {
  return new RemoteNodeCaller({
    allowPrivateEndpoints: false,
    retry: { attempts: 1 },
    onCall: (r) => log.push(r),
    lookup: async (hostname) => {
      const found = names[hostname];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  });
}

async function refusal(caller: RemoteNodeCaller, baseUrl: string): Promise<RemoteCallError> {
  const error = await caller.callNode(installation(baseUrl), batch(1)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemoteCallError);
  return error as RemoteCallError;
}

describe('SSRF guard: partner endpoints must be public HTTPS in production', () => {
  it.each([
    ['https://127.0.0.1', /loopback/],
    ['https://10.1.2.3', /private \(10\.0\.0\.0\/8\)/],
    ['https://172.20.0.1', /private \(172\.16\.0\.0\/12\)/],
    ['https://192.168.1.10', /private \(192\.168\.0\.0\/16\)/],
    ['https://169.254.169.254', /link-local .*cloud metadata/],
    ['https://100.100.100.200', /carrier-grade NAT/],
    ['https://0.0.0.0', /this network/],
    ['https://224.0.0.1', /multicast/],
    ['https://[::1]', /loopback \(::1\)/],
    ['https://[::ffff:127.0.0.1]', /loopback .* inside ::ffff:7f00:1/],
    ['https://[::ffff:169.254.169.254]', /link-local/],
    ['https://[fd00:ec2::254]', /unique local/],
    ['https://[fe80::1]', /link-local \(fe80::\/10\)/],
    ['https://2130706433', /loopback/], // 127.0.0.1 written as one number
  ])('refuses %s before sending anything', async (baseUrl, reason) => {
    const log: RemoteCallRecord[] = [];
    const error = await refusal(productionCaller({}, log), `${baseUrl}:${port}`);
    expect(error).toMatchObject({ code: 'endpoint-refused', retryable: false, attempts: 0 });
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(/COURTYARD_PLUGIN_DEV_ENDPOINTS=1/);
    expect(log[0]).toMatchObject({ outcome: 'failed', attempts: 0, error: { code: 'endpoint-refused' } });
  });

  it('refuses http:// in production, even to a public address', async () => {
    const error = await refusal(productionCaller(), 'http://93.184.215.14');
    expect(error.code).toBe('endpoint-refused');
    expect(error.message).toMatch(/not an https:\/\/ address/);
  });

  it('refuses a host name that resolves to loopback, checking the address it connects to', async () => {
    // The real resolver: localhost is loopback.
    const real = new RemoteNodeCaller({ allowPrivateEndpoints: false, retry: { attempts: 1 } });
    const error = await refusal(real, `https://localhost:${port}`);
    expect(error).toMatchObject({ code: 'endpoint-refused' });
    expect(error.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback/);
    real.close();

    // A partner name whose DNS answer points inside (rebinding): refused at connect time.
    const rebinding = productionCaller({ 'coupons.partner.example': ['127.0.0.1'] });
    const rebound = await refusal(rebinding, `https://coupons.partner.example:${port}`);
    expect(rebound.message).toMatch(/coupons\.partner\.example resolves to 127\.0\.0\.1, a loopback/);
    // One private address among public ones is enough to refuse.
    const mixed = await refusal(productionCaller({ 'mixed.partner.example': ['93.184.215.14', '::ffff:10.0.0.7'] }), `https://mixed.partner.example:${port}`);
    expect(mixed.message).toMatch(/private \(10\.0\.0\.0\/8\), as the IPv4 address 10\.0\.0\.7/);
    expect(partner.seen).toHaveLength(0);
  });

  it('an unknown host is a network error (retryable), not a refusal', async () => {
    const error = await refusal(productionCaller(), 'https://nowhere.partner.example');
    expect(error).toMatchObject({ code: 'network', retryable: true });
    expect(error.message).toMatch(/ENOTFOUND/);
  });

  it('with the development flag, http:// and loopback endpoints are called', async () => {
    const previous = process.env.COURTYARD_PLUGIN_DEV_ENDPOINTS;
    process.env.COURTYARD_PLUGIN_DEV_ENDPOINTS = '1';
    try {
      const dev = new RemoteNodeCaller();
      const answer = await dev.callNode(installation(partner.url), batch(2));
      expect(answer.results).toHaveLength(2);
      dev.close();
    } finally {
      if (previous === undefined) delete process.env.COURTYARD_PLUGIN_DEV_ENDPOINTS;
      else process.env.COURTYARD_PLUGIN_DEV_ENDPOINTS = previous;
    }
    expect(partner.seen).toHaveLength(1);
    // Without it (the default), the same endpoint is refused.
    const production = new RemoteNodeCaller();
    expect((await refusal(production, partner.url)).code).toBe('endpoint-refused');
  });
});

describe('which addresses count as public', () => {
  it('public IPv4 and IPv6 addresses pass', () => {
    for (const address of ['8.8.8.8', '93.184.215.14', '47.96.1.1', '2606:4700:4700::1111', '2400:3200::1', '::ffff:8.8.8.8']) expect(blockedAddressReason(address)).toBeUndefined();
  });

  it('every internal range is refused, in each IPv6 form that carries an IPv4 address', () => {
    const cases: [string, RegExp][] = [
      ['127.255.0.1', /loopback/],
      ['100.64.0.1', /carrier-grade/],
      ['198.18.5.5', /benchmarking/],
      ['255.255.255.255', /broadcast/],
      ['::', /unspecified/],
      ['::127.0.0.1', /loopback/],
      ['64:ff9b::10.0.0.1', /private/],
      ['2002:a9fe:a9fe::1', /link-local.*169\.254\.169\.254/],
      ['ff02::1', /multicast/],
      ['fe80::1%eth0', /link-local/],
      ['not-an-ip', /not an IP address/],
    ];
    for (const [address, reason] of cases) expect(blockedAddressReason(address), address).toMatch(reason);
  });
});
