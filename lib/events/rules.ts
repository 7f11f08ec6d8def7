import { parsers } from './parse.ts';

/**
 * The EventBridge rules Lifeguard deploys, one per signal, as data: the stack turns each into an
 * AWS::Events::Rule (the name becomes part of its logical id), and the tests prove every sample
 * event matches exactly one of them.
 */
export interface InterruptionRule {
  name: string;
  description: string;
  pattern: Record<string, unknown>;
}

/** One rule per parser, from the parser itself: what is parsed is exactly what is delivered. */
export const interruptionRules: ReadonlyArray<InterruptionRule> = parsers.map(({ source, detailType, rule }) => ({
  name: rule.name,
  description: rule.description,
  pattern: { source: [source], 'detail-type': [detailType], ...(rule.detail ? { detail: rule.detail } : {}) },
}));
