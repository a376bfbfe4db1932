/**
 * Which addresses a client's URL may make the server connect to (the policy
 * of the SSRF guard in safe-fetch.ts, without any I/O): an address is refused
 * when it is loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
 * link-local (169.254/16 — cloud metadata 169.254.169.254 included —
 * fe80::/10), CGNAT (100.64/10), unspecified, multicast, broadcast, reserved
 * or documentation space, or the AWS IPv6 metadata address fd00:ec2::254 — or
 * an IPv6 address that embeds such an IPv4 address (see embeddedIPv4s:
 * IPv4-mapped, -compatible and -translated (SIIT), NAT64 64:ff9b::/96, 6to4,
 * Teredo, ISATAP), or a local-use NAT64 address — unless the allow-list
 * permits it (`COHORT_FETCH_ALLOW`: comma-separated host names, IP addresses
 * or CIDRs; a listed host name permits whatever it resolves to).
 */
import net from 'node:net';

const FORBIDDEN: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'reserved'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['3fff::', 20, 'ipv6', 'documentation'],
  ['100::', 64, 'ipv6', 'reserved'],
  // IETF protocol assignments that are not globally reachable: benchmarking, ORCHID (deprecated).
  ['2001:2::', 48, 'ipv6', 'reserved'],
  ['2001:10::', 28, 'ipv6', 'reserved'],
  // Segment Routing (SRv6) SIDs: inside one operator's domain.
  ['5f00::', 16, 'ipv6', 'reserved'],
  // Local-use IPv4/IPv6 translation (RFC 8215): a translator of the operator's own network, with
  // the IPv4 address at a position its prefix length decides — it cannot be read, so it is refused.
  ['64:ff9b:1::', 48, 'ipv6', 'local-use NAT64'],
];

const forbidden = FORBIDDEN.map(([prefix, bits, type, label]) => {
  const list = new net.BlockList();
  list.addSubnet(prefix, bits, type);
  return { list, type, label };
});

/** Why an address may not be fetched ('loopback', 'private', 'metadata', …), or undefined when it may. */
export function forbiddenAddress(address: string): string | undefined {
  const family = net.isIP(address);
  if (family === 0) return 'not an IP address';
  if (address === '169.254.169.254' || address.toLowerCase() === 'fd00:ec2::254') return 'cloud metadata';
  if (family === 6) {
    // An IPv6 form of an IPv4 address reaches that IPv4 host: the IPv4 policy decides
    // (a public one stays reachable: IPv6-only networks reach every IPv4 site through 64:ff9b::/96).
    for (const { ipv4, form } of embeddedIPv4s(address)) {
      const why = forbiddenAddress(ipv4);
      if (why) return `${why} (${ipv4} as ${form})`;
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const f of forbidden) if (f.type === type && f.list.check(address, type)) return f.label;
  return undefined;
}

const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 addresses an IPv6 address carries, and the form that carries them:
 * - IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d (deprecated), and
 *   IPv4-translated ::ffff:0:a.b.c.d (SIIT, RFC 2765): the last 32 bits;
 * - NAT64 with the well-known prefix 64:ff9b::/96 (RFC 6052): the last 32 bits;
 * - 6to4 2002:AABB:CCDD::/48 (RFC 3056): bits 16–47;
 * - Teredo 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC (RFC 4380): the server
 *   (bits 32–63) and the client, whose address is stored inverted (bits 96–127);
 * - ISATAP interface ids …:0:5efe:a.b.c.d and …:200:5efe:a.b.c.d under any
 *   prefix (RFC 5214): the last 32 bits.
 */
export function embeddedIPv4s(address: string): Array<{ ipv4: string; form: string }> {
  const w = expandIPv6(address);
  if (!w) return [];
  const [w0, w1, w2, w3, w4, w5, w6, w7] = w as [number, number, number, number, number, number, number, number];
  const zeros = (n: number) => w.slice(0, n).every((x) => x === 0);
  const out: Array<{ ipv4: string; form: string }> = [];
  if (zeros(5) && w5 === 0xffff) out.push({ ipv4: v4(w6, w7), form: 'IPv4-mapped' });
  else if (zeros(4) && w4 === 0xffff && w5 === 0) out.push({ ipv4: v4(w6, w7), form: 'IPv4-translated (SIIT)' });
  else if (zeros(6) && (w6 !== 0 || w7 > 1)) out.push({ ipv4: v4(w6, w7), form: 'IPv4-compatible' });
  else if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) out.push({ ipv4: v4(w6, w7), form: 'NAT64' });
  else if (w0 === 0x2002) out.push({ ipv4: v4(w1, w2), form: '6to4' });
  else if (w0 === 0x2001 && w1 === 0) {
    out.push({ ipv4: v4(w2, w3), form: 'Teredo server' });
    out.push({ ipv4: v4(w6 ^ 0xffff, w7 ^ 0xffff), form: 'Teredo client' });
  } else if ((w4 === 0 || w4 === 0x200) && w5 === 0x5efe) out.push({ ipv4: v4(w6, w7), form: 'ISATAP' });
  return out;
}

function expandIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A dotted IPv4 tail becomes two words.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = text.slice(0, dotted.index) + `${(((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16)}:${(((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  const words = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t].map((w) => parseInt(w, 16));
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}

/** An allow-list: host names (exact, case-insensitive), IP addresses and CIDRs. */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly blocks = new net.BlockList();

  constructor(entries: readonly string[] = []) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (entry === '') continue;
      const slash = entry.indexOf('/');
      if (slash >= 0) {
        const ip = entry.slice(0, slash);
        const bits = Number(entry.slice(slash + 1));
        const family = net.isIP(ip);
        if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new Error(`'${raw}' is not a CIDR`);
        this.blocks.addSubnet(ip, bits, family === 4 ? 'ipv4' : 'ipv6');
      } else if (net.isIP(entry)) {
        this.blocks.addAddress(entry, net.isIP(entry) === 4 ? 'ipv4' : 'ipv6');
      } else {
        this.hosts.add(entry);
      }
    }
  }

  permitsHost(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''));
  }

  permitsAddress(address: string): boolean {
    const family = net.isIP(address);
    return family !== 0 && this.blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Parses `COHORT_FETCH_ALLOW` (comma- or space-separated); throws naming a bad entry. */
export function parseAllowList(text: string | undefined): string[] {
  if (!text) return [];
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  new AllowList(entries); // validates
  return entries;
}
