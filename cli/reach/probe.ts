import { connect as tcpConnect } from 'node:net';
import type { Clock } from '../../lib/util/clock.ts';
import { errorMessage, LifeguardError } from '../../lib/util/errors.ts';

/** Opens a TCP connection to host:port and closes it; rejects on failure or after `timeoutMs` of real time. */
export type Connect = (host: string, port: number, timeoutMs: number) => Promise<void>;

/** Exit code of a command that could not reach its cluster or AWS (documented in docs/cli.md). */
export const UNREACHABLE_EXIT = 3;

/** A bounded TCP connect: the connect half of the probe; 3 s is long for any endpoint that answers at all. */
export const CONNECT_TIMEOUT_MS = 3_000;
/** The cheap read's limit: connect, TLS and one small answer. */
export const READ_TIMEOUT_MS = 5_000;

export const connectTcp: Connect = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });

/** What a command is about to contact. */
export interface ReachTarget {
  /** For the sentence: "the Kubernetes API server of context prod (kubeconfig ~/.kube/config)". */
  what: string;
  /** The URL requests go to. */
  endpoint: string;
  /** One cheap read with the caller's credentials, bounded by `timeoutMs`. */
  read(timeoutMs: number): Promise<void>;
  /** The likely cause of a failed read, when this kind of target can tell (refused credentials...). */
  readCause(err: unknown): string | undefined;
}

export interface ReachDeps {
  clock: Clock;
  connect?: Connect;
}

/** The target could not be reached: the sentence names it, its endpoint and the likely cause. */
export class UnreachableError extends LifeguardError {}

/**
 * Checks that `target` answers before a command starts work that would retry for minutes against
 * it: a bounded TCP connect to the endpoint, then one cheap read with the caller's credentials.
 * Both run as real I/O on `clock` (a virtual clock does not move while they are in flight); each
 * is bounded in real time by its own timeout, so the probe takes at most CONNECT_TIMEOUT_MS +
 * READ_TIMEOUT_MS. Throws UnreachableError.
 */
export async function ensureReachable(target: ReachTarget, deps: ReachDeps): Promise<void> {
  const url = new URL(target.endpoint);
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const connect = deps.connect ?? connectTcp;
  const failed = (how: string, cause: string, err: unknown) =>
    new UnreachableError(`cannot reach ${target.what} at ${target.endpoint}: ${how}; ${cause}`, { cause: err });
  try {
    await deps.clock.io(() => connect(host, port, CONNECT_TIMEOUT_MS));
  } catch (err) {
    const { how, cause } = connectFailure(err, host);
    throw failed(how, cause, err);
  }
  try {
    await deps.clock.io(() => target.read(READ_TIMEOUT_MS));
  } catch (err) {
    const cause = target.readCause(err) ?? readFailure(err);
    throw failed(`the connection opened but a first read failed (${oneLine(errorMessage(err))})`, cause, err);
  }
}

const oneLine = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text).replace(/\s+/g, ' ');

/** Why a TCP connect fails, in the terms of the first hour: which mistake each error usually is. */
export function connectFailure(err: unknown, host: string): { how: string; cause: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        how: `the name ${host} does not resolve (${code})`,
        cause: 'likely a wrong context or a cluster that no longer exists, or a private endpoint whose name resolves only inside its VPC (connect the VPN)',
      };
    case 'ECONNREFUSED':
      return {
        how: 'connection refused (ECONNREFUSED)',
        cause: 'nothing listens there: likely a wrong context (--context), or a local cluster or tunnel that is not running',
      };
    case 'ETIMEDOUT':
      return {
        how: `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (ETIMEDOUT)`,
        cause: 'likely a private endpoint reachable only over a VPN or a peered network that is not up, or a security group or firewall dropping the traffic',
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { how: `no route to ${host} (${code})`, cause: 'likely a VPN that is off or a network that cannot reach the endpoint' };
    default:
      return { how: `connect failed (${oneLine(errorMessage(err))})`, cause: 'check the endpoint, the network path to it and any proxy' };
  }
}

/** What a failed first read usually means when the target cannot say better. */
function readFailure(err: unknown): string {
  const text = errorMessage(err);
  if (/certificate|self[- ]signed|CERT_|SSL|TLS/i.test(text)) {
    return "the server's certificate does not match the certificate authority you trust for it: likely a wrong context or a cluster re-created since the kubeconfig was written";
  }
  if (/abort|timeout|timed out/i.test(text)) return `no answer within ${READ_TIMEOUT_MS / 1000} s: a proxy or a load balancer in the way, or an overloaded server`;
  return 'check the endpoint and the credentials';
}
