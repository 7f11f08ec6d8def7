import { z } from 'zod';
import { fnv1a, mulberry32 } from './random.ts';
import { issuesInline } from '../../lib/util/zod-issues.ts';

/** The API operations the emulator serves; faults can be limited to some of them. */
export const KUBE_OPERATIONS = [
  'list-nodes',
  'get-node',
  'patch-node',
  'put-node',
  'list-pods',
  'watch-pods',
  'get-pod',
  'delete-pod',
  'evict-pod',
  'list-pdbs',
  'get-pdb',
  'create-event',
  'patch-event',
  'list-events',
  'list-core-events',
  'get-core-event',
  'list-daemonsets',
  'get-daemonset',
  'list-replicasets',
  'get-replicaset',
  'list-statefulsets',
  'get-statefulset',
  'list-deployments',
  'get-deployment',
  'list-leases',
  'get-lease',
  /** /version, /api, /apis and the resource lists: what a client reads before anything else. */
  'discovery',
] as const;
export type KubeOperation = (typeof KUBE_OPERATIONS)[number];

export const faultOptionsSchema = z
  .object({
    /** Probability (0..1) that an eligible request fails. */
    rate: z.number().min(0).max(1),
    /**
     * What a failed request answers: an HTTP error status, answered with a Status body (429 and 503
     * carry Retry-After), or `reset` (the socket is destroyed before any answer).
     */
    statuses: z.array(z.union([z.number().int().min(400).max(599), z.literal('reset')])).min(1),
    /** Retry-After sent with 429 and 503, in seconds (default 1). */
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    /** Only these operations can fail (default: all). */
    only: z.array(z.enum(KUBE_OPERATIONS)).min(1).optional(),
  })
  .strict();
export type FaultOptions = z.input<typeof faultOptionsSchema>;

export type Fault = { kind: 'status'; status: number; retryAfterSeconds: number } | { kind: 'reset' };

/**
 * Decides which requests fail. The draw for a request depends only on the seed, the request line
 * and how many times that same request line was seen before, not on how concurrent requests
 * happened to interleave on the sockets: the same run gets the same faults.
 */
export class FaultInjector {
  private readonly options: z.output<typeof faultOptionsSchema>;
  private readonly seen = new Map<string, number>();

  constructor(options: FaultOptions, private readonly seed: number) {
    const parsed = faultOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new Error(`invalid kube emulator fault options: ${issuesInline(parsed.error, { value: options, at: ['faults'] })}`);
    }
    this.options = parsed.data;
  }

  decide(method: string, path: string, operation: KubeOperation | undefined): Fault | undefined {
    const { rate, statuses, retryAfterSeconds, only } = this.options;
    if (only && (operation === undefined || !only.includes(operation))) return undefined;
    const key = `${method} ${path}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    const random = mulberry32(fnv1a(`${this.seed}|${key}|${n}`));
    if (random() >= rate) return undefined;
    const pick = statuses[Math.floor(random() * statuses.length)]!;
    return pick === 'reset' ? { kind: 'reset' } : { kind: 'status', status: pick, retryAfterSeconds };
  }
}
