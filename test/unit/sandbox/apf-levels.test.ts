import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOW_CONTROL_OBJECTS } from '../../../sandbox/kube/apf/defaults.ts';
import { planLevels } from '../../../sandbox/kube/apf/levels.ts';
import { lifeguardFlowControlObjects, withDefaults } from '../../../sandbox/kube/apf/manifest.ts';
import { apiLimitsSchema, resolveLimits } from '../../../sandbox/kube/limits.ts';

/** Seats per priority level: ServerCL × shares / Σ shares, as kube-apiserver divides them. */

const seats = (levels: ReturnType<typeof planLevels>) => Object.fromEntries([...levels.values()].map((l) => [l.name, l.concurrency]));

describe('API Priority and Fairness seats', () => {
  it('gives the default levels the seats EKS reports for a server of 600 (apiserver_flowcontrol_request_concurrency_limit)', () => {
    expect(seats(planLevels(DEFAULT_FLOW_CONTROL_OBJECTS, 600))).toEqual({
      exempt: 0,
      'catch-all': 13,
      system: 74,
      'node-high': 98,
      'leader-election': 25,
      'workload-high': 98,
      'workload-low': 245,
      'global-default': 49,
    });
    const globalDefault = planLevels(DEFAULT_FLOW_CONTROL_OBJECTS, 600).get('global-default')!;
    expect(globalDefault).toMatchObject({ queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 }, maxSeats: 7, lendableSeats: 25, borrowableSeats: undefined });
  });

  it('with Lifeguard’s manifest: its two levels take their seats from every other level, as its header says', () => {
    const levels = planLevels(withDefaults(lifeguardFlowControlObjects()), 600);
    expect(seats(levels)).toMatchObject({ 'lifeguard-cordon': 22, 'lifeguard-drain': 44, 'global-default': 44, 'workload-low': 219, system: 66 });
    expect(levels.get('lifeguard-cordon')).toMatchObject({ lendableSeats: 0, queuing: { queues: 16, handSize: 4, queueLengthLimit: 128 } });
    expect(levels.get('lifeguard-drain')).toMatchObject({ lendableSeats: 22, queuing: { queues: 128, handSize: 6, queueLengthLimit: 100 } });
  });

  it('scales with the server’s concurrency limit; the emulator’s overrides change global-default only', () => {
    expect(seats(planLevels(DEFAULT_FLOW_CONTROL_OBJECTS, 1200))['global-default']).toBe(98);
    const overridden = planLevels(DEFAULT_FLOW_CONTROL_OBJECTS, 600, { concurrency: 3, queues: 1, handSize: 1, queueLengthLimit: 2 });
    expect(overridden.get('global-default')).toMatchObject({ concurrency: 3, queuing: { queues: 1, handSize: 1, queueLengthLimit: 2 }, maxSeats: 1 });
    expect(overridden.get('workload-low')).toMatchObject({ concurrency: 245, queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } });
  });

  it('resolves the emulator’s limits against the configuration: global-default has 44 seats once Lifeguard’s levels are applied', () => {
    expect(resolveLimits(apiLimitsSchema.parse({}))).toMatchObject({ concurrency: 49, serverConcurrency: 600 });
    expect(resolveLimits(apiLimitsSchema.parse({}), withDefaults(lifeguardFlowControlObjects()))).toMatchObject({ concurrency: 44, maxSeats: 6 });
    expect(() => resolveLimits(apiLimitsSchema.parse({ queues: 4 }))).toThrow('limits: handSize: handSize must be no larger than queues (4)');
  });
});
