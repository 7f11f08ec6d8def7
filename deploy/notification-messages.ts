import type { LifeguardEventType } from '../lib/config/notifications.ts';

/**
 * One readable sentence per Lifeguard event, for EventBridge input transformers: `paths` are the
 * InputPathsMap (JSONPath into the event), `text` uses them as <name>. Only scalar fields are
 * interpolated: an object inside a string would not be valid JSON for a webhook.
 */
export interface NotificationMessage {
  paths: Record<string, string>;
  text: string;
}

const node = { node: '$.detail.nodeName', instance: '$.detail.instanceId', kind: '$.detail.kind', deadline: '$.detail.deadline', eventId: '$.detail.eventId' };

export const NOTIFICATION_MESSAGES: Record<LifeguardEventType, NotificationMessage> = {
  'Node Drain Started': {
    paths: { ...node, action: '$.detail.action' },
    text: 'Lifeguard: draining node <node> (instance <instance>) for a <kind> event, deadline <deadline>; action <action> (event <eventId>).',
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
      'Pods evicted <evicted>, force-deleted <deleted>, still pending <pending>, failed <failed> (event <eventId>).',
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
    paths: { cluster: '$.detail.cluster', clusterId: '$.detail.clusterId', mode: '$.detail.mode', error: '$.detail.error.Error', executionId: '$.detail.executionId' },
    text: 'Lifeguard: failover (<mode>) of EMR cluster <cluster> (<clusterId>) FAILED with <error>. Execution <executionId>.',
  },
};

/** SNS: the sentence itself is the message. */
export const snsTemplate = (m: NotificationMessage) => m.text;

/** Slack-compatible webhooks: `{"text": …}`; `json` adds the event type and its whole detail. */
export function webhookTemplate(m: NotificationMessage, detailType: LifeguardEventType, format: 'slack' | 'json'): { paths: Record<string, string>; template: string } {
  const text = JSON.stringify(m.text);
  if (format === 'slack') return { paths: m.paths, template: `{"text": ${text}}` };
  return { paths: { ...m.paths, detail: '$.detail' }, template: `{"text": ${text}, "detailType": ${JSON.stringify(detailType)}, "detail": <detail>}` };
}
