import { describe, expect, it, vi } from 'vitest';
import * as client from '../../../lib/kube/client.ts';
import { SANDBOX_REQUEST_TIMEOUT_MS } from '../../../sandbox/scenario/interruptions.ts';
import { executor, nodes, simulate, spotWarning } from '../../support/scenarios.ts';

vi.mock('../../../lib/kube/client.ts', async (original) => {
  const real = await original<typeof client>();
  return { ...real, createKubeApi: vi.fn(real.createKubeApi) };
});

describe('real time in a scenario', () => {
  it("gives Lifeguard's requests no real-time limit a slow run could reach: only the world's virtual time may fail them", async () => {
    const created = vi.mocked(client.createKubeApi);
    created.mockClear();
    const result = await simulate({ cluster: { name: 'c', nodes, pods: [executor('exec-1')] }, events: [{ at: 1, event: spotWarning() }], until: 180 });
    expect(result.invocations.length).toBeGreaterThan(0);
    expect(created).toHaveBeenCalled();
    // A request held a virtual second in a queue of a large burst can take minutes of real time;
    // the 15 s Lifeguard runs with in production would retry it as a timeout the world never had.
    for (const [, options] of created.mock.calls) expect(options.requestTimeoutMs).toBe(SANDBOX_REQUEST_TIMEOUT_MS);
    expect(SANDBOX_REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(30 * 60_000);
  });
});
