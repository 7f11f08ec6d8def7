import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../../support/cli-command.ts';

const run = cliCommand('simulate');
import { captureIo } from './capture.ts';

// A first scenario is written with Kubernetes habits: each is taken, or answered with the fix.
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-simulate-messages-'));
const file = (text: string) => {
  const path = join(dir, `s-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
};
const SPOT_WARNING = 'EC2 Spot Instance Interruption Warning';
const scenario = (o: { capacityType?: string; pod?: string; selector?: string; events: string }) => `name: habits
cluster:
  name: spark
  nodes: [{ name: n1, instanceId: i-0aaa1111bbbb22220, zone: us-east-1a, capacityType: ${o.capacityType ?? 'SPOT'} }]
  pods:
    - { name: web-1, node: n1, labels: { app: web }, owner: { kind: ReplicaSet, name: web }${o.pod ?? ''} }
  pdbs: [{ name: web, selector: ${o.selector ?? '{ app: web }'}, maxUnavailable: 1 }]
events:
${o.events}
until: 150
`;
const warning = (at: string, instance = 'i-0aaa1111bbbb22220', detailType = SPOT_WARNING, extra = '') =>
  `  - at: ${at}\n    event: { source: aws.ec2, detail-type: ${detailType}, detail: { instance-id: ${instance}, instance-action: terminate } }${extra}\n`;

async function simulate(text: string) {
  const io = captureIo();
  const code = await run([file(text), '--json'], io.io);
  return { code, err: io.stderr(), result: code === 0 || code === 4 ? JSON.parse(io.stdout()) : undefined };
}

describe('scenario messages', () => {
  it('shows the capacityType that was written and the ones allowed', async () => {
    const { code, err } = await simulate(scenario({ capacityType: 'Spot', events: warning('10') }));
    expect(code).toBe(2);
    expect(err).toContain('cluster.nodes.0.capacityType: expected one of "SPOT", "ON_DEMAND" (got "Spot")');
  });

  it('points lifecycle.preStop.exec.command to preStop, with the command written', async () => {
    const { code, err } = await simulate(scenario({ pod: ', lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "/opt/spark/decom.sh"] } } }', events: warning('10') }));
    expect(code).toBe(2);
    expect(err).toContain('cluster.pods.0.lifecycle: a scenario pod names its preStop command directly: write `preStop: "/opt/spark/decom.sh"` instead of lifecycle');
    expect(err).not.toContain('unknown field "lifecycle"');
  });

  it('takes a budget selector written as matchLabels, and says matchExpressions are not modelled', async () => {
    const taken = await simulate(scenario({ selector: '{ matchLabels: { app: web } }', events: warning('10') }));
    expect(taken.code, taken.err).toBe(0);
    expect(taken.result.pods['default/web-1'].outcome).toBe('evicted');
    const refused = await simulate(scenario({ selector: '{ matchExpressions: [{ key: app, operator: In, values: [web] }] }', events: warning('10') }));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('cluster.pdbs.0.selector.matchExpressions: not modelled');
  });

  it('takes a duration as Kubernetes writes it for `at`, and explains one it cannot read', async () => {
    const taken = await simulate(scenario({ events: warning('"40s"') }));
    expect(taken.code, taken.err).toBe(0);
    expect(taken.result.invocations[0].deliveredAt - Date.parse(taken.result.start)).toBeGreaterThanOrEqual(40_000);
    const refused = await simulate(scenario({ events: warning('"soon"') }));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('events.0.at: expected seconds: a number, or a duration such as "40s", "2m" or "1m30s" (got "soon")');
  });

  it('names the field a step is missing instead of "Invalid input"', async () => {
    const { code, err } = await simulate(scenario({ events: '  - at: 10\n    evnt: { source: aws.ec2 }\n' }));
    expect(code).toBe(2);
    expect(err).toContain('events.0: a step needs one of event, terminateInstance, stopInstance, startInstance, rebootInstance (got at, evnt; did you mean "event"?)');
  });
});

describe('a scenario whose events do nothing', () => {
  it('exits 4 for a misspelt detail-type, with the suggestion', async () => {
    const { code, err, result } = await simulate(scenario({ events: warning('10', undefined, 'EC2 Spot Instance Interuption Warning') }));
    expect(code).toBe(4);
    expect(err).toContain('events.0 (EC2 Spot Instance Interuption Warning): matched no EventBridge rule of Lifeguard');
    expect(err).toContain(`did you mean "${SPOT_WARNING}"?`);
    expect(result.unexpectedEvents).toHaveLength(1);
  });

  it('exits 4 for an instance that is no node of the cluster', async () => {
    const { code, err } = await simulate(scenario({ events: warning('10', 'i-0bbb1111bbbb22220') }));
    expect(code).toBe(4);
    expect(err).toContain('events.0 (EC2 Spot Instance Interruption Warning): matched no node of the cluster (instance i-0bbb1111bbbb22220) (add `expect: ignored`');
  });

  it('exits 0 when the step says that is what it tests, and 4 when such a step is acted on after all', async () => {
    const ignored = await simulate(scenario({ events: warning('10', 'i-0bbb1111bbbb22220', SPOT_WARNING, '\n    expect: ignored') }));
    expect(ignored.code, ignored.err).toBe(0);
    const acted = await simulate(scenario({ events: warning('10', 'i-0aaa1111bbbb22220', SPOT_WARNING, '\n    expect: ignored') }));
    expect(acted.code).toBe(4);
    expect(acted.err).toContain('events.0 (EC2 Spot Instance Interruption Warning): expected to be ignored, but Lifeguard acted on it');
  });
});
