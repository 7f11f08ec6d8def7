import { stepFunctionsErrorName, taskStates, taskTarget, type TaskTarget } from '../../lib/dr/task-resources.ts';
import type { FailoverResourceRefs } from '../../statemachines/failover.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import { TASK_FUNCTIONS, type InvocationRecorder } from './aws-calls.ts';
import { withVirtualWaits, type LocalHandler } from './local-definition.ts';
import { ServiceError } from './service-error.ts';
import type { ServiceIntegrations } from './service-integrations.ts';
import { withVirtualRetryDelays } from './task-retries.ts';

/**
 * Each Task state of the definition bound by its Resource to a local handler: a Lambda's code or
 * an emulated service. aws-local-stepfunctions would wait out Wait states and retry intervals on
 * wall-clock timers: both are slept on the virtual clock instead.
 */

type Definition = { States: Record<string, Record<string, unknown>> };

export interface TaskBindingDeps {
  clock: VirtualClock;
  refs: FailoverResourceRefs;
  /** The Lambdas' handlers, by the ARN the definition invokes. */
  lambdas: Record<string, LocalHandler>;
  services: ServiceIntegrations;
  invoked: InvocationRecorder;
}

export interface BoundDefinition<T extends Definition> {
  /** The definition as run: its Wait states are virtual-clock Tasks. */
  definition: T;
  /** aws-local-stepfunctions' taskResourceLocalHandlers. */
  handlers: Record<string, LocalHandler>;
  /** aws-local-stepfunctions' retryIntervalOverrides. */
  retryOverrides: Record<string, number>;
}

export function bindTaskStates<T extends Definition>(base: T, deps: TaskBindingDeps): BoundDefinition<T> {
  const { definition, waitHandlers } = withVirtualWaits(base, deps.clock);
  const handlers: Record<string, LocalHandler> = { ...waitHandlers };
  const retryOverrides: Record<string, number> = {};
  const functionKeys = functionKeysOf(deps.refs);
  const retriersOf = taskRetriers(base);
  const sleep = (ms: number) => deps.clock.sleep(ms);
  for (const { name, resource } of taskStates(base)) {
    // The local runner would wait out retry intervals on wall-clock timers: the wrapper sleeps them virtually.
    retryOverrides[name] = 0;
    const target = taskTarget(resource);
    const handler = target.kind === 'lambda' ? lambdaTask(name, target.functionArn, deps, functionKeys) : serviceTask(target, deps.services);
    handlers[name] = withVirtualRetryDelays(handler, retriersOf.get(name) ?? [], sleep);
  }
  return { definition, handlers, retryOverrides };
}

type TaskFunctionKey = (typeof TASK_FUNCTIONS)[keyof typeof TASK_FUNCTIONS];

/** Which function (as the IAM simulation names it) each Lambda ARN of the definition is. */
function functionKeysOf(refs: FailoverResourceRefs): Map<string, TaskFunctionKey> {
  return new Map(Object.entries(TASK_FUNCTIONS).map(([ref, key]) => [String(refs[ref as keyof typeof TASK_FUNCTIONS]), key]));
}

function lambdaTask(name: string, functionArn: string, deps: TaskBindingDeps, functionKeys: Map<string, TaskFunctionKey>): LocalHandler {
  const fn = deps.lambdas[functionArn];
  const key = functionKeys.get(functionArn);
  if (!fn || !key) throw new Error(`${name}: no local handler for ${functionArn}`);
  return async (input) => {
    deps.invoked(key, { stateMachine: 'failover' });
    return json(await fn(json(input)));
  };
}

/** A service's error as the Task state sees it: Step Functions' name for it (EMR.InvalidRequestException, ...). */
function serviceTask(target: Extract<TaskTarget, { kind: 'service' }>, services: ServiceIntegrations): LocalHandler {
  const call = services[target.service];
  return async (input) => {
    try {
      return json(await call(target.action, json(input) as Record<string, unknown>));
    } catch (err) {
      if (err instanceof ServiceError) throw Object.assign(new Error(err.message), { name: stepFunctionsErrorName(target, err.name) });
      throw err;
    }
  };
}

/** Every Task state's Retry list, nested states included (Map item processors). */
function taskRetriers(definition: { States: Record<string, unknown> }): Map<string, Array<{ ErrorEquals: string[] }>> {
  const found = new Map<string, Array<{ ErrorEquals: string[] }>>();
  const visit = (states: Record<string, unknown>) => {
    for (const [name, raw] of Object.entries(states)) {
      const state = raw as { Type?: string; Retry?: Array<{ ErrorEquals: string[] }>; ItemProcessor?: { States: Record<string, unknown> } };
      if (state.Type === 'Task') found.set(name, state.Retry ?? []);
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
    }
  };
  visit(definition.States);
  return found;
}

/** Step Functions moves JSON: no undefined, no shared references. */
function json(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
