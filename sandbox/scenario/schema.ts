import { z } from 'zod';
import { drScenarioSchema } from '../dr/scenario.ts';
import { faultOptionsSchema, nodeSpecSchema, pdbSpecSchema, podSpecSchema } from '../kube/index.ts';

const clusterSchema = z
  .object({
    name: z.string().min(1),
    nodes: z.array(nodeSpecSchema).min(1),
    pods: z.array(podSpecSchema).default([]),
    pdbs: z.array(pdbSpecSchema).default([]),
    api: z
      .object({
        /** Added to every API request, in simulated milliseconds. */
        latencyMs: z.number().min(0).max(10_000).default(0),
        /** Injected API failures: rate, statuses (HTTP codes or `reset`), retryAfterSeconds, only (operations). */
        faults: faultOptionsSchema.optional(),
      })
      .strict()
      .prefault({}),
    /** A controller-owned pod comes back on another node this long after it is gone. */
    recreateDelaySeconds: z.number().min(0).optional(),
    /** ...and is Ready this long after that. */
    readyDelaySeconds: z.number().min(0).optional(),
  })
  .strict();

const stepSchema = z.union([
  z
    .object({
      /** Simulated seconds from the scenario start. */
      at: z.number().min(0),
      /**
       * An EventBridge event as AWS sends it. `version`, `id`, `account`, `region`, `time` and
       * `resources` may be left out: the runner fills them in (time = the moment of delivery).
       */
      event: z.record(z.string(), z.unknown()),
    })
    .strict(),
  z
    .object({
      at: z.number().min(0),
      /** The world acting on its own: this instance goes away now (its pods are killed). */
      terminateInstance: z.string().regex(/^i-[0-9a-f]{8}([0-9a-f]{9})?$/, 'an EC2 instance id'),
    })
    .strict(),
]);

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Wall-clock time the simulation starts at (ISO 8601). */
    start: z.iso.datetime({ offset: true }).default('2026-01-01T00:00:00Z'),
    /** Seeds every random choice (fault injection, backoff jitter): same seed, same timeline. */
    seed: z.number().int().default(1),
    /** Lifeguard's configuration for this run (the same format as lifeguard.config.yaml). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** The Kubernetes cluster and its interruption events. */
    cluster: clusterSchema.optional(),
    events: z.array(stepSchema).default([]),
    /** Simulated seconds the Kubernetes part runs for. */
    until: z.number().positive().max(86_400).default(180),
    /** EMR disaster recovery: clusters, subnets, target groups, triggers (see docs/scenarios.md). */
    emr: drScenarioSchema.optional(),
  })
  .strict()
  .refine((s) => s.cluster || s.emr, { message: 'a scenario needs a `cluster` (interruptions), an `emr` section (disaster recovery), or both' })
  .refine((s) => s.cluster || s.events.length === 0, { message: '`events` need a `cluster` to happen to', path: ['events'] });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = Scenario['events'][number];
