/**
 * IP literals and CIDR blocks for the `cidr` operator. Hand-rolled (node:net has no range maths)
 * and strict: dotted-quad IPv4, RFC 4291 IPv6 text with `::` and an optional trailing IPv4 part,
 * no zone ids, no hostnames.
 */
import type { IpRange } from './types.ts';

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const IPV4_OCTET = /^(?:0|[1-9]\d{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

export function parseIPv6(text: string): bigint | undefined {
  let body = text;
  // A trailing dotted quad stands for the last two groups (::ffff:10.0.0.1): rewrite it in hex.
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.includes('.', lastColon)) {
    const v4 = parseIPv4(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const explicit = head.length + rest.length;
  let groups: bigint[];
  if (halves.length === 2) {
    // `::` stands for at least one zero group.
    if (explicit > 7) return undefined;
    groups = [...head, ...Array<bigint>(8 - explicit).fill(0n), ...rest];
  } else {
    if (explicit !== 8) return undefined;
    groups = head;
  }
  return groups.reduce((acc, group) => (acc << 16n) | group, 0n);
}

function parseGroups(part: string): bigint[] | undefined {
  if (part === '') return [];
  const groups: bigint[] = [];
  for (const group of part.split(':')) {
    if (!IPV6_GROUP.test(group)) return undefined;
    groups.push(BigInt(`0x${group}`));
  }
  return groups;
}

/** Parses an IPv4 or IPv6 literal; undefined when `text` is neither. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** `10.0.0.0/24` → its first and last address; a problem description when malformed. */
export function parseCidr(text: string): IpRange | string {
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) return 'expected an IP address, a "/" and a prefix length, like 10.0.0.0/24';
  const address = parseIp(text.slice(0, slash));
  if (!address) return `"${text.slice(0, slash)}" is not an IPv4 or IPv6 address`;
  const bitsText = text.slice(slash + 1);
  const width = address.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > width) {
    return `prefix length must be an integer from 0 to ${width} for IPv${address.family}`;
  }
  const hostBits = BigInt(width - Number(bitsText));
  const hostMask = (1n << hostBits) - 1n;
  const first = address.value & ~hostMask;
  return { family: address.family, first, last: first | hostMask };
}

export function inRange(range: IpRange, text: string): boolean {
  const address = parseIp(text);
  return address !== undefined && address.family === range.family && address.value >= range.first && address.value <= range.last;
}
