import { interruptionRules } from '../../lib/events/rules.ts';
import { didYouMean } from '../../lib/util/suggest.ts';
import type { Delivery } from './deliveries.ts';
import type { Invocation } from './lambda.ts';
import type { UnexpectedEvent } from './result.ts';
import type { Scenario } from './schema.ts';


/** The detail-types Lifeguard's rules match, for a suggestion when a scenario's matches none. */
const knownDetailTypes = interruptionRules.flatMap((r) => (r.pattern['detail-type'] as string[] | undefined) ?? []);

/** ` — did you mean "…"?` for a detail-type close to one a rule matches; '' otherwise. */
export function detailTypeSuggestion(detailType: string): string {
  const near = didYouMean(detailType, knownDetailTypes);
  return near ? ` — did you mean "${near}"?` : '';
}

/**
 * Each event step either does something (a rule delivers it and Lifeguard acts on a node of the
 * cluster: cordons, schedules, decides on no action by policy...) or says `expect: ignored`. A run
 * whose events all fall through would pass a rehearsal in CI while testing nothing: a misspelt
 * detail-type, an instance that is no node, an event Lifeguard does not act on. With
 * `expect: ignored` the opposite is checked: Lifeguard must not act on it.
 */
export function unexpectedEvents(scenario: Scenario, deliveries: readonly Delivery[], invocations: readonly Invocation[]): UnexpectedEvent[] {
  const found: UnexpectedEvent[] = [];
  for (const delivery of deliveries) {
    if (delivery.kind !== 'event' || delivery.copy > 0) continue;
    const step = scenario.events[delivery.step];
    const expectsIgnored = step !== undefined && 'event' in step && step.expect === 'ignored';
    const detailType = String(delivery.event['detail-type']);
    const idle = whyIdle(delivery, invocations.filter((i) => i.step === delivery.step && i.trigger !== 'continuation'), scenario.until);
    if (idle && !expectsIgnored) found.push({ step: delivery.step, detailType, problem: `${idle} (add \`expect: ignored\` to the step if that is what it tests)` });
    if (!idle && expectsIgnored) found.push({ step: delivery.step, detailType, problem: 'expected to be ignored, but Lifeguard acted on it' });
  }
  return found;
}

/** Why an event did nothing, or undefined when it did something (or failed trying: that is reported elsewhere). */
function whyIdle(delivery: Extract<Delivery, { kind: 'event' }>, invocations: readonly Invocation[], until: number): string | undefined {
  const detailType = String(delivery.event['detail-type']);
  if (!delivery.rule) return `matched no EventBridge rule of Lifeguard (detail-type "${detailType}", source "${String(delivery.event.source)}")${detailTypeSuggestion(detailType)}`;
  const reports = invocations.flatMap((i) => (i.report ? [i.report] : []));
  if (invocations.length === 0) return `was not handled before the run ended (until: ${until} s)`;
  if (reports.length === 0) return undefined;
  if (reports.every((r) => r.ignored)) return `Lifeguard ignored it: ${reports[0]!.reason ?? 'no reason given'}`;
  const instances = reports.flatMap((r) => r.instances);
  if (instances.every((i) => i.status === 'ignored')) {
    const ids = [...new Set(instances.map((i) => i.instanceId))];
    return ids.length ? `matched no node of the cluster (instance${ids.length > 1 ? 's' : ''} ${ids.join(', ')})` : 'names no instance';
  }
  return undefined;
}
