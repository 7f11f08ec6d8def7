import type { Clock } from '../../lib/util/clock.ts';

/**
 * aws-local-stepfunctions runs Wait states on wall-clock timers. For a run on the virtual clock,
 * each Wait state becomes a Task (same name, same transition) whose local handler sleeps on that
 * clock and passes its input through unchanged: exactly what a Wait does. Nothing else changes.
 */

export const SANDBOX_WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:123456789012:function:lifeguard-sandbox-wait';

type StateMap = Record<string, Record<string, unknown>>;
export type LocalHandler = (input: unknown) => Promise<unknown>;

export function withVirtualWaits<T extends { States: StateMap }>(definition: T, clock: Clock): { definition: T; waitHandlers: Record<string, LocalHandler> } {
  const copy = structuredClone(definition);
  const waitHandlers: Record<string, LocalHandler> = {};
  const visit = (states: StateMap) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') {
        const seconds = waitSeconds(name, state);
        const task: Record<string, unknown> = { Type: 'Task', Resource: SANDBOX_WAIT_RESOURCE, Comment: `sandbox: ${name} waits on the virtual clock` };
        if ('Next' in state) task.Next = state.Next;
        if ('End' in state) task.End = state.End;
        states[name] = task;
        waitHandlers[name] = async (input) => {
          await clock.sleep(seconds(input) * 1000);
          return input;
        };
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: StateMap } | undefined;
      if (processor) visit(processor.States);
      for (const branch of (state.Branches as Array<{ States: StateMap }> | undefined) ?? []) visit(branch.States);
    }
  };
  visit(copy.States);
  return { definition: copy, waitHandlers };
}

function waitSeconds(name: string, state: Record<string, unknown>): (input: unknown) => number {
  if (typeof state.Seconds === 'number') {
    const fixed = state.Seconds;
    return () => fixed;
  }
  if (typeof state.SecondsPath === 'string') {
    const path = state.SecondsPath;
    if (!/^\$(\.[A-Za-z0-9_]+)+$/.test(path)) throw new Error(`${name}: the sandbox follows only simple SecondsPath values, not ${path}`);
    const keys = path.slice(2).split('.');
    return (input) => {
      let value: unknown = input;
      for (const key of keys) value = (value as Record<string, unknown> | null)?.[key];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw Object.assign(new Error(`${name}: ${path} is ${JSON.stringify(value)}, not a non-negative integer`), { name: 'States.Runtime' });
      }
      return value;
    };
  }
  throw new Error(`${name}: the sandbox supports Wait states with Seconds or SecondsPath only`);
}
