import middy from '@middy/core';
import type { DrConfig } from '../lib/config/dr.ts';
import { configFromEnvironment } from '../lib/config/load.ts';
import { prepareExecution, type ExecutionState, type ValidateEvent } from '../lib/dr/execution.ts';

/**
 * First state of the failover state machine: validates the trigger's input against the inlined
 * configuration and returns the initial execution state. Throws InvalidFailoverInput (the
 * state machine's Error) with the offending field named.
 */
export function makeValidateHandler(dr: DrConfig) {
  return async (event: ValidateEvent): Promise<ExecutionState> => prepareExecution(event, dr);
}

export const handler = middy<ValidateEvent, ExecutionState>().handler(makeValidateHandler(configFromEnvironment().dr));
