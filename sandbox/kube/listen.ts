import { isIPv4, isIPv6 } from 'node:net';

/**
 * Where the emulator may listen: loopback only. It has no authentication, no TLS and accepts every
 * write, so it must never be reachable from another machine.
 */

const IPV6_LOOPBACK = /^(0{0,4}:){2,7}0{0,3}1$/;

/** The address if it is a loopback address (127.0.0.0/8, ::1 in any spelling, localhost); an error naming the rule otherwise. */
export function loopbackHost(host: string): string {
  const value = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (value.toLowerCase() === 'localhost') return 'localhost';
  if (isIPv4(value) && value.split('.')[0] === '127') return value;
  if (isIPv6(value) && IPV6_LOOPBACK.test(value)) return value;
  throw new Error(`'${host}' is not a loopback address: the emulator listens only on 127.0.0.0/8, ::1 or localhost (it has no authentication and accepts every write)`);
}

/** http://host:port for an address a server is bound to (IPv6 in brackets). */
export const urlFor = (address: string, port: number): string => `http://${isIPv6(address) ? `[${address}]` : address}:${port}`;
