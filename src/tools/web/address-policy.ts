import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where WebFetch may connect: only globally routable unicast addresses. Everything a request forged
 * by a model could use to reach the user's machine, network or cloud account is refused: loopback,
 * RFC 1918 private, link-local (169.254/16 with the cloud metadata service), CGNAT, unique-local
 * (fd00:ec2::254 is AWS's IPv6 metadata), multicast, broadcast, unspecified (0.0.0.0 reaches
 * localhost on Linux), reserved/documentation ranges, and IPv6 forms that embed an IPv4 address
 * (IPv4-mapped is judged by the address it maps to; 6to4, Teredo and NAT64 are refused outright).
 */
export function classifyAddress(address: string): { allowed: true } | { allowed: false; range: string } {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'not an IP address' };
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const text = parsed.toString();
  // `::a.b.c.d` (IPv4-compatible, deprecated): ipaddr.js calls it unicast, but it embeds an IPv4
  // address and some stacks route it there. `::` and `::1` are caught below as their own ranges.
  if (parsed.kind() === 'ipv6' && isIpv4Compatible(parsed as ipaddr.IPv6)) {
    return { allowed: false, range: 'IPv4-compatible (embeds an IPv4 address)' };
  }
  if (METADATA_ADDRESSES.has(text)) return { allowed: false, range: 'cloud metadata service' };
  const range = parsed.range();
  return range === 'unicast' ? { allowed: true } : { allowed: false, range: RANGE_NAMES[range] ?? range };
}

function isIpv4Compatible(address: ipaddr.IPv6): boolean {
  const parts = address.parts;
  return parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1);
}

const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private network',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local (private IPv6)',
  carrierGradeNat: 'carrier-grade NAT',
  unspecified: 'unspecified (0.0.0.0 / ::)',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
  '6to4': '6to4 (embeds an IPv4 address)',
  teredo: 'Teredo (embeds an IPv4 address)',
  rfc6052: 'NAT64 (embeds an IPv4 address)',
  rfc6145: 'IPv4-translated',
};

/** `[::1]` → `::1`; names are lower-cased. The form hosts are compared and reported in. */
export function bareHost(hostname: string): string {
  const host = hostname.toLowerCase();
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function isIpLiteral(host: string): boolean {
  return isIP(bareHost(host)) !== 0;
}
