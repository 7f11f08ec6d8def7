import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NoticeKind } from '../../../lib/events/notice.ts';
import { parseEvent, supportedEvents } from '../../../lib/events/parse.ts';
import { matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';
import { interruptionRules } from '../../../lib/events/rules.ts';

const fixtureDir = fileURLToPath(new URL('../../fixtures/events/', import.meta.url));
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((name) => ({ name, event: JSON.parse(readFileSync(`${fixtureDir}${name}`, 'utf8')) as Record<string, unknown> }));

const ruleFor: Record<NoticeKind, string> = {
  'spot-interruption': 'SpotInterruption',
  'rebalance-recommendation': 'RebalanceRecommendation',
  'scheduled-change': 'HealthScheduledChange',
  'state-change': 'StateChange',
  'asg-lifecycle': 'AsgTerminateLifecycle',
};

const matching = (event: unknown) =>
  interruptionRules.filter((r) => matchesPattern(validatePattern(r.pattern), event)).map((r) => r.name);
const fixture = (name: string) => structuredClone(fixtures.find((f) => f.name === name)!.event);

describe('interruptionRules', () => {
  it('has one short PascalCase rule per signal, with unique names', () => {
    expect(interruptionRules.map((r) => r.name)).toEqual(Object.values(ruleFor));
    for (const rule of interruptionRules) {
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]{2,40}$/);
      expect(rule.description.length).toBeGreaterThan(0);
      expect(rule.description.length).toBeLessThanOrEqual(512);
      expect(JSON.parse(JSON.stringify(rule.pattern))).toEqual(rule.pattern);
      // What PutRule would accept.
      expect(() => validatePattern(rule.pattern)).not.toThrow();
    }
  });

  it('routes every source/detail-type the parser knows, and only those', () => {
    const routed = interruptionRules.map((r) => ({
      source: (r.pattern.source as string[])[0],
      detailType: (r.pattern['detail-type'] as string[])[0],
    }));
    expect(routed).toEqual(expect.arrayContaining([...supportedEvents]));
    expect(routed).toHaveLength(supportedEvents.length);
  });

  it.each(fixtures.map((f) => [f.name, f.event] as const))('%s matches exactly the rule of its kind', (_name, event) => {
    const notice = parseEvent(event);
    expect(matching(event)).toEqual([ruleFor[notice.kind]]);
  });

  it('Spot, rebalance and Health events do not match each other’s rules', () => {
    const spot = fixture('spot-interruption-terminate.json');
    const rebalance = fixture('rebalance-recommendation.json');
    const health = fixture('health-retirement-rfc1123.json');
    const rule = (name: string) => validatePattern(interruptionRules.find((r) => r.name === name)!.pattern);
    for (const [event, others] of [
      [spot, ['RebalanceRecommendation', 'HealthScheduledChange']],
      [rebalance, ['SpotInterruption', 'HealthScheduledChange']],
      [health, ['SpotInterruption', 'RebalanceRecommendation']],
    ] as const) {
      for (const other of others) expect(matchesPattern(rule(other), event)).toBe(false);
    }
  });

  it('leaves out what Lifeguard does not act on', () => {
    const running = fixture('state-change-stopping.json');
    (running.detail as Record<string, unknown>).state = 'running';
    const stopped = fixture('state-change-stopping.json');
    (stopped.detail as Record<string, unknown>).state = 'stopped';
    const rds = fixture('health-retirement-rfc1123.json');
    (rds.detail as Record<string, unknown>).service = 'RDS';
    const issue = fixture('health-retirement-rfc1123.json');
    (issue.detail as Record<string, unknown>).eventTypeCategory = 'issue';
    const launch = fixture('asg-terminate-lifecycle.json');
    launch['detail-type'] = 'EC2 Instance-launch Lifecycle Action';
    const spoofed = fixture('spot-interruption-terminate.json');
    spoofed.source = 'custom.ec2';
    for (const event of [running, stopped, rds, issue, launch, spoofed]) expect(matching(event)).toEqual([]);
  });
});
