import { z } from 'zod';
import { awsIdFormat, awsIdPattern } from '../util/aws-ids.ts';
import { ConfigError } from './errors.ts';

/**
 * EMR clusters under disaster-recovery protection: where to probe them, where a replacement may
 * go, which NLB target groups front the master, and how the alarm and drills behave.
 */

const port = z.number().int().min(1).max(65535);

/** The confirm Lambda runs for 30 s (deploy/dr-functions.ts): a probe must answer well inside it. */
export const PROBE_MAX_TOTAL_TIMEOUT_MS = 25_000;

const probeSchema = z
  .object({
    /**
     * The NLB's DNS name (it follows a failover). Without it the probe asks the target groups which
     * master they route to now. A fixed master IP is refused: after a failover it would keep
     * probing the dead master and fail the healthy replacement over.
     */
    address: z.string().min(1, 'the NLB DNS name to probe').optional(),
    ports: z
      .object({
        resourceManager: port.default(8088),
        nameNode: port.default(9870),
        livy: port.default(8998),
      })
      .strict()
      .prefault({}),
    /** Time allowed until the response headers arrive (connection + server think time). */
    connectTimeoutMs: z.number().int().min(50).max(PROBE_MAX_TOTAL_TIMEOUT_MS).default(2_000),
    /** Time allowed for the whole request, body included; must fit in the probe Lambdas' own timeouts. */
    totalTimeoutMs: z.number().int().min(50).max(PROBE_MAX_TOTAL_TIMEOUT_MS).default(5_000),
    /** The state machine's confirm step: probe this many times, this far apart. */
    confirm: z
      .object({
        attempts: z.number().int().min(2).max(20).default(3),
        intervalSeconds: z.number().int().min(1).max(600).default(10),
        /** Unhealthy verdicts (of `attempts`) needed to fail over: a single blip never does. */
        unhealthyToFail: z.number().int().min(2, 'at least 2: a single failed probe must never fail a cluster over').max(20).default(3),
      })
      .strict()
      .prefault({})
      .refine((c) => c.unhealthyToFail <= c.attempts, {
        message: 'unhealthyToFail cannot exceed attempts',
        path: ['unhealthyToFail'],
      })
      // The execution has 90 min; creation may poll 40 and the health checks 15 of them. A timed-out
      // execution cleans nothing up, so confirmation must leave that room.
      .refine((c) => c.attempts * c.intervalSeconds <= 1200, {
        message: 'attempts × intervalSeconds must be at most 1200 s, so a failover fits in the state machine\'s 90 min',
        path: ['intervalSeconds'],
      }),
  })
  .strict()
  .refine((p) => p.connectTimeoutMs <= p.totalTimeoutMs, {
    message: 'connectTimeoutMs cannot exceed totalTimeoutMs',
    path: ['connectTimeoutMs'],
  });

const targetGroupSchema = z
  .object({
    arn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]+\/[0-9a-f]+$/,
        'an ELBv2 target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)',
      ),
    /** Port the master is registered on; defaults to the target group's own port. */
    port: port.optional(),
  })
  .strict();

const subnetId = z.string().regex(awsIdPattern('subnet'), awsIdFormat('subnet', 'subnet'));

const placementSchema = z
  .object({
    /** Subnets a replacement may use, in order of preference. */
    candidateSubnetIds: z.array(subnetId).default([]),
    /** Or: any subnet of the cluster's VPC carrying all these tags. */
    subnetTags: z.record(z.string().min(1), z.string()).default({}),
  })
  .strict()
  .refine((p) => p.candidateSubnetIds.length > 0 || Object.keys(p.subnetTags).length > 0, {
    message: 'name candidateSubnetIds or subnetTags: a replacement needs somewhere to go',
  });

/**
 * A stored RunJobFlow request (AWS API shape). Only the fields Lifeguard relies on are checked
 * here; EMR validates the rest when the replacement is created.
 */
export const runJobFlowTemplateSchema = z
  .object({
    Name: z.string().min(1).max(256),
    Instances: z.record(z.string(), z.unknown()),
  })
  .loose();

const alarmSchema = z
  .object({
    periodSeconds: z.union([z.literal(10), z.literal(30), z.number().int().min(60).multipleOf(60)]).default(60),
    evaluationPeriods: z.number().int().min(1).max(100).default(3),
    datapointsToAlarm: z.number().int().min(1).max(100).default(3),
    /** Other CloudWatch alarms (by name) whose ALARM state also starts this cluster's failover. */
    triggerAlarmNames: z.array(z.string().min(1).max(255)).default([]),
  })
  .strict()
  .prefault({})
  .refine((a) => a.datapointsToAlarm <= a.evaluationPeriods, {
    message: 'datapointsToAlarm cannot exceed evaluationPeriods',
    path: ['datapointsToAlarm'],
  });

const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)');

/**
 * The roles a replacement's RunJobFlow passes. The state machine may pass exactly these (each to
 * its own service principal) and the plan refuses a request naming any other.
 */
const rolesSchema = z
  .object({
    /** RunJobFlow `ServiceRole`, passed to EMR. */
    service: roleArn,
    /** The role inside the instance profile (`JobFlowRole`), passed to EC2. */
    instance: roleArn,
    /** The instance profile's name, when it differs from the instance role's name. */
    instanceProfile: z.string().min(1).max(128).optional(),
    /** RunJobFlow `AutoScalingRole` (automatic scaling policies), passed to Application Auto Scaling. */
    autoScaling: roleArn.optional(),
  })
  .strict();

/**
 * Which of the old cluster's steps a failover adds to the replacement (AddJobFlowSteps, original
 * order): none; those still waiting to run; or those and the ones that were running, which start
 * again from the beginning.
 */
export const RESUBMIT_STEPS = ['none', 'pending', 'pending-and-running'] as const;
export type ResubmitSteps = (typeof RESUBMIT_STEPS)[number];

const drillSchema = z
  .object({
    /** A drill keeps the old cluster unless told otherwise. */
    retireOldCluster: z.boolean().default(false),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .prefault({});

export const emrClusterSchema = z
  .object({
    /** Logical name used in state machine input, metrics and alarms. */
    name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9\-_]*$/, 'letters, digits, - and _'),
    /** The running cluster (j-XXXXXXXX). */
    clusterId: z.string().regex(/^j-[A-Z0-9]+$/, 'an EMR cluster id such as j-2AXXXXXXGAPLF'),
    probe: probeSchema,
    targetGroups: z.array(targetGroupSchema).default([]),
    placement: placementSchema,
    runJobFlowTemplate: runJobFlowTemplateSchema.optional(),
    roles: rolesSchema,
    /** Steps carried over at failover (a drill carries none unless its input asks). */
    resubmitSteps: z.enum(RESUBMIT_STEPS).default('none'),
    alarm: alarmSchema,
    drill: drillSchema,
    /** A running standby cluster in another zone that a failover promotes and grows; `rearm` creates the next one. */
    standby: z.object({ clusterId: z.string().regex(/^j-[A-Z0-9]+$/, 'an EMR cluster id such as j-2AXXXXXXGAPLF'), rearm: z.boolean().default(false) }).strict().optional(),
  })
  .strict()
  .superRefine((cluster, ctx) => {
    const address = cluster.probe.address;
    if (address === undefined && cluster.targetGroups.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['probe', 'address'], message: 'give the NLB DNS name, or targetGroups so the probe can find the master they route to' });
    }
    // Loopback is a local test server, never a master.
    if (address !== undefined && /^\d{1,3}(\.\d{1,3}){3}$/.test(address) && !address.startsWith('127.')) {
      ctx.addIssue({
        code: 'custom',
        path: ['probe', 'address'],
        message: `'${address}' is a fixed master address, which a failover leaves behind: give the NLB DNS name, or leave it out to probe the master the target groups route to`,
      });
    }
  });

export const drConfigSchema = z
  .object({
    clusters: z
      .array(emrClusterSchema)
      .default([])
      .superRefine((clusters, ctx) => {
        const seen = new Map<string, number>();
        clusters.forEach((c, i) => {
          for (const key of [c.name, c.clusterId]) {
            const first = seen.get(key);
            if (first !== undefined && first !== i) {
              ctx.addIssue({ code: 'custom', path: [i], message: `'${key}' is already used by clusters.${first}` });
            }
            seen.set(key, i);
          }
        });
      }),
  })
  .strict()
  .prefault({});

export type DrConfig = z.infer<typeof drConfigSchema>;
export type EmrClusterConfig = z.infer<typeof emrClusterSchema>;
export type EmrRoles = z.infer<typeof rolesSchema>;
export type RunJobFlowTemplate = z.infer<typeof runJobFlowTemplateSchema>;

/** The configured cluster with this name or j-ID; throws naming the configured ones otherwise. */
export function findEmrCluster(dr: DrConfig, nameOrId: string): EmrClusterConfig {
  const found = dr.clusters.find((c) => c.name === nameOrId || c.clusterId === nameOrId);
  if (found) return found;
  const known = dr.clusters.map((c) => `${c.name} (${c.clusterId})`).join(', ') || 'none';
  throw new ConfigError(`EMR cluster '${nameOrId}' is not configured under dr.clusters (configured: ${known})`);
}
