import { isIP } from 'node:net';

// Which IP addresses a partner endpoint may not point at: anything that reaches the platform's own
// machine or network (loopback, private, link-local with the cloud metadata services, carrier-grade
// NAT where Alibaba Cloud's metadata lives), plus addresses that are never a public server
// (multicast, documentation, reserved). IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d,
// compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address inside.

type Range = readonly [base: string, prefix: number, name: string];

const V4_BLOCKED: readonly Range[] = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'private (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (100.64.0.0/10, also Alibaba Cloud metadata)'],
  ['127.0.0.0', 8, 'loopback (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'link-local (169.254.0.0/16, cloud metadata)'],
  ['172.16.0.0', 12, 'private (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'documentation (192.0.2.0/24)'],
  ['192.88.99.0', 24, '6to4 relay anycast (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'private (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'documentation (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'documentation (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'multicast (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'reserved or broadcast (240.0.0.0/4)'],
];

const V6_BLOCKED: readonly Range[] = [
  ['::', 128, 'unspecified (::)'],
  ['::1', 128, 'loopback (::1)'],
  ['64:ff9b:1::', 48, 'local-use NAT64 (64:ff9b:1::/48)'],
  ['100::', 64, 'discard-only (100::/64)'],
  ['2001::', 32, 'Teredo (2001::/32)'],
  ['2001:db8::', 32, 'documentation (2001:db8::/32)'],
  ['fc00::', 7, 'unique local, i.e. private (fc00::/7)'],
  ['fe80::', 10, 'link-local (fe80::/10)'],
  ['fec0::', 10, 'site-local (fec0::/10)'],
  ['ff00::', 8, 'multicast (ff00::/8)'],
];

function parseV4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  let rest = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
  // A trailing dotted IPv4 address stands for the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(rest);
  if (dotted) {
    const v4 = parseV4(dotted[1]!);
    if (v4 === undefined) return undefined;
    rest = rest.slice(0, -dotted[1]!.length) + `${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

const inV4 = (address: number, [base, prefix]: Range) => prefix === 0 || address >>> (32 - prefix) === parseV4(base)! >>> (32 - prefix);
const inV6 = (address: bigint, [base, prefix]: Range) => address >> BigInt(128 - prefix) === parseV6(base)! >> BigInt(128 - prefix);

function v4Name(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

function blockedV4(address: number): string | undefined {
  return V4_BLOCKED.find((range) => inV4(address, range))?.[2];
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(address: bigint): number | undefined {
  const low32 = Number(address & 0xffffffffn);
  if (address >> 32n === 0xffffn) return low32; // ::ffff:a.b.c.d
  if (address >> 32n === 0n && address > 1n) return low32; // ::a.b.c.d (deprecated "compatible")
  if (address >> 32n === parseV6('64:ff9b::')! >> 32n) return low32; // NAT64
  if (address >> 112n === 0x2002n) return Number((address >> 80n) & 0xffffffffn); // 6to4
  return undefined;
}

/**
 * Why an IP address may not be a partner endpoint (e.g. `loopback (127.0.0.0/8)`), or undefined
 * when it is a public address. Anything that is not an IP address is refused too.
 */
export function blockedAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return blockedV4(parseV4(bare)!);
  if (family !== 6) return `"${address}" is not an IP address`;
  const value = parseV6(bare);
  if (value === undefined) return `"${address}" is not an IP address`;
  const v4 = embeddedV4(value);
  if (v4 !== undefined) {
    const inner = blockedV4(v4);
    if (inner) return `${inner}, as the IPv4 address ${v4Name(v4)} inside ${bare}`;
  }
  return V6_BLOCKED.find((range) => inV6(value, range))?.[2];
}
