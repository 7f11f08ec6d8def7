import type { LifeguardEventType } from '../lib/config/notifications.ts';
import { inputTransformer, type InputTransformer } from './input-transformer.ts';

/**
 * One readable sentence per Lifeguard event, for EventBridge input transformers: `paths` are the
 * InputPathsMap (JSONPath into the event), `text` uses them as <name>. A sentence quotes only
 * fields that cannot hold a quote, backslash or line break (deploy/input-transformer.ts), since
 * EventBridge inserts values unescaped: free text (an AWS event id, an error name) stays out, and
 * the webhook's `json` format carries it in `detail`.
 */
export interface NotificationMessage {
  paths: Record<string, string>;
  text: string;
}

const node = { node: '$.detail.nodeName', instance: '$.detail.instanceId', kind: '$.detail.kind', deadline: '$.detail.deadline' };

export const NOTIFICATION_MESSAGES: Record<LifeguardEventType, NotificationMessage> = {
  'Node Drain Started': {
    paths: { ...node, action: '$.detail.action' },
    text: 'Lifeguard: draining node <node> (instance <instance>) for a <kind> event, deadline <deadline>; action <action>.',
  },
  'Node Drain Completed': {
    paths: {
      ...node,
      deadlineMet: '$.detail.deadlineMet',
      allGone: '$.detail.allGone',
      durationMs: '$.detail.durationMs',
      evicted: '$.detail.pods.evicted',
      deleted: '$.detail.pods.deleted',
      pending: '$.detail.pods.pending',
      failed: '$.detail.pods.failed',
    },
    text:
      'Lifeguard: drain of node <node> (instance <instance>, <kind>) ended after <durationMs> ms. Deadline <deadline> met: <deadlineMet>; every pod gone: <allGone>. ' +
      'Pods evicted <evicted>, force-deleted <deleted>, still pending <pending>, failed <failed>.',
  },
  'Spark Driver At Risk': {
    paths: { ...node, driver: '$.detail.driver', appId: '$.detail.appId' },
    text:
      'Lifeguard: Spark driver <driver> (application <appId>) runs on node <node> (instance <instance>), which is being drained for a <kind> event: ' +
      'the application will fail. Run Spark drivers on On-Demand capacity.',
  },
  'Failover Completed': {
    paths: {
      cluster: '$.detail.cluster',
      mode: '$.detail.mode',
      oldClusterId: '$.detail.oldClusterId',
      newClusterId: '$.detail.newClusterId',
      zone: '$.detail.availabilityZone',
      masterIp: '$.detail.newMasterIp',
      rto: '$.detail.rtoSeconds',
      detect: '$.detail.phases.detect',
      create: '$.detail.phases.create',
      register: '$.detail.phases.register',
      healthy: '$.detail.phases.healthy',
      retire: '$.detail.phases.retire',
      retired: '$.detail.oldClusterRetired',
    },
    text:
      'Lifeguard: EMR cluster <cluster> failed over (<mode>) from <oldClusterId> to <newClusterId> in <zone>, master <masterIp>. ' +
      'RTO <rto> s: detect <detect> s, create <create> s, register <register> s, healthy <healthy> s; retire <retire> s. Old cluster retired: <retired>.',
  },
  'Failover Failed': {
    paths: { cluster: '$.detail.cluster', clusterId: '$.detail.clusterId', mode: '$.detail.mode', executionId: '$.detail.executionId' },
    // The error is any task's error name: free text. The execution's history has it, and its cause.
    text: 'Lifeguard: failover (<mode>) of EMR cluster <cluster> (<clusterId>) FAILED. Execution <executionId> has the error and its cause.',
  },
};

/** SNS: the sentence itself is the message. */
export const snsTransformer = (m: NotificationMessage): InputTransformer => inputTransformer(m.paths, m.text);

/**
 * Slack-compatible webhooks: `{"text": …}`; `json` adds the event type and its whole detail, as a
 * JSON value (free text included: EventBridge writes an object placeholder as JSON).
 */
export function webhookTransformer(m: NotificationMessage, detailType: LifeguardEventType, format: 'slack' | 'json'): InputTransformer {
  const text = JSON.stringify(m.text);
  if (format === 'slack') return inputTransformer(m.paths, `{"text": ${text}}`);
  return inputTransformer({ ...m.paths, detail: '$.detail' }, `{"text": ${text}, "detailType": ${JSON.stringify(detailType)}, "detail": <detail>}`);
}
