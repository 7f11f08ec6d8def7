import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../sandbox/scenario/load.ts';
import { narrate } from '../../../sandbox/scenario/narrate.ts';
import { runScenario } from '../../../sandbox/scenario/runner.ts';
import { simulate } from '../../support/scenarios.ts';

const run = (file: string) => runScenario(loadScenarioFile(file));

describe('the timeline a person reads', () => {
  it('a PDB-blocked drain: one line per step, the refusals collapsed, the deadline marked (golden)', async () => {
    const result = await run('sandbox/scenarios/pdb-blocked.yaml');
    const lines = narrate(result).map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual([
      '10.000s eventbridge deliver — EC2 Spot Instance Interruption Warning → rule SpotInterruption',
      // The notice queue's batching window (1 s), then the cold start (0.5 s).
      '11.500s sqs batch — 1 notice(s) → req-0001',
      '11.500s lifeguard log — spot-interruption for i-0aaa1111bbbb22220 (deadline 2026-01-01T00:02:10.000Z)',
      "11.515s api patch ip-10-0-1-10.ec2.internal — unschedulable=true, +taint lifeguard.io/interruption=spot-interruption:NoSchedule, +label node.kubernetes.io/exclude-from-external-load-balancers=true, Lifeguard's record updated (6 annotations)",
      '11.520s lifeguard event — Node Drain Started',
      '11.520s lifeguard log — evicting tier spark-executor: 1 pod(s) (node=ip-10-0-1-10.ec2.internal)',
      '11.520s lifeguard log — evicting tier workload: 1 pod(s) (node=ip-10-0-1-10.ec2.internal)',
      '11.526s kubelet terminating spark/etl-exec-1 — eviction; grace 60s, shutdown takes 30s',
      '11.526s api evict-refused-pdb default/web-a — ×18 until 94.005s — web: needs 1 healthy, has 1',
      '41.526s kubelet exited spark/etl-exec-1 — shutdown complete',
      '94.010s kubelet terminating default/web-a — delete; grace 30s, shutdown takes 5s',
      '94.010s lifeguard warn — pod deleted past its disruption budget to beat the deadline (pod=default/web-a)',
      '99.010s kubelet exited default/web-a — shutdown complete',
      "99.015s api patch ip-10-0-1-10.ec2.internal — Lifeguard's record updated (3 annotations)",
      '99.015s lifeguard event — Node Drain Completed',
      '104.010s controller recreated default/web-w4wx8 — replaces web-a',
      '109.010s kubelet ready default/web-w4wx8',
      '130.000s ──── deadline: ip-10-0-1-10.ec2.internal must be empty by now (spot-interruption) ────',
      '130.000s ec2 instance-terminated ip-10-0-1-10.ec2.internal — i-0aaa1111bbbb22220: Spot capacity reclaimed',
      '130.000s node node-terminated ip-10-0-1-10.ec2.internal — 0 pod(s) killed',
    ]);

    // Beside the captured lines, what the scenario file says must happen, read from the result itself:
    // the warning at 10 s gives until 130 s; cordon, then the executor tier evicted and gone after
    // its 30 s shutdown, then web-a deleted past its budget early enough for its 30 s grace.
    const node = 'ip-10-0-1-10.ec2.internal';
    const executor = result.pods['spark/etl-exec-1']!;
    const web = result.pods['default/web-a']!;
    const cordonedAt = result.timeline.find((e) => e.actor === 'api' && e.action === 'patch' && e.node === node)!.t;
    const firstEviction = result.timeline.find((e) => e.actor === 'api' && e.action === 'evict')!;
    expect(cordonedAt).toBeCloseTo(10 + result.summary.cordonLatencySeconds!, 3);
    expect(firstEviction.pod).toBe('spark/etl-exec-1');
    expect(cordonedAt).toBeLessThan(firstEviction.t);
    expect(executor.terminatingAt).toBe(firstEviction.t);
    expect(executor).toMatchObject({ outcome: 'evicted', ending: 'exited' });
    expect(executor.goneAt! - executor.terminatingAt!).toBeCloseTo(30, 3);
    expect(web).toMatchObject({ outcome: 'deleted', ending: 'exited', lifeguard: { forced: true } });
    expect(web.terminatingAt!).toBeGreaterThan(executor.terminatingAt!);
    expect(web.terminatingAt! + 30).toBeLessThanOrEqual(130);
    expect(web.goneAt!).toBeLessThanOrEqual(result.nodes[node]!.terminatedAt!);
    expect(result.nodes[node]!.terminatedAt).toBe(130);
    expect(result.summary).toMatchObject({ deadlineMet: true, podsKilledAtDeadline: 0, executorsDecommissioned: 1, executorsKilled: 0, forcedDeletions: 1 });
  });

  it('the demo reads in under 60 lines; --verbose keeps everything', async () => {
    const result = await run('sandbox/scenarios/demo.yaml');
    const lines = narrate(result);
    expect(lines.length).toBeLessThan(60);
    expect(lines.join('\n')).toMatch(/↻ WaitForCluster → DescribeNewCluster → CountClusterPoll → IsClusterReady ×39 over 585 s/);
    expect(lines.some((l) => l.includes('deadline: ip-10-0-1-10.ec2.internal must be empty'))).toBe(true);
    // Nothing said twice: Lifeguard's echo of the API's lines, and lease renewals, are gone.
    expect(lines.filter((l) => /pod evicted|pod gone|lifeguard\.io\/lease/.test(l))).toEqual([]);
    expect(narrate(result, { verbose: true }).length).toBeGreaterThan(result.timeline.length);
  });

  it('says when nothing happened, and why: no rule matched (and what was meant), an unknown instance, a late event', async () => {
    const spot = (detailType: string, instanceId: string, extra: Record<string, unknown> = {}) => ({ source: 'aws.ec2', 'detail-type': detailType, detail: { 'instance-id': instanceId, 'instance-action': 'terminate' }, ...extra });
    const r = await simulate({
      cluster: { name: 'spark', nodes: [{ name: 'n1', instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a' }] },
      events: [
        { at: 10, event: spot('EC2 Spot Instance Interruption Warnin', 'i-0aaa1111bbbb22220') },
        { at: 20, event: spot('EC2 Spot Instance Interruption Warning', 'i-0fff1111bbbb22220') },
        { at: 130, event: spot('EC2 Spot Instance Interruption Warning', 'i-0aaa1111bbbb22220', { time: '2026-01-01T00:00:30Z' }) },
      ],
    });
    const text = narrate(r).join('\n');
    expect(text).toContain('event matched no rule — did you mean "EC2 Spot Instance Interruption Warning"?');
    expect(text).toContain('instance i-0fff1111bbbb22220 is no node of cluster spark; ignored');
    expect(text).toContain('LATE: the event is 100 s old');
    expect(r.summary.deadlineMet).toBeNull();
  });
});
