import { describe, expect, it } from 'vitest';
import { drainedSeconds, NODES, poolReclaim, WEB_PER_NODE } from '../support/pool-reclaim.ts';
import { simulate, terminatingAt } from '../support/scenarios.ts';

// The web pods' budget paces them in waves that together need most of the two-minute window: they
// must not wait for the executors (~45 s to decommission), or the last waves no longer fit.

describe('a pool reclaim with PDB-paced web pods and slowly decommissioning executors', () => {
  it('moves every web pod through the Eviction API, none force-deleted, and every executor decommissions', async () => {
    const result = await simulate(poolReclaim());
    const drained = drainedSeconds(result);
    const webPods = Object.entries(result.pods).filter(([key, p]) => key.startsWith('default/web-') && p.lifeguard);

    expect(webPods).toHaveLength(NODES * WEB_PER_NODE);
    expect(webPods.filter(([, p]) => p.outcome !== 'evicted')).toEqual([]);
    expect(result.summary).toMatchObject({ forcedDeletions: 0, executorsKilled: 0, executorsDecommissioned: NODES * 2 + 1, podsKilledAtDeadline: 0, pdbViolations: 0, deadlineMet: true, errors: [] });
    // The budget paced them: refusals were retried until a wave of replacements turned Ready.
    expect(result.timeline.filter((e) => e.action === 'evict-refused-pdb').length).toBeGreaterThan(0);
    expect(drained.at(-1)).toBeLessThan(120);

    // The driver on the interrupted node outlived its own executor there, and did not wait for the others.
    const localDriver = terminatingAt(result, 'spark/local-driver');
    expect(localDriver).toBeGreaterThanOrEqual(result.pods['spark/local-exec-1']!.goneAt!);
    expect(localDriver).toBeLessThan(Math.min(result.pods['spark/exec-0-a']!.goneAt!, result.pods['spark/exec-0-b']!.goneAt!));
  });
});
