import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../../support/cli-command.ts';

const run = cliCommand('simulate');
import { captureIo } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-simulate-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const cluster = `
cluster:
  name: spark
  nodes: [{ name: n1, instanceId: i-0aaa1111bbbb22220, zone: us-east-1a, capacityType: SPOT }]
  pods: [{ name: exec-1, namespace: spark, node: n1, labels: { spark-role: executor }, owner: none, preStop: /opt/decom.sh, shutdownSeconds: 20 }]
`;

describe('lifeguard simulate', () => {
  it('prints exactly one JSON document with --json, including the failover section', async () => {
    const { out, io } = captureIo();
    expect(await run(['sandbox/scenarios/demo.yaml', '--json'], io)).toBe(0);
    expect(out).toHaveLength(1);
    const result = JSON.parse(out[0]!);
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['scenario', 'timeline', 'nodes', 'pods', 'summary', 'failover']));
    expect(result.summary).toMatchObject({ deadlineMet: true, podsKilledAtDeadline: 0, pdbViolations: 0, executorsDecommissioned: 3 });
    expect(result.failover.executions[0].outcome).toBe('FailoverCompleted');
    expect(result.failover.rtoSeconds).toBeGreaterThan(0);
  });

  it('rejects a scenario with a bad field, naming it, with exit code 2', async () => {
    const { err, io } = captureIo();
    const path = file('bad.yaml', `name: bad${cluster}\nuntil: -5\n`);
    expect(await run([path], io)).toBe(2);
    expect(err.join('\n')).toMatch(/until: .*/);
  });

  it('rejects a pod placed on a node the scenario does not have', async () => {
    const { err, io } = captureIo();
    const path = file('orphan.yaml', `name: orphan${cluster.replace('node: n1,', 'node: n9,')}`);
    expect(await run([path], io)).toBe(2);
    expect(err.join('\n')).toContain("cluster.pods.0.node: no node named 'n9'");
  });

  it('rejects an event Lifeguard would reject, naming the step and the field, before running anything', async () => {
    const { err, out, io } = captureIo();
    const path = file(
      'event.yaml',
      `name: event${cluster}events:\n  - at: 5\n    event: { source: aws.ec2, detail-type: EC2 Spot Instance Interruption Warning, detail: { instance-id: nope, instance-action: terminate } }\n`,
    );
    expect(await run([path], io)).toBe(2);
    // The step's path leads, once: the parser's own field path is not repeated after it.
    expect(err.join('\n')).toContain('  - events.0.event.detail.instance-id: expected an EC2 instance id (i- and 8 or 17 lowercase hex digits) (got "nope")');
    expect(err.join('\n').match(/instance-id/g)).toHaveLength(1);
    expect(out).toEqual([]);
  });

  it('reports a broken JSON scenario in JSON terms', async () => {
    const { err, io } = captureIo();
    expect(await run([file('broken.json', '{"name": "x", "cluster": ')], io)).toBe(2);
    expect(err.join('\n')).toMatch(/broken\.json is not valid JSON: /);
  });

  it('explains its usage when the file is missing or unreadable', async () => {
    const { err, io } = captureIo();
    expect(await run([], io)).toBe(2);
    expect(await run([join(dir, 'absent.yaml')], io)).toBe(2);
    expect(err.join('\n')).toMatch(/missing required argument 'scenario'[\s\S]*cannot read .*absent\.yaml: no such file/);
  });
});
