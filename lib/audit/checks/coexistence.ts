import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { podRef, sparkInfo } from '../../spark/pods.ts';
import { isSpot } from '../node-groups.ts';
import type { AuditInput, Finding, Workload } from '../types.ts';
import { isFinished, listed } from './spark.ts';

/** Karpenter's termination controller does not evict a pod annotated so (karpenter.sh v1, "Pod-Level Controls"). */
const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
const KEEP_SPARK_PODS = `spark.kubernetes.driver.annotation.${DO_NOT_DISRUPT}=true and spark.kubernetes.executor.annotation.${DO_NOT_DISRUPT}=true`;
const WHY =
  'It acts on the same Spot warning as Lifeguard and evicts every pod of the node at once: a driver goes with its executors while they still decommission, and the order Lifeguard keeps (executors first, each driver after its own executors) is lost (docs/coexistence.md).';

/**
 * Other handlers of the same Spot warnings on the nodes Spark runs on: Karpenter with its
 * interruption queue, EKS Auto Mode, aws-node-termination-handler draining. Each finding names the
 * Spark pods exposed and the exact setting that leaves them to Lifeguard.
 */
export function coexistenceFindings(input: AuditInput): Finding[] {
  const nodes = new Map(input.nodes.map((n) => [n.metadata?.name ?? '', n]));
  const sparkOnSpot = input.pods.filter((p) => sparkInfo(p) && !isFinished(p) && isSpotNode(nodes.get(p.spec?.nodeName ?? '')));
  if (!sparkOnSpot.length) return [];
  const findings: Finding[] = [];
  const workloads = input.workloads ?? [];

  const karpenter = workloads.find((w) => w.kind === 'Deployment' && w.containers.some((c) => /karpenter\/controller|\/karpenter:/.test(c.image)));
  const queue = karpenter && setting(karpenter, 'INTERRUPTION_QUEUE', '--interruption-queue');
  const onKarpenter = exposed(sparkOnSpot, nodes, (n) => Boolean(n.metadata?.labels?.['karpenter.sh/nodepool']) && n.metadata?.labels?.['eks.amazonaws.com/compute-type'] !== 'auto');
  if (karpenter && queue && onKarpenter.length) {
    findings.push({
      check: 'karpenter-drains-spark-nodes',
      severity: 'warning',
      scope: { kind: 'handler', name: `karpenter (${karpenter.namespace}/${karpenter.name})` },
      message: `Karpenter handles Spot warnings (interruption queue ${queue}) on the Spot nodes of ${onKarpenter.length} Spark pod(s) without ${DO_NOT_DISRUPT}: ${listed(onKarpenter.map(podRef))}`,
      why: WHY,
      fix: `Submit Spark applications with ${KEEP_SPARK_PODS} (Karpenter then taints and drains the rest of the node and waits for Lifeguard), or unset Karpenter's settings.interruptionQueue (--interruption-queue) to leave every Spot warning to Lifeguard.`,
      objects: [`${karpenter.namespace}/${karpenter.name}`, ...onKarpenter.map(podRef)],
    });
  }

  const onAutoMode = exposed(sparkOnSpot, nodes, (n) => n.metadata?.labels?.['eks.amazonaws.com/compute-type'] === 'auto');
  if (onAutoMode.length) {
    findings.push({
      check: 'auto-mode-drains-spark-nodes',
      severity: 'warning',
      scope: { kind: 'handler', name: 'EKS Auto Mode' },
      message: `EKS Auto Mode handles Spot warnings on the nodes of ${onAutoMode.length} Spark pod(s) without ${DO_NOT_DISRUPT}: ${listed(onAutoMode.map(podRef))}`,
      why: `${WHY} Auto Mode's interruption handling cannot be turned off.`,
      fix: `Submit Spark applications with ${KEEP_SPARK_PODS}, or run Spark's Spot capacity in a managed node group beside Auto Mode.`,
      objects: onAutoMode.map(podRef),
    });
  }

  for (const nth of workloads.filter((w) => w.containers.some((c) => c.image.includes('aws-node-termination-handler')))) {
    const queueMode = nth.kind === 'Deployment' || Boolean(setting(nth, 'QUEUE_URL', '--queue-url'));
    const draining = queueMode ? setting(nth, 'ENABLE_SQS_TERMINATION_DRAINING', '--enable-sqs-termination-draining') === 'true' : setting(nth, 'ENABLE_SPOT_INTERRUPTION_DRAINING', '--enable-spot-interruption-draining') !== 'false';
    if (!draining || setting(nth, 'CORDON_ONLY', '--cordon-only') === 'true') continue;
    const grace = Number(setting(nth, 'POD_TERMINATION_GRACE_PERIOD', '--pod-termination-grace-period') ?? -1);
    const cut = grace >= 0 ? ` Its POD_TERMINATION_GRACE_PERIOD of ${grace} s also cuts every executor's decommission to ${grace} s.` : '';
    findings.push({
      check: 'nth-drains-spark-nodes',
      severity: grace >= 0 ? 'severe' : 'warning',
      scope: { kind: 'handler', name: `aws-node-termination-handler (${nth.namespace}/${nth.name}, ${queueMode ? 'queue processor' : 'IMDS'})` },
      message: `aws-node-termination-handler drains on Spot warnings, and ${sparkOnSpot.length} Spark pod(s) run on Spot nodes: ${listed(sparkOnSpot.map(podRef))}`,
      why: `${WHY}${cut}`,
      fix: queueMode
        ? 'Take its managed tag (MANAGED_TAG, default aws-node-termination-handler/managed) off the Spark node groups with checkTagBeforeDraining left true, or set cordonOnly: true.'
        : "Set enableSpotInterruptionDraining: false for the Spark nodes (a second release whose DaemonSet's nodeSelector picks them, or keep this one off them with an affinity), or set cordonOnly: true.",
      objects: [`${nth.namespace}/${nth.name}`],
    });
  }
  return findings;
}

const isSpotNode = (node: V1Node | undefined) => node !== undefined && isSpot(node);

function exposed(pods: V1Pod[], nodes: Map<string, V1Node>, on: (node: V1Node) => boolean): V1Pod[] {
  return pods.filter((p) => p.metadata?.annotations?.[DO_NOT_DISRUPT] !== 'true' && on(nodes.get(p.spec?.nodeName ?? '')!));
}

/** A setting from the container's environment or its `--flag=value` / `--flag value` arguments. */
function setting(workload: Workload, env: string, flag: string): string | undefined {
  for (const c of workload.containers) {
    if (c.env[env]) return c.env[env];
    const i = c.args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i >= 0) return c.args[i]!.includes('=') ? c.args[i]!.slice(flag.length + 1) : c.args[i + 1];
  }
  return undefined;
}
