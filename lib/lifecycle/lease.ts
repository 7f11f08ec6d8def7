import type { V1Node } from '@kubernetes/client-node';
import { z } from 'zod';
import { annotationPath } from '../kube/json-pointer.ts';
import { isPreconditionFailure, KubeApiError, type JsonPatchOp, type KubeApi } from '../kube/port.ts';
import type { Log } from '../observability/log.ts';
import type { Clock } from '../util/clock.ts';
import { every, type Periodic } from '../util/periodic.ts';
import { errorMessage, LifeguardError } from '../util/errors.ts';

/** The node has no lease where this invocation just wrote one. */
export class LeaseMissingError extends LifeguardError {}

/**
 * One owner at a time per node. The lease is an annotation (holder + expiry) written in the same
 * patch as the first change of a unit of work, guarded by the node's resourceVersion, so of two
 * concurrent writers exactly one wins. The holder renews it while it works; a crashed holder's
 * lease expires and the retry takes over.
 */
export const LEASE_ANNOTATION = 'lifeguard.io/lease';

const leaseSchema = z.object({ holder: z.string().min(1), until: z.iso.datetime({ offset: true }) }).strict();

export interface Lease {
  holder: string;
  /** Epoch ms. */
  until: number;
  /** The annotation value exactly as written: renewals test against it. */
  raw: string;
}

// A crashed holder's retry comes about a minute later (Lambda's async retry): by then the lease has run out.
export const LEASE_DEFAULTS = { durationMs: 60_000, renewEveryMs: 30_000 };

export function readLease(node: V1Node): Lease | undefined {
  const raw = node.metadata?.annotations?.[LEASE_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const parsed = leaseSchema.parse(JSON.parse(raw));
    return { holder: parsed.holder, until: Date.parse(parsed.until), raw };
  } catch {
    // An unreadable lease protects nobody: treat it as expired (it is overwritten by the next holder).
    return { holder: '?', until: 0, raw };
  }
}

export const isLive = (lease: Lease | undefined, now: number): lease is Lease => lease !== undefined && lease.until > now;

export function leaseValue(holder: string, until: number): string {
  return JSON.stringify({ holder, until: new Date(until).toISOString() });
}

/** Ops that guard a write on still holding `lease` (the node may have changed otherwise). */
export const holdsLeaseOp = (lease: Lease): JsonPatchOp => ({ op: 'test', path: annotationPath(LEASE_ANNOTATION), value: lease.raw });

/**
 * Keeps a lease alive while a unit of work runs. `lost` turns true when another writer took the
 * node over (a more urgent event) or the node is gone: the work must stop and leave the node to it.
 */
export class LeaseKeeper {
  lost = false;
  private renewal: Periodic | undefined;

  constructor(
    private readonly nodeName: string,
    public lease: Lease,
    private readonly deps: { kube: KubeApi; clock: Clock; log: Log },
    private readonly timing = LEASE_DEFAULTS,
    private readonly onLost: () => void = () => {},
  ) {}

  start(): void {
    this.renewal = every(this.deps.clock, this.timing.renewEveryMs, () => this.renew(), (err) => {
      // A transient failure: the lease still runs for a while; the next tick tries again.
      this.deps.log.warn('lease renewal failed; retrying', { node: this.nodeName, error: errorMessage(err) });
    });
  }

  async renew(): Promise<boolean> {
    if (this.lost) return false;
    const next = leaseValue(this.lease.holder, this.deps.clock.now() + this.timing.durationMs);
    try {
      await this.deps.kube.patchNode(this.nodeName, [holdsLeaseOp(this.lease), { op: 'replace', path: annotationPath(LEASE_ANNOTATION), value: next }]);
    } catch (err) {
      if (!isPreconditionFailure(err) && !(err instanceof KubeApiError && err.status === 404)) throw err;
      this.lost = true;
      this.onLost();
      this.deps.log.warn('lease lost: another invocation took the node over; stopping here', { node: this.nodeName, holder: this.lease.holder });
      return false;
    }
    this.lease = { holder: this.lease.holder, until: Date.parse(JSON.parse(next).until as string), raw: next };
    return true;
  }

  async stop(): Promise<void> {
    await this.renewal?.stop();
  }
}
