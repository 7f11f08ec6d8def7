import { findEmrCluster } from '../lib/config/dr.ts';
import { formatIssues } from '../lib/util/zod-issues.ts';
import { readEmrCluster } from '../lib/audit/dr/read-emr.ts';
import type { EmrAuditInput } from '../lib/audit/dr/types.ts';
import { sandboxDrConfig } from '../sandbox/dr/runner.ts';
import { drScenarioSchema } from '../sandbox/dr/scenario.ts';
import { sandboxEc2Client, sandboxElbv2Client, sandboxEmrClient } from '../sandbox/dr/sdk-clients.ts';
import { CallLog, type CallRecord } from '../sandbox/dr/service-error.ts';
import { buildDrWorld, buildLoadBalancing, ec2Call } from '../sandbox/dr/world.ts';
import { InputError, readDocument } from './read-document.ts';

/**
 * A DR scenario's clusters, audited exactly as real ones: the scenario's `emr` section becomes the
 * in-memory EMR, EC2 and ELBv2 at the scenario's start, and the audit reads them through the same
 * AWS SDK clients it uses against an account. Nothing runs; every call is recorded.
 */
export async function auditEmrScenario(file: string, clusterId?: string): Promise<{ inputs: EmrAuditInput[]; calls: CallRecord[] }> {
  const doc = readDocument(file) as Record<string, unknown> | null;
  const section = (doc && typeof doc === 'object' ? (doc.emr ?? doc) : undefined) as Record<string, unknown> | undefined;
  if (!doc || typeof doc !== 'object' || !section || !('clusters' in section)) throw new InputError(`${file}: emr: missing (got nothing): the DR audit needs the scenario's EMR clusters`);
  // The audit reads the world as it stands: no trigger is needed.
  const spec = { ...section, triggers: [], alarms: section.alarms ?? { deliveryDelaySeconds: 0 } };
  const parsed = drScenarioSchema.safeParse(spec);
  if (!parsed.success) throw new InputError(`${file}: not a valid emr scenario (docs/scenarios.md):\n${formatIssues(parsed.error, spec, drScenarioSchema)}`);
  const scenario = parsed.data;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const log = new CallLog(() => 0);
  const { ec2, emr } = buildDrWorld(scenario, { t0, now: () => t0, log });
  const elbv2 = buildLoadBalancing(scenario, { t0, now: () => t0, log, ec2, serving: () => true });
  const options = { sleep: async () => undefined, park: (p: Promise<void>) => p };
  const clients = {
    emr: sandboxEmrClient((action, input) => emr.call(action, input, 'planner'), options),
    ec2: sandboxEc2Client((action, input) => ec2Call(ec2, action, input, 'planner'), options),
    elbv2: sandboxElbv2Client((action, input) => elbv2.call(action, input, 'planner'), options),
  };
  const dr = sandboxDrConfig(scenario);
  let clusters = dr.clusters;
  if (clusterId !== undefined) {
    try {
      clusters = [findEmrCluster(dr, clusterId)];
    } catch (err) {
      throw new InputError(`--emr: ${(err as Error).message.replace('under dr.clusters', `in ${file}`)}`);
    }
  }
  const inputs: EmrAuditInput[] = [];
  for (const cluster of clusters) inputs.push(await readEmrCluster(clients, cluster.clusterId, cluster));
  return { inputs, calls: log.calls };
}
