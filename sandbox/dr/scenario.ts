import { z } from 'zod';
import { RESUBMIT_STEPS } from '../../lib/config/dr.ts';
import { awsIdFormat, awsIdPattern } from '../../lib/util/aws-ids.ts';
import { ACTIONS_ON_FAILURE } from './emr-steps.ts';

/**
 * The `emr` section of a scenario file: EMR clusters (masters, zones, Hadoop health over time),
 * subnets, NLB target groups with their health-check timing, EMR provisioning time, injected
 * faults, and the failover triggers (several may fire at once).
 */

const seconds = z.number().min(0);
const ipv4 = z.string().regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'an IPv4 address');
const targetGroupArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]+\/[0-9a-f]+$/, 'an ELBv2 target group ARN');

const healthPointSchema = z
  .object({
    at: seconds,
    resourceManager: z.enum(['active', 'standby', 'stopped', 'down', 'hang']).default('active'),
    nameNode: z.enum(['active', 'standby', 'safemode', 'down', 'hang']).default('active'),
    livy: z.enum(['up', 'down', 'error', 'hang']).default('up'),
  })
  .strict();

const clusterId = z.string().regex(/^j-[A-Z0-9]+$/, 'an EMR cluster id such as j-2AXXXXXXGAPLF');
const masterSchema = z.object({ ip: ipv4, instanceId: z.string().regex(/^i-[0-9a-z]+$/, 'an EC2 instance id') }).strict();

/** Instances per group: one MASTER, `core` CORE, and a TASK group only when `task` is above 0. */
const instanceCounts = (core: number) =>
  z.object({ core: z.number().int().min(1).default(core), task: z.number().int().min(0).default(0) }).strict().prefault({});

/** EMR's ComputeLimits (camelCase here): the managed scaling policy's bounds, in `unitType` units. */
const managedScalingSchema = z
  .object({
    unitType: z.enum(['Instances', 'InstanceFleetUnits', 'VCPU']),
    minimumCapacityUnits: z.number().int().min(1),
    maximumCapacityUnits: z.number().int().min(1),
    maximumOnDemandCapacityUnits: z.number().int().min(0).optional(),
    maximumCoreCapacityUnits: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((m) => m.minimumCapacityUnits <= m.maximumCapacityUnits, { message: 'minimumCapacityUnits must not exceed maximumCapacityUnits', path: ['maximumCapacityUnits'] });

/** An instance type of a fleet: a name (weight 1) or the type with the units one instance counts for. */
const fleetInstanceType = z
  .union([z.string().min(1), z.object({ instanceType: z.string().min(1), weightedCapacity: z.number().int().min(1) }).strict()])
  .transform((t) => (typeof t === 'string' ? { instanceType: t, weightedCapacity: 1 } : t));

/** An instance fleet (EMR's InstanceFleetConfig, camelCase): target capacities in units of the types' weights. */
const instanceFleetSchema = z
  .object({
    type: z.enum(['MASTER', 'CORE', 'TASK']),
    name: z.string().min(1).optional(),
    instanceTypes: z.array(fleetInstanceType).min(1, 'at least one instance type'),
    onDemand: z.number().int().min(0).default(0),
    spot: z.number().int().min(0).default(0),
  })
  .strict();

type InstanceFleetSpec = z.output<typeof instanceFleetSchema>;

/** One CORE fleet, at most one TASK and one MASTER fleet (of capacity 1), as EMR takes them. */
function checkFleets(fleets: InstanceFleetSpec[], ctx: z.RefinementCtx): void {
  const of = (type: InstanceFleetSpec['type']) => fleets.flatMap((f, i) => (f.type === type ? [i] : []));
  const path = ['instanceFleets'];
  const core = of('CORE');
  if (core.length !== 1) ctx.addIssue({ code: 'custom', path, message: `exactly one CORE fleet, not ${core.length}` });
  for (const type of ['TASK', 'MASTER'] as const) {
    if (of(type).length > 1) ctx.addIssue({ code: 'custom', path, message: `at most one ${type} fleet, not ${of(type).length}` });
  }
  for (const i of of('MASTER')) {
    const f = fleets[i]!;
    if (f.onDemand + f.spot !== 1) ctx.addIssue({ code: 'custom', path: [...path, i, 'onDemand'], message: `a MASTER fleet has one instance: onDemand + spot must be 1, not ${f.onDemand + f.spot}` });
  }
  for (const i of core) {
    const f = fleets[i]!;
    if (f.onDemand + f.spot < 1) ctx.addIssue({ code: 'custom', path: [...path, i, 'onDemand'], message: 'the CORE fleet needs capacity: onDemand + spot must be 1 or more' });
  }
}

/** The fleets, MASTER first: the one given, or one On-Demand instance of the master instance type. */
function withMasterFleet(fleets: InstanceFleetSpec[], masterType: string): InstanceFleetSpec[] {
  const master = fleets.find((f) => f.type === 'MASTER') ?? { type: 'MASTER', instanceTypes: [{ instanceType: masterType, weightedCapacity: 1 }], onDemand: 1, spot: 0 };
  return [master, ...fleets.filter((f) => f !== master)];
}

/**
 * A warm standby: a small running cluster in another zone that a failover promotes (registers its
 * master, then grows it to the protected cluster's capacity) instead of creating one.
 */
const standbySchema = z
  .object({
    id: clusterId,
    subnetId: z.string().min(1),
    master: masterSchema,
    /** Hadoop health over time; before the first point, everything is up. */
    health: z.array(healthPointSchema).default([]),
    /** The world ends the standby at this time: TERMINATED_WITH_ERRORS. */
    failsAt: seconds.optional(),
    /** Its CORE and TASK instances; of an instance-fleet source, its CORE and TASK fleets' On-Demand units (no Spot). */
    instanceCounts: instanceCounts(1),
    /** From ModifyInstanceGroups or ModifyInstanceFleet until the added capacity runs. */
    resizeSeconds: seconds.default(300),
    /** dr.clusters[].standby.rearm: a failover creates the next standby in a third zone. */
    rearm: z.boolean().default(false),
    /**
     * Its master never passes the NLB health check although its services answer the probe (say its
     * security group does not admit the load balancer).
     */
    targetsNeverHealthy: z.boolean().default(false),
  })
  .strict();

/** A step on a cluster: it runs when the steps added before it are done (sandbox/dr/emr-steps.ts). */
const stepSchema = z
  .object({
    id: z.string().regex(/^s-[A-Z0-9]+$/, 'an EMR step id such as s-1A2B3C4D5E6F7').optional(),
    name: z.string().min(1).max(256),
    jar: z.string().min(1).default('command-runner.jar'),
    args: z.array(z.string()).default([]),
    mainClass: z.string().min(1).optional(),
    properties: z.record(z.string(), z.string()).optional(),
    actionOnFailure: z.enum(ACTIONS_ON_FAILURE).default('CONTINUE'),
    /** Simulated second it was added (negative: before the scenario starts). */
    submittedAt: z.number().default(-3600),
    /** How long it runs once started; a copy added to a replacement runs as long. */
    durationSeconds: z.number().min(1).default(300),
    /** It ends FAILED (and its ActionOnFailure applies) instead of COMPLETED. */
    fails: z.boolean().default(false),
  })
  .strict();

const clusterSchema = z
  .object({
    name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9\-_]*$/, 'letters, digits, - and _'),
    id: clusterId,
    subnetId: z.string().min(1),
    master: masterSchema,
    terminationProtected: z.boolean().default(true),
    /** The world ends the cluster on its own at this time (its zone went away): TERMINATED_WITH_ERRORS. */
    failsAt: seconds.optional(),
    /** Target groups that front this cluster's master (its IP is registered and healthy at start). */
    targetGroups: z.array(targetGroupArn).min(1, 'a protected cluster is fronted by at least one target group'),
    /** Hadoop health over time; before the first point, everything is up. */
    health: z.array(healthPointSchema).default([]),
    confirm: z
      .object({
        attempts: z.number().int().min(2).default(3),
        intervalSeconds: z.number().int().min(1).default(10),
        unhealthyToFail: z.number().int().min(2).default(3),
      })
      .strict()
      .prefault({}),
    /** Where a replacement may go; default: every other subnet of the scenario. */
    candidateSubnetIds: z.array(z.string()).optional(),
    /** A stored RunJobFlow request; without one the planner clones the running cluster. */
    runJobFlowTemplate: z.record(z.string(), z.unknown()).optional(),
    drill: z.object({ retireOldCluster: z.boolean().default(false) }).strict().prefault({}),
    /** Steps on the cluster, in the order they were added. */
    steps: z.array(stepSchema).default([]),
    /** What runs on the master: YARN applications and Livy sessions the probe sees while it is healthy. */
    running: z
      .object({
        yarnApplications: z.array(z.object({ id: z.string().regex(/^application_\d+_\d+$/, 'a YARN application id such as application_1767225600000_0001'), name: z.string().default('spark') }).strict()).default([]),
        livySessions: z
          .array(
            z
              .object({
                id: z.number().int().min(0),
                kind: z.enum(['spark', 'pyspark', 'sparkr', 'sql']).default('pyspark'),
                state: z.enum(['not_started', 'starting', 'idle', 'busy', 'shutting_down', 'error', 'dead', 'killed', 'success']).default('idle'),
                appId: z.string().optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .optional(),
    /** What the cluster was made with, as DescribeCluster and its lists give it (what `lifeguard audit --emr` reads). */
    made: z
      .object({
        /** EMR Configurations: `{ Classification, Properties, Configurations }`. */
        configurations: z.array(z.record(z.string(), z.unknown())).default([]),
        bootstrapActions: z.array(z.object({ name: z.string().min(1), path: z.string().min(1), args: z.array(z.string()).default([]) }).strict()).default([]),
        applications: z.array(z.string().min(1)).default(['Hadoop', 'Spark', 'Livy', 'Hive']),
        instanceTypes: z.object({ master: z.string().default('m5.xlarge'), core: z.string().default('r5.2xlarge') }).strict().prefault({}),
        /** Instances per group (the TASK group, of the core instance type, exists when `task` is above 0). */
        instanceCounts: instanceCounts(2),
        /**
         * Given: an instance-fleet cluster with these fleets (ListInstanceFleets), and instanceTypes
         * and instanceCounts do not shape its instances (except a MASTER fleet left out: one On-Demand
         * instance of instanceTypes.master).
         */
        instanceFleets: z.array(instanceFleetSchema).optional(),
        /** Its managed scaling policy (GetManagedScalingPolicy); none by default. */
        managedScaling: managedScalingSchema.optional(),
        /** The cluster's own roles (names); by default the ones the configuration's defaults name. */
        serviceRole: z.string().default('EMR_DefaultRole'),
        instanceProfile: z.string().default('EMR_EC2_DefaultRole'),
        autoScalingRole: z.string().optional(),
      })
      .strict()
      .superRefine((m, ctx) => {
        if (m.instanceFleets) checkFleets(m.instanceFleets, ctx);
      })
      .transform((m) => ({ ...m, instanceFleets: m.instanceFleets && withMasterFleet(m.instanceFleets, m.instanceTypes.master) }))
      .prefault({}),
    /** dr.clusters[].standby: the cluster's warm standby, running from the start. */
    standby: standbySchema.optional(),
    /** dr.clusters[].resubmitSteps: which steps a failover carries over. */
    resubmitSteps: z.enum(RESUBMIT_STEPS).default('none'),
    /** The health alarm (dr.clusters[].alarm): its evaluation window counts in the RTO. */
    alarm: z
      .object({ periodSeconds: z.number().int().min(10).optional(), evaluationPeriods: z.number().int().min(1).optional(), datapointsToAlarm: z.number().int().min(1).optional() })
      .strict()
      .optional(),
    /** The roles the configuration names (dr.clusters[].roles); the defaults are the ones the sandbox's clusters use. */
    roles: z
      .object({
        service: z.string().default('arn:aws:iam::123456789012:role/EMR_DefaultRole'),
        instance: z.string().default('arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole'),
        instanceProfile: z.string().optional(),
        autoScaling: z.string().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const subnetSchema = z
  .object({
    id: z.string().regex(awsIdPattern('subnet'), awsIdFormat('subnet', 'subnet')),
    zone: z.string().min(1),
    vpcId: z.string().default('vpc-0sandbox0000000'),
    /** First three octets of the addresses handed out in this subnet. */
    cidrPrefix: z.string().regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'three octets such as 10.0.2'),
    tags: z.record(z.string(), z.string()).default({}),
    freeAddresses: z.number().int().min(0).default(250),
  })
  .strict();

const targetGroupSchema = z
  .object({
    arn: targetGroupArn,
    port: z.number().int().min(1).max(65535),
    healthCheck: z
      .object({
        intervalSeconds: z.number().int().min(5).max(300).default(10),
        healthyThreshold: z.number().int().min(2).max(10).default(3),
        unhealthyThreshold: z.number().int().min(2).max(10).default(3),
        /** Offset of the group's check schedule from the scenario start (checks do not wait for a registration). */
        phaseSeconds: z.number().min(0).default(0),
        /** The port the check probes: the target's own (`traffic-port`) or a fixed one. */
        port: z.union([z.literal('traffic-port'), z.number().int().min(1).max(65535)]).default('traffic-port'),
      })
      .strict()
      .prefault({}),
    deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(30),
    /**
     * From RegisterTargets until the group starts checking the new target. ELB: "It can take a few
     * minutes for the registration process to complete and health checks to start" (Network Load
     * Balancer guide, Register targets). 0 by default: a run's figures then show Lifeguard's own time.
     */
    registrationSeconds: z.number().int().min(0).max(900).default(0),
  })
  .strict();

const faultSchema = z
  .object({
    service: z.enum(['emr', 'elbv2', 'ec2', 'dynamodb', 'events']),
    /** API action, PascalCase: DescribeCluster, RegisterTargets, ... */
    action: z.string().regex(/^[A-Z][A-Za-z]+$/, 'an API action such as DescribeCluster'),
    times: z.number().int().min(1).default(1),
    /** API error code; default ThrottlingException. */
    error: z.string().optional(),
    /** Only calls by this caller: the state machine's Task states, the plan Lambda, the probes, or the steps Lambda. */
    caller: z.enum(['stateMachine', 'planner', 'probe', 'steps']).optional(),
    /** Only calls made at or after this simulated second ... */
    from: seconds.optional(),
    /** ... and before this one. */
    until: seconds.optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.until === undefined || f.from < f.until, { message: 'from must be before until', path: ['until'] });

const triggerSchema = z
  .object({
    at: seconds,
    /** Configured cluster name or j-ID; default: the first cluster. */
    cluster: z.string().optional(),
    mode: z.enum(['failover', 'drill']).default('failover'),
    dryRun: z.boolean().optional(),
    retireOldCluster: z.boolean().optional(),
    /** The execution's own resubmitSteps (a drill carries none without it). */
    resubmitSteps: z.enum(RESUBMIT_STEPS).optional(),
    /**
     * failover only: the alarm changed state this long before its event started the execution
     * (EventBridge delivery, retries). The trigger carries the alarm's time, as the deployed rule does.
     */
    alarmDelaySeconds: seconds.default(0),
  })
  .strict()
  .refine((t) => t.mode === 'failover' || t.alarmDelaySeconds === 0, { message: 'only a failover trigger comes from the alarm', path: ['alarmDelaySeconds'] });

export const drScenarioSchema = z
  .object({
    clusters: z.array(clusterSchema).min(1, 'at least one EMR cluster'),
    subnets: z.array(subnetSchema).min(2, 'at least two subnets (a replacement needs another zone)'),
    /** Zones EC2 reports as impaired (the outage). */
    impairedZones: z.array(z.string()).default([]),
    targetGroups: z.array(targetGroupSchema).min(1),
    /** Instance types EC2 offers per zone (DescribeInstanceTypeOfferings); a zone left out offers every type. */
    instanceTypeOfferings: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
    /**
     * EC2 capacity over time: from `from` until `until` (scenario seconds; default the whole run)
     * the zone has none of the instance type. A replacement that needs it there (an instance fleet:
     * when every type of a fleet is short) fails as EMR reports it: `terminate` (default), the
     * cluster ends TERMINATED_WITH_ERRORS `afterSeconds` after RunJobFlow with `code`; `reject`,
     * RunJobFlow's ValidationException; `stall`, the cluster stays STARTING while EMR keeps asking
     * EC2 (until the shortage ends, then it provisions as usual).
     */
    capacity: z
      .array(
        z
          .object({
            zone: z.string().min(1),
            instanceType: z.string().min(1),
            from: seconds.default(0),
            until: seconds.optional(),
            failure: z.enum(['terminate', 'reject', 'stall']).default('terminate'),
            code: z.enum(['VALIDATION_ERROR', 'INSTANCE_FAILURE', 'INSTANCE_FLEET_TIMEOUT']).default('VALIDATION_ERROR'),
            afterSeconds: z.number().min(1).default(120),
          })
          .strict()
          .refine((c) => c.until === undefined || c.from < c.until, { message: 'from must be before until', path: ['until'] }),
      )
      .default([]),
    /** The NLB in front of every target group. */
    loadBalancer: z
      .object({
        /** The zones it has enabled (default: every subnet's zone). A target elsewhere stays `unused`. */
        zones: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .prefault({}),
    emr: z
      .object({
        provisioningSeconds: z.number().min(60).default(600),
        /** From ModifyInstanceGroups or ModifyInstanceFleet until the added capacity runs, on a cluster that is not a standby (a standby has its own). */
        resizeSeconds: seconds.default(300),
        /**
         * A failure that is not capacity (another zone fails the same way): reject, RunJobFlow's
         * ValidationException; terminate, the new cluster ends TERMINATED_WITH_ERRORS mid-way with BOOTSTRAP_FAILURE.
         */
        createFailure: z.enum(['reject', 'terminate']).optional(),
        /**
         * Hadoop health over time of the clusters the run creates, in creation order (the first
         * replacement gets the first entry); `at` is scenario time. Before its first point, or
         * without an entry, a replacement is healthy once it is WAITING.
         */
        replacements: z.array(z.object({ health: z.array(healthPointSchema).default([]) }).strict()).default([]),
      })
      .strict()
      .prefault({}),
    /** The new master never passes the NLB health check. */
    newTargetsNeverHealthy: z.boolean().default(false),
    faults: z.array(faultSchema).default([]),
    triggers: z.array(triggerSchema).default([]),
    /**
     * Run the deployed trigger path: the scheduled probe every minute, each cluster's alarm as
     * CloudWatch evaluates it, and a failover execution for each change to ALARM, delivered
     * `deliveryDelaySeconds` after the alarm's state change. The run then lasts until `until`.
     */
    alarms: z.object({ deliveryDelaySeconds: seconds.default(0) }).strict().optional(),
    /** Simulated seconds after which unfinished executions are stopped. */
    until: z.number().min(1).default(3600),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (!spec.triggers.length && !spec.alarms) {
      ctx.addIssue({ code: 'custom', path: ['triggers'], message: 'at least one trigger, or `alarms` to let the clusters\' alarms start failovers' });
    }
    const subnets = new Set(spec.subnets.map((s) => s.id));
    const groups = new Set(spec.targetGroups.map((g) => g.arn));
    spec.clusters.forEach((c, i) => {
      if (!subnets.has(c.subnetId)) ctx.addIssue({ code: 'custom', path: ['clusters', i, 'subnetId'], message: `'${c.subnetId}' is not one of the subnets` });
      if (c.standby && !subnets.has(c.standby.subnetId)) {
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'standby', 'subnetId'], message: `'${c.standby.subnetId}' is not one of the subnets` });
      }
      c.targetGroups.forEach((arn, j) => {
        if (!groups.has(arn)) ctx.addIssue({ code: 'custom', path: ['clusters', i, 'targetGroups', j], message: `'${arn}' is not one of the targetGroups` });
      });
    });
    // A standby is a cluster of its own: its j-ID may not be another cluster's.
    const owners = new Map(spec.clusters.map((c, i) => [c.id, `clusters.${i}.id`]));
    spec.clusters.forEach((c, i) => {
      if (!c.standby) return;
      const taken = owners.get(c.standby.id);
      if (taken) ctx.addIssue({ code: 'custom', path: ['clusters', i, 'standby', 'id'], message: `'${c.standby.id}' is already ${taken}: give the standby its own cluster id` });
      else owners.set(c.standby.id, `clusters.${i}.standby.id`);
    });
    const names = new Set(spec.clusters.flatMap((c) => [c.name, c.id]));
    spec.triggers.forEach((t, i) => {
      if (t.cluster && !names.has(t.cluster)) ctx.addIssue({ code: 'custom', path: ['triggers', i, 'cluster'], message: `'${t.cluster}' is not one of the clusters` });
    });
  });

export type DrScenarioSpec = z.input<typeof drScenarioSchema>;
export type DrScenario = z.output<typeof drScenarioSchema>;
