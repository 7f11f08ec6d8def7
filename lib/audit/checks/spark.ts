import type { V1Pod } from '@kubernetes/client-node';
import { graceSeconds, hasDecommissionHook, podRef, sparkInfo } from '../../spark/pods.ts';
import { isSpot } from '../node-groups.ts';
import { onDemandDriverSetting } from '../on-demand-selector.ts';
import type { AuditInput, AuditOptions, Finding } from '../types.ts';

const FALLBACK_PATH = 'spark.storage.decommission.fallbackStorage.path';

interface SparkApp {
  appId: string;
  executors: V1Pod[];
  driver?: V1Pod;
}

/** Spark pods by application (spark-app-selector, else the EMR on EKS job id). */
export function sparkApplications(pods: V1Pod[]): SparkApp[] {
  const apps = new Map<string, SparkApp>();
  for (const pod of pods) {
    const info = sparkInfo(pod);
    if (!info?.appId || isFinished(pod)) continue;
    const app = apps.get(info.appId) ?? { appId: info.appId, executors: [] };
    if (info.role === 'driver') app.driver = pod;
    else app.executors.push(pod);
    apps.set(info.appId, app);
  }
  return [...apps.values()].sort((a, b) => a.appId.localeCompare(b.appId));
}

export const isFinished = (pod: V1Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** `a, b, c (+4 more)`: findings stay one readable line on a big application. */
export function listed(refs: string[], max = 3): string {
  return refs.length <= max ? refs.join(', ') : `${refs.slice(0, max).join(', ')} (+${refs.length - max} more)`;
}

/** Per Spark application: decommission hook, executor grace, driver placement, fallback storage. */
export function sparkFindings(input: AuditInput, options: AuditOptions): Finding[] {
  const nodes = new Map(input.nodes.map((n) => [n.metadata?.name ?? '', n]));
  const findings: Finding[] = [];
  const usable = options.spotWindowSeconds - options.marginSeconds;

  for (const app of sparkApplications(input.pods)) {
    const scope = { kind: 'spark-application' as const, name: app.appId };
    const add = (f: Omit<Finding, 'scope'>) => findings.push({ ...f, scope });

    const withoutHook = app.executors.filter((p) => !hasDecommissionHook(p)).map(podRef);
    if (withoutHook.length) {
      add({
        check: 'executor-without-decommission-hook',
        severity: 'severe',
        message: `${withoutHook.length} of ${app.executors.length} executor(s) have no decommission preStop hook: ${listed(withoutHook)}`,
        why: 'An executor without the hook stops as soon as it is evicted: its shuffle and cached blocks are lost, and the stages that need them are recomputed or fail.',
        fix: 'Submit the application with spark.decommission.enabled=true, spark.storage.decommission.enabled=true, spark.storage.decommission.shuffleBlocks.enabled=true and spark.storage.decommission.rddBlocks.enabled=true (Spark 3.1 or later then gives executor pods the preStop hook /opt/decom.sh).',
        objects: withoutHook,
      });
    }

    // On-Demand executors meet only longer windows (Health events, Auto Scaling hooks).
    const onSpot = (p: V1Pod) => {
      const node = nodes.get(p.spec?.nodeName ?? '');
      return node !== undefined && isSpot(node);
    };
    const tooLong = app.executors.filter((p) => onSpot(p) && graceSeconds(p) > usable);
    if (tooLong.length) {
      const longest = Math.max(...tooLong.map(graceSeconds));
      add({
        check: 'executor-grace-exceeds-spot-window',
        severity: 'warning',
        message: `${tooLong.length} executor(s) on Spot nodes ask for up to ${longest} s to shut down (terminationGracePeriodSeconds), but a Spot interruption leaves at most ${usable} s (${options.spotWindowSeconds} s less Lifeguard's ${options.marginSeconds}-s margin): ${listed(tooLong.map(podRef))}`,
        why: 'Lifeguard clamps the grace period to the time left, so a decommission planned for longer is cut short and the blocks not yet migrated are lost.',
        fix: `Set terminationGracePeriodSeconds to ${usable} or less in the executor pod template (spark.kubernetes.executor.podTemplateFile), and give the last blocks somewhere fast to go with ${FALLBACK_PATH}.`,
        objects: tooLong.map(podRef),
      });
    }

    const driverNode = app.driver?.spec?.nodeName ? nodes.get(app.driver.spec.nodeName) : undefined;
    if (app.driver && driverNode && isSpot(driverNode)) {
      add({
        check: 'driver-on-spot',
        severity: 'severe',
        message: `the driver ${podRef(app.driver)} runs on Spot node ${driverNode.metadata?.name}`,
        why: 'When the driver\'s node is reclaimed the whole application fails, and decommissioning executors lose the driver that tracks where their blocks went.',
        fix: `Keep drivers on On-Demand capacity: ${onDemandDriverSetting(driverNode, input.nodes)} (Spark 3.3 or later; earlier, a nodeSelector in spark.kubernetes.driver.podTemplateFile).`,
        objects: [podRef(app.driver), driverNode.metadata?.name ?? '?'],
      });
    }

    if (!app.executors.length) continue;
    const conf = input.sparkConf.get(app.appId);
    if (!conf?.source) {
      add({
        check: 'spark-conf-not-visible',
        severity: 'info',
        message: `the Spark configuration of ${app.appId} is not visible, so fallback storage could not be checked`,
        why: 'The audit reads it from the ConfigMap Spark mounts into the driver; without it, a missing fallback storage path goes unnoticed.',
        fix: `Let the audit get ConfigMaps in the application's namespace, or declare the configuration on the driver pod with the annotation lifeguard.io/spark-conf ("${FALLBACK_PATH}=s3a://…").`,
        objects: app.driver ? [podRef(app.driver)] : [],
      });
    } else if (!conf.values[FALLBACK_PATH]) {
      add({
        check: 'no-fallback-storage',
        severity: 'warning',
        message: `${app.appId} has no fallback storage for decommissioned blocks (read from ${conf.source})`,
        why: 'When a whole Spot pool is reclaimed at once, decommissioning executors have no live peer to migrate to: without fallback storage their shuffle blocks are lost.',
        fix: `${FALLBACK_PATH}=s3a://YOUR-BUCKET/spark-fallback/ (with spark.storage.decommission.shuffleBlocks.enabled=true; spark.storage.decommission.fallbackStorage.cleanUp=true removes the blocks when the application ends).`,
        objects: app.driver ? [podRef(app.driver)] : [],
      });
    }
  }
  return findings;
}
