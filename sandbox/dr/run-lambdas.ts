import type { DrConfig } from '../../lib/config/dr.ts';
import { carrySteps } from '../../lib/dr/carry-steps.ts';
import type { ValidateEvent } from '../../lib/dr/execution.ts';
import { lastSeenItem, type LastSeen } from '../../lib/dr/last-seen.ts';
import { makePlanHandler } from '../../lib/dr/plan-handler.ts';
import { probeCluster } from '../../lib/dr/probe.ts';
import { DR_SDK_MAX_ATTEMPTS, PROBE_SDK_MAX_ATTEMPTS } from '../../lib/dr/sdk-retry.ts';
import { probeAddressResolver } from '../../lib/dr/serving-master.ts';
import { silentLog } from '../../lib/observability/log.ts';
import { attemptHandler } from '../../functions/dr-attempt.ts';
import { makeProbeHandlers } from '../../functions/dr-probe.ts';
import { reportHandler } from '../../functions/dr-report.ts';
import { makeValidateHandler } from '../../functions/dr-validate.ts';
import type { FailoverResourceRefs } from '../../statemachines/failover.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import type { HadoopEmulator } from '../hadoop/emulator.ts';
import type { LocalHandler } from './local-definition.ts';
import { masterNetwork } from './master-network.ts';
import type { RunWorld } from './run-world.ts';
import { sandboxEc2Client, sandboxElbv2Client, sandboxEmrClient } from './sdk-clients.ts';
import type { Caller } from './service-error.ts';
import { ec2Call } from './world.ts';

/**
 * The DR Lambdas a run binds: the handlers' own code (minus the middy wiring), their SDK clients
 * answered by the run's world, their probes reaching its Hadoop emulators. The planner is called
 * directly: its handler module logs to stdout, which would interleave with `--json` output.
 */

export interface RunLambdasDeps {
  dr: DrConfig;
  clock: VirtualClock;
  world: RunWorld;
  /** Emulators by cluster id; the caller closes them. */
  emulators: Map<string, HadoopEmulator>;
  refs: FailoverResourceRefs;
}

export interface RunLambdas {
  /** The Task states' functions, by the ARN the definition invokes. */
  lambdas: Record<string, LocalHandler>;
  /** The scheduled probe (the modelled alarms' data). */
  scheduledProbe: ReturnType<typeof makeProbeHandlers>['scheduled'];
}

export function bindRunLambdas(deps: RunLambdasDeps): RunLambdas {
  const { dr, clock, refs } = deps;
  const clientsFor = sdkClientsFor(deps);
  const sdk = clientsFor('planner');
  const stepsEmr = clientsFor('steps').emr;
  const probeHandlersFor = probeHandlersOf(deps, clientsFor);
  const probeHandlers = probeHandlersFor('probe');
  const confirmHandlers = probeHandlersFor('confirm');
  const validate = makeValidateHandler(dr);
  const plan = makePlanHandler({ log: silentLog, deps: () => ({ config: dr, ...sdk, now: () => clock.now() }) });
  const lambdas: Record<string, LocalHandler> = {
    [String(refs.validateFunction)]: async (event) => validate(event as ValidateEvent),
    // A Lambda's work is tracked on the clock: time waits for it (its SDK back-offs park it).
    [String(refs.confirmFunction)]: async (event) => clock.io(() => confirmHandlers.confirm(event)),
    // The real plan handler: its input validation runs in every sandbox execution too.
    [String(refs.planFunction)]: async (event) => clock.io(() => plan(event)),
    [String(refs.stepsFunction)]: async (event) => clock.io(() => carrySteps(event, stepsEmr)),
    [String(refs.attemptFunction)]: async (event) => attemptHandler(event),
    [String(refs.reportFunction)]: async (event) => reportHandler(event),
  };
  return { lambdas, scheduledProbe: probeHandlers.scheduled };
}

type SdkClientsFor = ReturnType<typeof sdkClientsFor>;

/** The Lambdas' SDK clients, one set per caller so faults can be aimed at one of them. */
function sdkClientsFor({ clock, world }: RunLambdasDeps) {
  const { emr, ec2, elbv2 } = world;
  const sleep = (ms: number) => clock.sleep(ms);
  const park = (sleeping: Promise<void>) => clock.parked(() => sleeping);
  return (caller: Caller) => {
    const options = { sleep, park, maxAttempts: caller === 'probe' || caller === 'confirm' ? PROBE_SDK_MAX_ATTEMPTS : DR_SDK_MAX_ATTEMPTS };
    return {
      emr: sandboxEmrClient((action, input) => emr.call(action, input, caller), options),
      ec2: sandboxEc2Client((action, input) => ec2Call(ec2, action, input, caller), options),
      elbv2: sandboxElbv2Client((action, input) => elbv2.call(action, input, caller), options),
    };
  };
}

/** The scheduled probe and the confirm step are two Lambdas, each with its own warm state. */
function probeHandlersOf(deps: RunLambdasDeps, clientsFor: SdkClientsFor) {
  const { dr, clock, world, emulators, refs } = deps;
  const { emr, healthOf, workOf, locks } = world;
  const routedFetch = masterNetwork({ emr, healthOf, now: () => clock.now(), emulators, workOf });
  return (caller: 'probe' | 'confirm') =>
    makeProbeHandlers({
      config: dr,
      log: silentLog,
      metrics: { addDimension: () => undefined, addMetric: () => undefined, publishStoredMetrics: () => undefined },
      probe: (cluster, probeOptions) => clock.io(() => probeCluster(cluster, { ...probeOptions, fetch: routedFetch })),
      resolveAddress: probeAddressResolver(clientsFor(caller).elbv2),
      now: () => clock.now(),
      // The scheduled probe keeps what it saw running in the lock table, as deployed.
      ...(caller === 'probe' ? { lastSeen: { record: async (cluster: string, seen: LastSeen) => void locks.call('PutItem', { TableName: refs.lockTable, Item: lastSeenItem(cluster, seen) }, 'probe') } } : {}),
    });
}
