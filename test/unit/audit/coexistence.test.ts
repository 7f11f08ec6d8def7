import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { coexistenceFindings } from '../../../lib/audit/checks/coexistence.ts';
import { onDemandDriverSetting } from '../../../lib/audit/on-demand-selector.ts';
import type { AuditInput, Workload } from '../../../lib/audit/types.ts';
import { kubeNode } from '../../support/nodes.ts';

const node = (name: string, labels: Record<string, string>) => kubeNode(name, { labels });
const executor = (name: string, nodeName: string, annotations: Record<string, string> = {}): V1Pod => ({
  metadata: { name, namespace: 'spark', labels: { 'spark-role': 'executor', 'spark-app-selector': 'spark-0001' }, annotations },
  spec: { nodeName, containers: [] },
  status: { phase: 'Running' },
});
const deployment = (name: string, image: string, env: Record<string, string> = {}, args: string[] = [], kind: Workload['kind'] = 'Deployment'): Workload => ({
  kind,
  namespace: 'kube-system',
  name,
  containers: [{ image, env, args }],
});
const input = (nodes: V1Node[], pods: V1Pod[], workloads: Workload[]): AuditInput => ({ nodes, pods, pdbs: [], sparkConf: new Map(), workloads });

const KARPENTER_SPOT = node('k-1', { 'karpenter.sh/nodepool': 'spark', 'karpenter.sh/capacity-type': 'spot' });
const MNG_SPOT = node('m-1', { 'eks.amazonaws.com/nodegroup': 'spark-spot', 'eks.amazonaws.com/capacityType': 'SPOT' });
const KARPENTER = deployment('karpenter', 'public.ecr.aws/karpenter/controller:1.3.3@sha256:0', { INTERRUPTION_QUEUE: 'spark-prod' });

describe('the audit finds other handlers of the same Spot warnings', () => {
  it('Karpenter with its interruption queue, on the nodes of Spark pods without do-not-disrupt', () => {
    const [finding, ...rest] = coexistenceFindings(input([KARPENTER_SPOT], [executor('exec-1', 'k-1'), executor('exec-2', 'k-1', { 'karpenter.sh/do-not-disrupt': 'true' })], [KARPENTER]));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ check: 'karpenter-drains-spark-nodes', severity: 'warning', scope: { kind: 'handler', name: 'karpenter (kube-system/karpenter)' }, objects: ['kube-system/karpenter', 'spark/exec-1'] });
    expect(finding!.message).toContain('interruption queue spark-prod');
    expect(finding!.fix).toContain('spark.kubernetes.executor.annotation.karpenter.sh/do-not-disrupt=true');
    expect(finding!.fix).toContain('settings.interruptionQueue');
  });

  it('not Karpenter without its queue (flag or env), nor when every Spark pod carries do-not-disrupt', () => {
    const pods = [executor('exec-1', 'k-1')];
    expect(coexistenceFindings(input([KARPENTER_SPOT], pods, [deployment('karpenter', 'public.ecr.aws/karpenter/controller:1.3.3')]))).toEqual([]);
    expect(coexistenceFindings(input([KARPENTER_SPOT], [executor('exec-1', 'k-1', { 'karpenter.sh/do-not-disrupt': 'true' })], [KARPENTER]))).toEqual([]);
    const byFlag = deployment('karpenter', 'public.ecr.aws/karpenter/controller:1.3.3', {}, ['--interruption-queue=spark-prod']);
    expect(coexistenceFindings(input([KARPENTER_SPOT], pods, [byFlag])).map((f) => f.check)).toEqual(['karpenter-drains-spark-nodes']);
  });

  it('EKS Auto Mode by its nodes\' compute-type label', () => {
    const auto = node('a-1', { 'eks.amazonaws.com/compute-type': 'auto', 'karpenter.sh/nodepool': 'general-purpose', 'karpenter.sh/capacity-type': 'spot' });
    const [finding] = coexistenceFindings(input([auto], [executor('exec-1', 'a-1')], []));
    expect(finding).toMatchObject({ check: 'auto-mode-drains-spark-nodes', scope: { name: 'EKS Auto Mode' } });
    expect(finding!.why).toContain('cannot be turned off');
  });

  it('NTH in queue mode draining, with its exact fix; severe when it cuts the executors\' grace', () => {
    const nth = deployment('aws-node-termination-handler', 'public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.25.0', { ENABLE_SQS_TERMINATION_DRAINING: 'true', QUEUE_URL: 'https://sqs/x' });
    const [finding] = coexistenceFindings(input([MNG_SPOT], [executor('exec-1', 'm-1')], [nth]));
    expect(finding).toMatchObject({ check: 'nth-drains-spark-nodes', severity: 'warning', scope: { name: 'aws-node-termination-handler (kube-system/aws-node-termination-handler, queue processor)' } });
    expect(finding!.fix).toMatch(/managed tag .* checkTagBeforeDraining/);
    const cutting = { ...nth, containers: [{ ...nth.containers[0]!, env: { ...nth.containers[0]!.env, POD_TERMINATION_GRACE_PERIOD: '30' } }] };
    expect(coexistenceFindings(input([MNG_SPOT], [executor('exec-1', 'm-1')], [cutting]))[0]).toMatchObject({ severity: 'severe', why: expect.stringContaining('30 s') });
  });

  it('NTH in IMDS mode unless enableSpotInterruptionDraining=false or cordonOnly', () => {
    const image = 'public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.25.0';
    const imds = (env: Record<string, string>) => coexistenceFindings(input([MNG_SPOT], [executor('exec-1', 'm-1')], [deployment('nth', image, env, [], 'DaemonSet')]));
    expect(imds({})[0]!.fix).toContain('enableSpotInterruptionDraining: false');
    expect(imds({ ENABLE_SPOT_INTERRUPTION_DRAINING: 'false' })).toEqual([]);
    expect(imds({ CORDON_ONLY: 'true' })).toEqual([]);
  });

  it('nothing when no Spark pod runs on Spot', () => {
    expect(coexistenceFindings(input([node('od', { 'karpenter.sh/nodepool': 'x', 'karpenter.sh/capacity-type': 'on-demand' })], [executor('exec-1', 'od')], [KARPENTER]))).toEqual([]);
  });
});

describe('the driver-on-spot fix follows the labels the nodes carry', () => {
  it('a managed node group: eks.amazonaws.com/capacityType, even when the node also carries Karpenter\'s capacity label (as the sandbox\'s do)', () => {
    expect(onDemandDriverSetting({ metadata: { labels: { ...MNG_SPOT.metadata!.labels, 'karpenter.sh/capacity-type': 'spot' } } }, [])).toBe(
      'spark.kubernetes.driver.node.selector.eks.amazonaws.com/capacityType=ON_DEMAND',
    );
  });
  it('Karpenter: karpenter.sh/capacity-type', () => {
    expect(onDemandDriverSetting({ metadata: { labels: { ...KARPENTER_SPOT.metadata!.labels, 'eks.amazonaws.com/capacityType': 'SPOT' } } }, [])).toBe(
      'spark.kubernetes.driver.node.selector.karpenter.sh/capacity-type=on-demand',
    );
  });
  it('self-managed: the lifecycle value the On-Demand nodes carry, else an affinity NotIn spot', () => {
    const spot = node('s', { 'node.kubernetes.io/lifecycle': 'spot' });
    expect(onDemandDriverSetting(spot, [spot, node('o', { 'node.kubernetes.io/lifecycle': 'normal' })])).toBe('spark.kubernetes.driver.node.selector.node.kubernetes.io/lifecycle=normal');
    expect(onDemandDriverSetting(spot, [spot, node('o', {})])).toMatch(/podTemplateFile.*node\.kubernetes\.io\/lifecycle NotIn \[spot\]/);
  });
});
