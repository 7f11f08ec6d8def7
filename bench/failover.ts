import { pathToFileURL } from 'node:url';
import { VirtualClock } from '../sandbox/clock/virtual-clock.ts';
import { demoDrScenario } from '../sandbox/dr/demo-scenario.ts';
import { runFailoverScenario } from '../sandbox/dr/runner.ts';

/**
 * Orchestration overhead of a simulated failover: the RTO minus what no orchestrator can avoid
 * (EMR provisioning, the NLB's interval × healthy-threshold). Lifeguard polls DescribeCluster every
 * 15 s; the baseline is `createCluster.sync`, whose status checks come 60 s after the request and
 * every 300 s after that, so it notices WAITING up to 5 minutes late. Both share everything after
 * the cluster is ready (the baseline is Lifeguard's own run with the create phase re-timed).
 */

// Deliberately not multiples of the poll intervals: real clusters do not finish on a poll tick.
const PROVISIONING_SECONDS = [427, 512, 603, 688, 781, 904];
/** Health checks run on the group's own schedule, not from the registration. */
const HEALTH_CHECK_PHASE_SECONDS = [0, 3, 7];
/** demoDrScenario's target groups: every 10 s, 3 healthy checks. */
const HEALTH_CHECK_SECONDS = 10 * 3;

/** When createCluster.sync would see a cluster that became ready `ready` seconds after the request. */
export function syncNoticesAt(ready: number): number {
  if (ready <= 60) return 60;
  return 60 + Math.ceil((ready - 60) / 300) * 300;
}

export async function benchFailover(): Promise<Record<string, number | string>> {
  const ours: number[] = [];
  const baseline: number[] = [];
  const wallMs: number[] = [];
  for (const [i, provisioningSeconds] of PROVISIONING_SECONDS.entries()) {
    const demo = demoDrScenario('bench');
    const phaseSeconds = HEALTH_CHECK_PHASE_SECONDS[i % HEALTH_CHECK_PHASE_SECONDS.length]!;
    const spec = {
      ...demo,
      emr: { provisioningSeconds },
      targetGroups: demo.targetGroups.map((g) => ({ ...g, healthCheck: { ...g.healthCheck, phaseSeconds } })),
    };
    const started = performance.now();
    const result = await runFailoverScenario(spec, { clock: new VirtualClock() });
    wallMs.push(performance.now() - started);
    const execution = result.executions[0];
    if (execution?.outcome !== 'FailoverCompleted' || !result.phases || result.rtoSeconds === null) {
      throw new Error(`bench failover with ${provisioningSeconds}s provisioning did not complete: ${execution?.outcome ?? 'no execution'}`);
    }
    // The alarm's evaluation window (0 for a drill) is no orchestrator's to shorten either.
    const unavoidable = provisioningSeconds + HEALTH_CHECK_SECONDS + result.phases.alarm;
    ours.push(result.rtoSeconds - unavoidable);
    const baselineRto = result.rtoSeconds - result.phases.create + syncNoticesAt(provisioningSeconds);
    baseline.push(baselineRto - unavoidable);
  }
  const throttled = await throttledRtoCost();
  const paths = await coldVsStandby();
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
  const oursMean = mean(ours);
  const baselineMean = mean(baseline);
  return {
    scenarios: PROVISIONING_SECONDS.length,
    provisioningSeconds: PROVISIONING_SECONDS.join(','),
    healthCheckSeconds: HEALTH_CHECK_SECONDS,
    overheadSecondsMean: oursMean,
    overheadSecondsMax: Math.max(...ours),
    syncBaselineOverheadSecondsMean: baselineMean,
    syncBaselineOverheadSecondsMax: Math.max(...baseline),
    baselineToLifeguardRatio: oursMean > 0 ? Math.round((baselineMean / oursMean) * 10) / 10 : 'inf',
    wallMsPerSimulatedFailover: Math.round(mean(wallMs)),
    throttledRtoExtraSeconds: throttled,
    ...paths,
  };
}

const RTO_PHASE_NAMES = ['alarm', 'detect', 'create', 'register', 'healthy', 'retire'] as const;

/**
 * The same zone outage failed over twice, in one run: cold (a replacement created in another zone)
 * and to a warm standby in another zone, each at every health-check phase. The alarm's evaluation
 * window (3 breaching minutes) is reported on its own; `restoredAfterConfirmationSeconds` is
 * confirmation to the new master healthy in every target group (create + register + healthy).
 */
async function coldVsStandby(): Promise<Record<string, number>> {
  return { ...(await coldVsStandbyWith(0, '')), ...(await coldVsStandbyWith(NLB_REGISTRATION_SECONDS, `registration${NLB_REGISTRATION_SECONDS}.`)) };
}

/**
 * What the NLB's own registration process adds on a real account (ELB: "a few minutes for the
 * registration process to complete and health checks to start"; 180 s is the low end AWS support
 * quotes for NLB target registration). It counts on both paths.
 */
const NLB_REGISTRATION_SECONDS = 180;

async function coldVsStandbyWith(registrationSeconds: number, prefix: string): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const path of ['cold', 'standby'] as const) {
    const runs: Array<Record<string, number>> = [];
    for (const phaseSeconds of HEALTH_CHECK_PHASE_SECONDS) {
      const demo = demoDrScenario('bench');
      const spec = {
        ...demo,
        clusters: demo.clusters.map((c) => ({
          ...c,
          health: [{ at: 30, resourceManager: 'down' as const, nameNode: 'down' as const, livy: 'down' as const }],
          ...(path === 'standby' ? { standby: { id: 'j-3BSTANDBY0001', subnetId: 'subnet-0bbb2222', master: { ip: '10.0.2.20', instanceId: 'i-0bbb2222cccc3333d' } } } : {}),
        })),
        impairedZones: ['us-east-1a'],
        targetGroups: demo.targetGroups.map((g) => ({ ...g, registrationSeconds, healthCheck: { ...g.healthCheck, phaseSeconds } })),
        triggers: [{ at: 200, mode: 'failover' as const, alarmDelaySeconds: 5 }],
      };
      const result = await runFailoverScenario(spec, { clock: new VirtualClock() });
      const report = (result.executions[0]?.output as { report?: { path?: string } } | undefined)?.report;
      if (!result.phases || result.rtoSeconds === null || report?.path !== path) {
        throw new Error(`bench ${path} failover did not complete on the ${path} path: ${result.executions[0]?.outcome ?? 'no execution'}`);
      }
      const p = result.phases;
      runs.push({ ...p, restoredAfterConfirmationSeconds: p.create + p.register + p.healthy, rtoSeconds: result.rtoSeconds });
    }
    for (const key of [...RTO_PHASE_NAMES, 'restoredAfterConfirmationSeconds', 'rtoSeconds']) {
      figures[`${prefix}${path}.${key}`] = Math.round((runs.reduce((sum, r) => sum + r[key]!, 0) / runs.length) * 10) / 10;
    }
  }
  figures[`${prefix}standbyToColdRestoreRatio`] = Math.round((figures[`${prefix}standby.restoredAfterConfirmationSeconds`]! / figures[`${prefix}cold.restoredAfterConfirmationSeconds`]!) * 1000) / 1000;
  return figures;
}

/**
 * What throttling costs: every AWS call the planner and the state machine make throttled twice
 * first, retried with the Lambdas' SDK settings and the states' Retry policies (back-offs at their
 * jitter's mean, on the simulated clock), against the same run without faults.
 */
async function throttledRtoCost(): Promise<number> {
  const calls = {
    planner: ['emr:DescribeCluster', 'emr:ListInstances', 'emr:ListInstanceGroups', 'emr:ListBootstrapActions', 'emr:GetAutoTerminationPolicy', 'emr:GetManagedScalingPolicy', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones', 'elbv2:DescribeTargetGroups', 'elbv2:DescribeTargetHealth', 'elbv2:DescribeLoadBalancers'],
    stateMachine: ['emr:RunJobFlow', 'emr:DescribeCluster', 'emr:ListInstances', 'elbv2:RegisterTargets', 'elbv2:DescribeTargetHealth', 'elbv2:DeregisterTargets', 'dynamodb:PutItem'],
  } as const;
  const faults = Object.entries(calls).flatMap(([caller, list]) =>
    list.map((call) => {
      const [service, action] = call.split(':') as ['emr' | 'ec2' | 'elbv2' | 'dynamodb', string];
      return { service, action, caller: caller as 'planner' | 'stateMachine', times: 2 };
    }),
  );
  const rto = async (withFaults: boolean) => {
    const result = await runFailoverScenario({ ...demoDrScenario('bench'), ...(withFaults ? { faults } : {}) }, { clock: new VirtualClock() });
    if (result.rtoSeconds === null) throw new Error('bench failover under throttling did not complete');
    return result.rtoSeconds;
  };
  return Math.round(((await rto(true)) - (await rto(false))) * 10) / 10;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchFailover();
  console.log('failover orchestration overhead (RTO − EMR provisioning − NLB health checks) and cold vs standby RTO, simulated:');
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(34)} ${value}`);
}
