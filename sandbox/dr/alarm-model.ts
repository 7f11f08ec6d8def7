import type { DrConfig } from '../../lib/config/dr.ts';
import type { HealthVerdict } from '../../lib/dr/types.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import { PROBE_INTERVAL_SECONDS, SandboxAlarm } from './alarm.ts';
import type { InvocationRecorder } from './aws-calls.ts';
import type { ExecutionTrigger } from './failover-executions.ts';
import type { FailoverResult } from './failover-result.ts';

/**
 * The deployed trigger path: the scheduled probe every minute feeds each cluster's alarm; a
 * change to ALARM is an EventBridge event that starts a failover after its delivery delay.
 */

export interface AlarmModelDeps {
  clock: VirtualClock;
  clusters: DrConfig['clusters'];
  scheduledProbe: () => Promise<{ verdicts: HealthVerdict[] }>;
  invoked: InvocationRecorder;
  /** Simulated seconds since the start. */
  elapsed: () => number;
  startExecution: (trigger: ExecutionTrigger) => void;
  deliveryDelaySeconds: number;
  /** The probe's schedule ends here (epoch ms). */
  untilMs: number;
}

export interface ModelledAlarms {
  /** The alarms' state changes, in time order (filled in as the clock runs). */
  changes: FailoverResult['alarms'];
  /** The first scheduled probe run that failed, if any. */
  failure: () => Error | undefined;
}

export function modelAlarms(deps: AlarmModelDeps): ModelledAlarms {
  const { clock, elapsed, deliveryDelaySeconds } = deps;
  const changes: FailoverResult['alarms'] = [];
  let failure: Error | undefined;
  const byCluster = new Map(deps.clusters.map((c) => [c.name, new SandboxAlarm(c.alarm)]));
  const tick = () => {
    // A failing probe run must end the scenario with its error, not vanish as an unhandled rejection.
    clock
      .io(async () => {
        deps.invoked('drProbe', { eventbridge: { schedule: 'rate(1 minute)' } });
        const { verdicts } = await deps.scheduledProbe();
        for (const verdict of verdicts) {
          const changed = byCluster.get(verdict.cluster)?.record(verdict.healthy);
          if (!changed) continue;
          const at = elapsed();
          changes.push({ t: at, cluster: verdict.cluster, state: changed });
          if (changed === 'ALARM') {
            clock.schedule(deliveryDelaySeconds * 1000, () =>
              deps.startExecution({ at: at + deliveryDelaySeconds, cluster: verdict.cluster, mode: 'failover', alarmDelaySeconds: deliveryDelaySeconds, source: 'alarm' }),
            );
          }
        }
      })
      .catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
      });
    if (clock.now() + PROBE_INTERVAL_SECONDS * 1000 <= deps.untilMs) clock.schedule(PROBE_INTERVAL_SECONDS * 1000, tick);
  };
  clock.schedule(PROBE_INTERVAL_SECONDS * 1000, tick);
  return { changes, failure: () => failure };
}
