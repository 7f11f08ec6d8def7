/**
 * EventBridge input transformers whose output stays what the target expects, whatever the event
 * holds.
 *
 * EventBridge puts InputPathsMap values into the InputTemplate as they are: "EventBridge doesn't
 * escape values extracted by Input Path, when populating the Input Template for a target"
 * (EventBridge user guide, "Common issues with transforming input"). One `"`, `\` or line break in
 * a value placed inside a JSON string makes the body invalid JSON: a webhook answers 400 and the
 * message goes to the dead-letter queue. So a placeholder inside a JSON string (or in a plain-text
 * template, which shares its sentences with the JSON ones) may only name a field listed here, each
 * with what keeps those characters out of it. Anything else, free text such as an error name or an
 * AWS event id that nothing validates, goes in as a whole JSON value (`"detail": <detail>`, which
 * EventBridge writes as JSON) or not at all.
 */
export const QUOTABLE_FIELDS: Readonly<Record<string, string>> = {
  // Lifeguard's node events (lib/interruption/publish.ts).
  '$.detail.nodeName': 'a Kubernetes node name: a DNS subdomain, checked by the API server',
  '$.detail.instanceId': 'an EC2 instance id, checked by the event parsers (lib/events/envelope.ts)',
  '$.detail.kind': "one of Lifeguard's interruption kinds",
  '$.detail.action': "one of Lifeguard's actions",
  '$.detail.deadline': 'an ISO 8601 time written by Lifeguard, or null',
  '$.detail.deadlineMet': 'true, false or null',
  '$.detail.allGone': 'true or false',
  '$.detail.durationMs': 'a number',
  '$.detail.pods.evicted': 'a number',
  '$.detail.pods.deleted': 'a number',
  '$.detail.pods.pending': 'a number',
  '$.detail.pods.failed': 'a number',
  '$.detail.driver': 'namespace/name of a pod: a DNS label and a DNS subdomain, checked by the API server',
  '$.detail.appId': 'a label value (letters, digits, - _ .), checked by the API server, or null',
  // The failover state machine's events (statemachines/failover, lib/dr/rto.ts).
  '$.detail.cluster': 'a configured EMR cluster name: letters, digits, - and _ (lib/config/dr.ts)',
  '$.detail.mode': 'failover or drill',
  '$.detail.clusterId': 'a configured EMR cluster id: j- and capitals and digits (lib/config/dr.ts)',
  '$.detail.oldClusterId': 'an EMR cluster id',
  '$.detail.newClusterId': 'an EMR cluster id, from RunJobFlow',
  '$.detail.availabilityZone': 'an Availability Zone name',
  '$.detail.newMasterIp': 'an IPv4 address',
  '$.detail.rtoSeconds': 'a number',
  '$.detail.phases.detect': 'a number',
  '$.detail.phases.create': 'a number',
  '$.detail.phases.register': 'a number',
  '$.detail.phases.healthy': 'a number',
  '$.detail.phases.retire': 'a number',
  '$.detail.oldClusterRetired': 'true or false',
  '$.detail.executionId':
    'a Step Functions execution ARN: an execution name holds no white space, quote, backslash or control character (StartExecution)',
  // CloudWatch's alarm state-change event (deploy/dr-triggers.ts).
  '$.detail.state.timestamp': "CloudWatch's own time of the alarm's state change (2026-03-01T12:00:00.000+0000)",
};

export interface InputTransformer {
  InputPathsMap: Record<string, string>;
  InputTemplate: string;
}

/**
 * The InputTransformer for `paths` and `template`, refusing (at packaging) a template that would
 * quote a field not listed in QUOTABLE_FIELDS, or use a placeholder the paths do not define.
 */
export function inputTransformer(paths: Record<string, string>, template: string): InputTransformer {
  for (const { name, quoted } of placeholders(template)) {
    const path = paths[name];
    if (path === undefined) throw new Error(`InputTemplate uses <${name}>, which its InputPathsMap does not define`);
    if (quoted && !(path in QUOTABLE_FIELDS)) {
      throw new Error(
        `InputTemplate quotes <${name}> (${path}) in text, but nothing keeps quotes, backslashes and line breaks out of that field, ` +
          'and EventBridge inserts them unescaped: put it in as a whole JSON value, or leave it out',
      );
    }
  }
  return { InputPathsMap: paths, InputTemplate: template };
}

/**
 * The placeholders of a template, and whether each stands in text: inside a JSON string of a JSON
 * template, or anywhere in a plain-text one. EventBridge's own `aws.events.*` variables are not
 * InputPathsMap names and are left out.
 */
export function placeholders(template: string): Array<{ name: string; quoted: boolean }> {
  const json = /^\s*[{[]/.test(template);
  const found: Array<{ name: string; quoted: boolean }> = [];
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (json && inString && c === '\\') {
      i++;
      continue;
    }
    if (json && c === '"') {
      inString = !inString;
      continue;
    }
    const name = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i))?.[1] : undefined;
    if (name !== undefined && !name.startsWith('aws.events.')) found.push({ name, quoted: !json || inString });
  }
  return found;
}
