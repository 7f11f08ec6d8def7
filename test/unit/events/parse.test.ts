import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../lib/events/notice.ts';
import type { Notice } from '../../../lib/events/notice.ts';
import { UnsupportedEventError, parseEvent, supportedEvents } from '../../../lib/events/parse.ts';
import { classifyEventTypeCode, EC2_SCHEDULED_CHANGE_TYPES } from '../../../lib/events/parsers/health-event-types.ts';
import { parseRfc1123 } from '../../../lib/events/parsers/scheduled-change.ts';

const fixtureDir = fileURLToPath(new URL('../../fixtures/events/', import.meta.url));
const invalidDir = `${fixtureDir}invalid/`;
const jsonFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const load = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const fixture = (name: string) => load(`${fixtureDir}${name}`);

const I0 = 'i-0aaa1111bbbb22220';
const I1 = 'i-0aaa1111bbbb22221';
const I2 = 'i-0aaa1111bbbb22222';
const common = { account: '123456789012', region: 'us-east-1' };
const at = (iso: string) => Date.parse(iso);

/** A retirement announced in RFC 1123 times (two fixtures become it). */
const retirementRfc1123: Notice = {
  kind: 'scheduled-change',
  eventId: '3f9a2c71-6e0d-4b58-a1f3-7c2e9d4b0a16',
  source: 'aws.health',
  detailType: 'AWS Health Event',
  ...common,
  eventTime: Date.UTC(2026, 2, 2, 17, 5, 11),
  instanceIds: [I0],
  eventArn:
    'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_3f9a2c71-4f1e-4b7a-9c2d-7c2e9d4b0a16',
  eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
  change: 'retirement',
  status: 'upcoming',
  startTime: Date.UTC(2026, 2, 16, 8, 0, 0),
  endTime: Date.UTC(2026, 2, 16, 10, 0, 0),
  deadline: Date.UTC(2026, 2, 16, 8, 0, 0),
};

/** Every valid fixture and the Notice it must become, field for field. */
const expected: Record<string, Notice> = {
  'spot-interruption-terminate.json': {
    kind: 'spot-interruption',
    eventId: '7e5c8f3a-1d2b-4c6e-9f0a-3b8d2e1c4a51',
    source: 'aws.ec2',
    detailType: 'EC2 Spot Instance Interruption Warning',
    ...common,
    eventTime: Date.UTC(2026, 2, 14, 9, 26, 53),
    instanceIds: [I0],
    action: 'terminate',
    deadline: Date.UTC(2026, 2, 14, 9, 28, 53),
  },
  'spot-interruption-stop.json': {
    kind: 'spot-interruption',
    eventId: 'a41f06d2-93b7-4e15-8c2d-6f7e0b9a1c38',
    source: 'aws.ec2',
    detailType: 'EC2 Spot Instance Interruption Warning',
    ...common,
    eventTime: Date.UTC(2026, 2, 14, 11, 2, 17),
    instanceIds: [I1],
    action: 'stop',
    deadline: Date.UTC(2026, 2, 14, 11, 4, 17),
  },
  'spot-interruption-hibernate.json': {
    kind: 'spot-interruption',
    eventId: 'c0d9e8f7-2a6b-4b1c-a5d4-8e3f2a1b0c97',
    source: 'aws.ec2',
    detailType: 'EC2 Spot Instance Interruption Warning',
    ...common,
    eventTime: Date.UTC(2026, 2, 14, 12, 45, 0),
    instanceIds: [I2],
    action: 'hibernate',
    deadline: Date.UTC(2026, 2, 14, 12, 45, 0),
  },
  'rebalance-recommendation.json': {
    kind: 'rebalance-recommendation',
    eventId: '5b2e7c91-0f4a-4d83-b6e2-9a1c7d3f8e04',
    source: 'aws.ec2',
    detailType: 'EC2 Instance Rebalance Recommendation',
    ...common,
    eventTime: Date.UTC(2026, 2, 14, 9, 21, 40),
    instanceIds: [I0],
    deadline: null,
  },
  'health-retirement-rfc1123.json': retirementRfc1123,
  // AWS's own sample Health event says "Tue" for a Monday: the date wins, the event is not rejected.
  'health-wrong-weekday.json': retirementRfc1123,
  'health-reboot-maintenance-iso.json': {
    kind: 'scheduled-change',
    eventId: '8d6b4f20-9c1e-4a37-b5d8-2e0f6a9c3b71',
    source: 'aws.health',
    detailType: 'AWS Health Event',
    ...common,
    eventTime: Date.UTC(2026, 2, 3, 6, 30, 2),
    instanceIds: [I1],
    eventArn:
      'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED/AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED_8d6b4f20-4f1e-4b7a-9c2d-2e0f6a9c3b71',
    eventTypeCode: 'AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED',
    change: 'reboot',
    status: 'upcoming',
    startTime: Date.UTC(2026, 2, 17, 2, 0, 0),
    endTime: Date.UTC(2026, 2, 17, 4, 0, 0),
    deadline: Date.UTC(2026, 2, 17, 2, 0, 0),
  },
  'health-system-reboot-several-instances.json': {
    kind: 'scheduled-change',
    eventId: 'e2a7c5d9-3b6f-4e10-8a4c-1d9b7f0e2c63',
    source: 'aws.health',
    detailType: 'AWS Health Event',
    ...common,
    eventTime: Date.UTC(2026, 2, 4, 14, 12, 45),
    instanceIds: [I0, I1, I2],
    eventArn:
      'arn:aws:health:us-east-1::event/EC2/AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED/AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED_e2a7c5d9-4f1e-4b7a-9c2d-1d9b7f0e2c63',
    eventTypeCode: 'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED',
    change: 'reboot',
    status: 'upcoming',
    startTime: Date.UTC(2026, 2, 18, 21, 0, 0),
    endTime: Date.UTC(2026, 2, 18, 23, 0, 0),
    deadline: Date.UTC(2026, 2, 18, 21, 0, 0),
  },
  'health-persistent-retirement-resources-only.json': {
    kind: 'scheduled-change',
    eventId: '0b4e8a6c-5d2f-4c91-9e3a-7f1b0d6c2e88',
    source: 'aws.health',
    detailType: 'AWS Health Event',
    ...common,
    eventTime: Date.UTC(2026, 2, 5, 3, 41, 9),
    instanceIds: [I2],
    eventArn:
      'arn:aws:health:us-east-1::event/EC2/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED_0b4e8a6c-4f1e-4b7a-9c2d-7f1b0d6c2e88',
    eventTypeCode: 'AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED',
    change: 'retirement',
    status: 'upcoming',
    startTime: Date.UTC(2026, 2, 19, 0, 0, 0),
    endTime: null,
    deadline: Date.UTC(2026, 2, 19, 0, 0, 0),
  },
  'state-change-stopping.json': {
    kind: 'state-change',
    eventId: '6a3e1f9b-8c2d-4e57-b0a9-5d4c3b2a1f06',
    source: 'aws.ec2',
    detailType: 'EC2 Instance State-change Notification',
    ...common,
    eventTime: Date.UTC(2026, 2, 14, 15, 10, 27),
    instanceIds: [I1],
    state: 'stopping',
    deadline: Date.UTC(2026, 2, 14, 15, 10, 27),
  },
  'state-change-shutting-down.json': {
    kind: 'state-change',
    eventId: 'f8e7d6c5-4b3a-4291-8f0e-1d2c3b4a5e69',
    source: 'aws.ec2',
    detailType: 'EC2 Instance State-change Notification',
    ...common,
    eventTime: Date.UTC(2026, 2, 14, 15, 33, 51),
    instanceIds: [I2],
    state: 'shutting-down',
    deadline: Date.UTC(2026, 2, 14, 15, 33, 51),
  },
  'asg-terminate-lifecycle.json': {
    kind: 'asg-lifecycle',
    eventId: '2c9f4e1a-7b3d-4a68-95e0-c8d1b6a3f274',
    source: 'aws.autoscaling',
    detailType: 'EC2 Instance-terminate Lifecycle Action',
    ...common,
    eventTime: Date.UTC(2026, 2, 14, 16, 20, 8),
    instanceIds: [I0],
    autoScalingGroupName: 'eks-spark-workers-20260301-4ac9f1e2',
    lifecycleHookName: 'lifeguard-drain',
    lifecycleActionToken: 'b7d4e2f1-9a6c-4c83-a5e0-3f1d8b2c6e49',
    deadline: null,
  },
};

/** Every malformed fixture and the field its error must name. */
const invalidField: Record<string, string> = {
  'spot-missing-instance-id.json': 'detail.instance-id',
  'spot-bad-instance-action.json': 'detail.instance-action',
  'spot-short-instance-id.json': 'detail.instance-id',
  'spot-bad-time.json': 'time',
  'spot-rfc1123-envelope-time.json': 'time',
  'rebalance-missing-detail.json': 'detail',
  'rebalance-bad-account.json': 'account',
  'health-bad-start-time.json': 'detail.startTime',
  'health-missing-start-time.json': 'detail.startTime',
  'health-end-before-start.json': 'detail.endTime',
  'health-bad-entity-instance-id.json': 'detail.affectedEntities.1.entityValue',
  'health-missing-event-arn.json': 'detail.eventArn',
  'state-change-unknown-state.json': 'detail.state',
  'asg-wrong-transition.json': 'detail.LifecycleTransition',
  'asg-missing-token.json': 'detail.LifecycleActionToken',
  'asg-null-instance-id.json': 'detail.EC2InstanceId',
  'missing-source.json': 'source',
};

function thrown(event: unknown): InvalidEventError {
  try {
    parseEvent(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('parseEvent accepted the event');
}

describe('parseEvent: valid fixtures', () => {
  it('has an expected Notice for every fixture and a fixture for every expected Notice', () => {
    expect(jsonFiles(fixtureDir)).toEqual(Object.keys(expected).sort());
  });

  it('covers every event kind', () => {
    expect(new Set(Object.values(expected).map((n) => n.kind))).toEqual(
      new Set(['spot-interruption', 'rebalance-recommendation', 'scheduled-change', 'state-change', 'asg-lifecycle']),
    );
  });

  it.each(Object.entries(expected))('%s parses to the exact Notice', (name, notice) => {
    expect(parseEvent(fixture(name))).toStrictEqual(notice);
  });

  it('does not mutate its input', () => {
    for (const name of jsonFiles(fixtureDir)) {
      const event = fixture(name);
      const before = structuredClone(event);
      parseEvent(deepFreeze(event));
      expect(event).toStrictEqual(before);
    }
  });

  it('returns arrays the caller may change without touching the event', () => {
    const event = fixture('health-system-reboot-several-instances.json');
    const notice = parseEvent(event);
    notice.instanceIds.push('i-0123456789abcdef0');
    expect(parseEvent(event).instanceIds).toEqual([I0, I1, I2]);
  });
});

describe('parseEvent: deadlines', () => {
  it('Spot terminate and stop: event time + 120 000 ms', () => {
    for (const name of ['spot-interruption-terminate.json', 'spot-interruption-stop.json']) {
      const event = fixture(name);
      const notice = parseEvent(event);
      expect(notice.deadline).toBe(at(event.time as string) + 120_000);
      expect(notice.deadline! - notice.eventTime).toBe(120_000);
    }
  });

  it('Spot with a fractional-second, offset time keeps the milliseconds', () => {
    const event = { ...fixture('spot-interruption-terminate.json'), time: '2026-03-14T10:26:53.457+01:00' };
    const notice = parseEvent(event);
    expect(notice.eventTime).toBe(Date.UTC(2026, 2, 14, 9, 26, 53, 457));
    expect(notice.deadline).toBe(Date.UTC(2026, 2, 14, 9, 28, 53, 457));
  });

  it('Spot hibernate: the event time itself', () => {
    const notice = parseEvent(fixture('spot-interruption-hibernate.json'));
    expect(notice.deadline).toBe(notice.eventTime);
  });

  it('rebalance and lifecycle: none', () => {
    expect(parseEvent(fixture('rebalance-recommendation.json')).deadline).toBeNull();
    expect(parseEvent(fixture('asg-terminate-lifecycle.json')).deadline).toBeNull();
  });

  it('Health: startTime, whether RFC 1123 or ISO 8601', () => {
    const rfc = fixture('health-retirement-rfc1123.json');
    const iso = structuredClone(rfc);
    (iso.detail as Record<string, unknown>).startTime = '2026-03-16T08:00:00Z';
    (iso.detail as Record<string, unknown>).endTime = '2026-03-16T12:00:00+02:00';
    const a = parseEvent(rfc);
    const b = parseEvent(iso);
    expect(a.deadline).toBe(Date.UTC(2026, 2, 16, 8));
    expect(b.deadline).toBe(Date.UTC(2026, 2, 16, 8));
    expect(b.kind === 'scheduled-change' && b.endTime).toBe(Date.UTC(2026, 2, 16, 10));
  });

  it('state change: the event time', () => {
    const notice = parseEvent(fixture('state-change-stopping.json'));
    expect(notice.deadline).toBe(Date.UTC(2026, 2, 14, 15, 10, 27));
  });
});

describe('parseEvent: Health classification and instances', () => {
  const withCode = (code: string) => {
    const event = structuredClone(fixture('health-retirement-rfc1123.json'));
    (event.detail as Record<string, unknown>).eventTypeCode = code;
    return parseEvent(event);
  };

  // Every code AWS's material names, each with the fate of its node (reboot: it comes back).
  it.each([
    ['AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_INSTANCE_REBOOT_FLEXIBLE_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_SYSTEM_MAINTENANCE_EVENT', 'reboot'],
    ['AWS_EC2_INSTANCE_NETWORK_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_INSTANCE_POWER_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_PERSISTENT_INSTANCE_POWER_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_DEDICATED_HOST_NETWORK_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_DEDICATED_HOST_POWER_MAINTENANCE_SCHEDULED', 'reboot'],
    ['AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED', 'retirement'],
    ['AWS_EC2_INSTANCE_RETIREMENT_EXPEDITED', 'retirement'],
    ['AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED', 'retirement'],
    ['AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_EXPEDITED', 'retirement'],
    ['AWS_EC2_DEDICATED_HOST_RETIREMENT_SCHEDULED', 'retirement'],
    ['AWS_EC2_DEDICATED_HOST_ACCESSREVOKED_RETIREMENT_SCHEDULED', 'retirement'],
    ['AWS_EC2_INSTANCE_STOP_SCHEDULED', 'retirement'],
    ['AWS_EC2_INSTANCE_TERMINATION_SCHEDULED', 'retirement'],
  ])('%s → %s', (code, change) => {
    expect(classifyEventTypeCode(code)).toEqual({ change, known: true });
    const notice = withCode(code);
    expect(notice).toMatchObject({ kind: 'scheduled-change', change });
    expect(notice).not.toHaveProperty('unknownEventType');
  });

  it('the table lists each code once, with where it was found, and nothing this test does not pin', () => {
    for (const [code, type] of Object.entries(EC2_SCHEDULED_CHANGE_TYPES)) {
      expect(code).toMatch(/^AWS_EC2_[A-Z_]+$/);
      expect(['schema', 'automation', 'api', 'nth', 'insight', 'catalog']).toContain(type.source);
    }
    expect(Object.keys(EC2_SCHEDULED_CHANGE_TYPES)).toHaveLength(18);
  });

  it('an unknown code: handled as a retirement (the safe default), and marked so the handler reports it', () => {
    expect(classifyEventTypeCode('AWS_EC2_SOMETHING_NEW_SCHEDULED')).toEqual({ change: 'retirement', known: false });
    expect(withCode('AWS_EC2_SOMETHING_NEW_SCHEDULED')).toMatchObject({ change: 'retirement', unknownEventType: true });
    // Not fooled by what every object has.
    expect(classifyEventTypeCode('constructor')).toEqual({ change: 'retirement', known: false });
  });

  it('merges affectedEntities with instance ids in resources, without duplicates, skipping hosts', () => {
    const event = structuredClone(fixture('health-system-reboot-several-instances.json'));
    const detail = event.detail as { affectedEntities: Array<{ entityValue: string }> };
    detail.affectedEntities.push({ entityValue: 'h-0123456789abcdef0' });
    event.resources = [I2, 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', 'h-0123456789abcdef0'];
    expect(parseEvent(event).instanceIds).toEqual([I0, I1, I2, 'i-0123456789abcdef0']);
  });

  it('a closed Health scheduled change is a notice too (it cancels what was scheduled)', () => {
    const event = structuredClone(fixture('health-reboot-maintenance-iso.json'));
    (event.detail as Record<string, unknown>).statusCode = 'closed';
    expect(parseEvent(event)).toMatchObject({ kind: 'scheduled-change', status: 'closed' });
  });

  it('accepts 8-digit instance ids', () => {
    const event = structuredClone(fixture('rebalance-recommendation.json'));
    (event.detail as Record<string, unknown>)['instance-id'] = 'i-0a1b2c3d';
    expect(parseEvent(event).instanceIds).toEqual(['i-0a1b2c3d']);
  });

  it('parses RFC 1123: real dates only; a wrong weekday (as in AWS\'s own sample event) is tolerated', () => {
    expect(parseRfc1123('Wed, 05 Apr 2023 12:00:00 GMT')).toBe(Date.UTC(2023, 3, 5, 12));
    expect(parseRfc1123('Wed, 5 Apr 2023 12:00:00 GMT')).toBe(Date.UTC(2023, 3, 5, 12));
    expect(parseRfc1123('Thu, 05 Apr 2023 12:00:00 GMT')).toBe(Date.UTC(2023, 3, 5, 12));
    expect(parseRfc1123('Fri, 31 Feb 2023 12:00:00 GMT')).toBeUndefined();
    expect(parseRfc1123('Wed, 05 Apr 2023 12:00:00 PST')).toBeUndefined();
    expect(parseRfc1123('2023-04-05T12:00:00Z')).toBeUndefined();
  });
});

describe('parseEvent: malformed events', () => {
  it('has an expected field for every invalid fixture and a fixture for every expected field', () => {
    expect(jsonFiles(invalidDir)).toEqual(Object.keys(invalidField).sort());
  });

  it.each(Object.entries(invalidField))('%s throws InvalidEventError naming %s', (name, field) => {
    const error = thrown(load(`${invalidDir}${name}`));
    expect(error).not.toBeInstanceOf(UnsupportedEventError);
    expect(error.name).toBe('InvalidEventError');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: expected`)).toBe(true);
    expect(error.message).toContain(' (got ');
  });

  it('says what was expected and what came', () => {
    expect(thrown(load(`${invalidDir}spot-bad-instance-action.json`)).message).toBe(
      'detail.instance-action: expected one of "terminate", "stop", "hibernate" (got "reboot")',
    );
    expect(thrown(load(`${invalidDir}spot-missing-instance-id.json`)).message).toBe(
      'detail.instance-id: expected a string (got nothing)',
    );
    expect(thrown(load(`${invalidDir}spot-short-instance-id.json`)).message).toBe(
      'detail.instance-id: expected an EC2 instance id (i- and 8 or 17 lowercase hex digits) (got "i-0aaa1111bbbb2222")',
    );
    expect(thrown(load(`${invalidDir}health-end-before-start.json`)).message).toBe(
      'detail.endTime: expected a time at or after detail.startTime (got "2026-03-17T01:00:00Z")',
    );
    expect(thrown(load(`${invalidDir}asg-null-instance-id.json`)).message).toBe('detail.EC2InstanceId: expected a string (got null)');
  });

  it.each([
    ['a string', 'not an event', '(root)'],
    ['null', null, '(root)'],
    ['an array', [], '(root)'],
    ['detail as an array', { ...fixture('rebalance-recommendation.json'), detail: [] }, 'detail'],
    ['resources not strings', { ...fixture('rebalance-recommendation.json'), resources: [42] }, 'resources.0'],
    ['a bad region', { ...fixture('rebalance-recommendation.json'), region: 'US East' }, 'region'],
  ])('rejects %s', (_label, event, field) => {
    expect(thrown(event).field).toBe(field);
  });
});

describe('parseEvent: events Lifeguard does not act on', () => {
  const unsupported = (event: unknown) => {
    const error = thrown(event);
    expect(error).toBeInstanceOf(UnsupportedEventError);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.name).toBe('UnsupportedEventError');
    return error;
  };

  it('an unknown detail-type', () => {
    const event = { ...fixture('spot-interruption-terminate.json'), 'detail-type': 'EC2 Fleet Spot Instance Request Change' };
    const error = unsupported(event);
    expect(error.field).toBe('detail-type');
    expect(error.message).toContain('EC2 Fleet Spot Instance Request Change');
  });

  it('a known detail-type from another source', () => {
    expect(unsupported({ ...fixture('spot-interruption-terminate.json'), source: 'custom.spot' }).field).toBe('detail-type');
  });

  it('a Health event for another service or category', () => {
    const rds = structuredClone(fixture('health-retirement-rfc1123.json'));
    (rds.detail as Record<string, unknown>).service = 'RDS';
    expect(unsupported(rds).field).toBe('detail.service');
    const issue = structuredClone(fixture('health-retirement-rfc1123.json'));
    (issue.detail as Record<string, unknown>).eventTypeCategory = 'issue';
    expect(unsupported(issue).field).toBe('detail.eventTypeCategory');
  });

  it('a Health event naming no instance (a dedicated host)', () => {
    const event = structuredClone(fixture('health-retirement-rfc1123.json'));
    (event.detail as Record<string, unknown>).affectedEntities = [{ entityValue: 'h-0123456789abcdef0' }];
    event.resources = ['h-0123456789abcdef0'];
    expect(unsupported(event).field).toBe('detail.affectedEntities');
  });

  it('an instance starting, not stopping', () => {
    const event = structuredClone(fixture('state-change-stopping.json'));
    (event.detail as Record<string, unknown>).state = 'running';
    expect(unsupported(event).field).toBe('detail.state');
  });

  it('lists the five supported source/detail-type pairs', () => {
    expect(supportedEvents).toHaveLength(5);
    for (const name of jsonFiles(fixtureDir)) {
      const event = fixture(name);
      expect(supportedEvents).toContainEqual({ source: event.source, detailType: event['detail-type'] });
    }
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
