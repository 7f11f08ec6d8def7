import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { taskStates, taskTarget } from '../../lib/dr/task-resources.ts';
import { THROTTLING_ERROR } from '../../lib/dr/task-errors.ts';
import { failoverDefinition, LOCAL_FAILOVER_REFS } from '../../statemachines/failover.ts';

const definition = failoverDefinition(LOCAL_FAILOVER_REFS);

function allStates(states: Record<string, Record<string, unknown>>): Array<[string, Record<string, unknown>]> {
  return Object.entries(states).flatMap(([name, state]) => {
    const nested = (state.ItemProcessor as { States: Record<string, Record<string, unknown>> } | undefined)?.States;
    return [[name, state] as [string, Record<string, unknown>], ...(nested ? allStates(nested) : [])];
  });
}

describe('failover definition', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(structuredClone(definition));
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is JSONPath throughout (the local runner ignores JSONata)', () => {
    expect(JSON.stringify(definition)).not.toMatch(/QueryLanguage|JSONata|\{%/);
  });

  it('retries throttling on every AWS API task', () => {
    const services = taskStates(definition).filter((t) => taskTarget(t.resource).kind === 'service');
    expect(services.length).toBeGreaterThan(10);
    const states = new Map(allStates(definition.States as never));
    for (const { name, resource } of services) {
      const retry = (states.get(name)!.Retry ?? []) as Array<{ ErrorEquals: string[] }>;
      const retried = retry.flatMap((r) => r.ErrorEquals);
      const target = taskTarget(resource);
      if (target.kind === 'service' && (target.service === 'emr' || target.service === 'elbv2')) {
        expect(retried, name).toContain(THROTTLING_ERROR[target.service]);
      } else {
        expect(retried.length, name).toBeGreaterThan(0);
      }
    }
  });

  it('never retries cluster creation on anything but throttling (a retry could create two)', () => {
    const create = definition.States.CreateCluster as { Retry: Array<{ ErrorEquals: string[] }> };
    expect(create.Retry.flatMap((r) => r.ErrorEquals).every((e) => e.endsWith('ThrottlingException') || e.endsWith('Throttling'))).toBe(true);
  });

  it('routes every failure after the lock to the cleanup path', () => {
    const beforeLock = new Set(['ValidateInput', 'AcquireLock', 'NotifyLockUnavailable']);
    const cleanup = new Set(['RollbackNewTargets', 'UnprotectNewCluster', 'TerminateNewCluster', 'EmitFailed', 'ReleaseLockFailed']);
    for (const [name, state] of Object.entries(definition.States as Record<string, Record<string, unknown>>)) {
      if (!['Task', 'Map'].includes(String(state.Type)) || beforeLock.has(name) || cleanup.has(name)) continue;
      const catchers = (state.Catch ?? []) as Array<{ ErrorEquals: string[]; Next: string }>;
      expect(catchers.some((c) => c.ErrorEquals.includes('States.ALL')), `${name} catches States.ALL`).toBe(true);
    }
  });
});
