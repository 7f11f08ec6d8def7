/**
 * Event pattern matching, table-driven from the examples in the Amazon EventBridge user guide.
 * Each group names the guide section it comes from; events are trimmed to the fields that matter.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';

type Case = [name: string, pattern: unknown, event: unknown, expected: boolean];

function check(pattern: unknown, event: unknown): boolean {
  return matchesPattern(validatePattern(pattern), event);
}

// "Creating Amazon EventBridge event patterns": an EC2 state-change event and the pattern that
// selects terminations; fields absent from the pattern are ignored, nesting must agree.
const ec2StateChange = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const terminations = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

describe('creating event patterns', () => {
  it.each<Case>([
    ['the termination pattern matches the termination event', terminations, ec2StateChange, true],
    ['a different state does not match', terminations, { ...ec2StateChange, detail: { state: 'running' } }, false],
    ['source listed with alternatives (aws.ec2 or aws.fargate)', { source: ['aws.ec2', 'aws.fargate'] }, ec2StateChange, true],
    ['a field the event lacks never matches a value', { detail: { 'vpc-id': ['vpc-1'] } }, ec2StateChange, false],
    ['the same name at another nesting level does not match', { state: ['terminated'] }, ec2StateChange, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

// "Arrays in Amazon EventBridge event patterns": an event array matches when its intersection
// with the pattern's array is non-empty.
describe('arrays in event patterns', () => {
  const pattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };
  it.each<Case>([
    [
      'the first pattern item equals the second event item',
      pattern,
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      true,
    ],
    ['no common item', pattern, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] }, false],
    ['an empty event array has nothing in common', pattern, { resources: [] }, false],
  ])('%s', (_name, p, event, expected) => {
    expect(check(p, event)).toBe(expected);
  });
});

// "Matching null values and empty strings": null and "" are distinct values.
describe('null values and empty strings', () => {
  const event = {
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };
  it.each<Case>([
    ['[""] matches an empty string', { detail: { eventVersion: [''] } }, event, true],
    ['[null] matches a null', { detail: { responseElements: [null] } }, event, true],
    ['[""] does not match a null', { detail: { responseElements: [''] } }, event, false],
    ['[null] does not match an empty string', { detail: { eventVersion: [null] } }, event, false],
    ['[null] does not match a missing field', { detail: { absent: [null] } }, event, false],
  ])('%s', (_name, pattern, e, expected) => {
    expect(check(pattern, e)).toBe(expected);
  });
});

// "Comparison operators" / content filtering: prefix, suffix, their ignore-case forms and
// equals-ignore-case work on string values.
describe('prefix, suffix and equals-ignore-case', () => {
  it.each<Case>([
    ['prefix 2017-10-02 on time', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
    ['prefix on another day', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T18:43:48Z' }, false],
    ['prefix "us-" on region', { region: [{ prefix: 'us-' }] }, { region: 'eu-west-1' }, false],
    ['prefix ignore-case EventB on "eventbridge"', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'eventbridge' } }, true],
    ['prefix ignore-case EventB on "EVENTBRIDGE"', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'EVENTBRIDGE' } }, true],
    ['prefix is case-sensitive without equals-ignore-case', { detail: { service: [{ prefix: 'EventB' }] } }, { detail: { service: 'eventbridge' } }, false],
    ['suffix .png', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
    ['suffix .png is case-sensitive', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' }, false],
    ['suffix ignore-case .png on .PNG', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, { detail: { FileName: 'photo.PNG' } }, true],
    ['suffix ignore-case tBridge on "EVENTBRIDGE"', { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] }, { service: 'EVENTBRIDGE' }, true],
    ['equals-ignore-case alice on "Alice"', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' }, true],
    ['equals-ignore-case alice on "Alicia"', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

// Content filtering, "Anything-but matching": single strings and numbers, all-string and
// all-number lists, and prefix / suffix / equals-ignore-case / wildcard forms.
describe('anything-but', () => {
  it.each<Case>([
    ['anything-but "initializing" on running', { detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'running' } }, true],
    ['anything-but "initializing" on initializing', { detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'initializing' } }, false],
    ['anything-but 123 on 124', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 124 } }, true],
    ['anything-but 123 on 123', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 123 } }, false],
    ['anything-but [stopped, overloaded] on running', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, { detail: { state: 'running' } }, true],
    ['anything-but [stopped, overloaded] on overloaded', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, { detail: { state: 'overloaded' } }, false],
    ['anything-but [100, 200, 300] on 150', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, { detail: { 'x-limit': 150 } }, true],
    ['anything-but [100, 200, 300] on 200', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, { detail: { 'x-limit': 200 } }, false],
    ['anything-but prefix init on running', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, { detail: { state: 'running' } }, true],
    ['anything-but prefix init on initializing', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, { detail: { state: 'initializing' } }, false],
    ['anything-but prefix aws. keeps custom sources', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, { source: 'com.example.orders' }, true],
    ['anything-but prefix aws. drops AWS sources', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, { source: 'aws.ec2' }, false],
    ['anything-but suffix .png on .jpg', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }, true],
    ['anything-but suffix .png on .png', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false],
    ['anything-but equals-ignore-case on INITIALIZING', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }, false],
    ['anything-but equals-ignore-case on running', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'running' }, true],
    ['anything-but wildcard */lib/* on a lib path', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/x.so' }, false],
    ['anything-but wildcard */lib/* on another path', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/x' }, true],
    ['anything-but needs the field to be there', { detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: {} }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

// Content filtering, "Numeric matching": JSON numbers only; all fields must hold.
describe('numeric', () => {
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  const detail = { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 };
  it.each<Case>([
    ['every comparison holds', pattern, { detail }, true],
    ['c-count 0 is not > 0', pattern, { detail: { ...detail, 'c-count': 0 } }, false],
    ['c-count 6 is not <= 5', pattern, { detail: { ...detail, 'c-count': 6 } }, false],
    ['d-count 10 is not < 10', pattern, { detail: { ...detail, 'd-count': 10 } }, false],
    ['x-limit written as a string never matches', pattern, { detail: { ...detail, 'x-limit': '301.8' } }, false],
    ['a missing field never matches', pattern, { detail: { 'c-count': 5, 'x-limit': 301.8 } }, false],
  ])('%s', (_name, p, event, expected) => {
    expect(check(p, event)).toBe(expected);
  });
});

// Content filtering, "IP address matching": IPv4 and IPv6 CIDR blocks.
describe('cidr', () => {
  const v4 = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
  const v6 = { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } };
  it.each<Case>([
    ['10.0.0.33 is in 10.0.0.0/24', v4, { detail: { sourceIPAddress: '10.0.0.33' } }, true],
    ['10.0.0.255 is the last address of 10.0.0.0/24', v4, { detail: { sourceIPAddress: '10.0.0.255' } }, true],
    ['10.0.1.1 is outside 10.0.0.0/24', v4, { detail: { sourceIPAddress: '10.0.1.1' } }, false],
    ['2001:db8::1 is in 2001:db8::/32', v6, { detail: { sourceIPAddress: '2001:db8::1' } }, true],
    ['2001:db9::1 is outside 2001:db8::/32', v6, { detail: { sourceIPAddress: '2001:db9::1' } }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

// Content filtering, "Exists matching": presence or absence of a leaf; a field holding an object
// is not a leaf, so `exists: false` still matches it.
describe('exists', () => {
  const absent = { detail: { 'c-count': [{ exists: false }] } };
  const present = { detail: { description: [{ exists: true }] } };
  const base = { 'detail-type': 'EC2 Instance State-change Notification' };
  it.each<Case>([
    ['exists false, field missing', absent, { ...base, detail: { state: ['initializing', 'running'] } }, true],
    ['exists false, field holds an object (not a leaf)', absent, { ...base, detail: { state: 'running', 'c-count': { c1: 100 } } }, true],
    ['exists false, field holds a number', absent, { ...base, detail: { 'c-count': 5 } }, false],
    ['exists true, field present', present, { detail: { description: 'a full-text description' } }, true],
    ['exists true, field missing', present, { detail: {} }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

// Content filtering, "Wildcard matching" and the operators table ("Any file with a .png
// extension, located within the folder dir").
describe('wildcard', () => {
  it.each<Case>([
    ['dir/*.png on dir/a.png', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/a.png' }, true],
    ['dir/*.png on dir/a.jpg', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/a.jpg' }, false],
    ['dir/*.png on other/a.png', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'other/a.png' }, false],
    ['the star also matches nothing', { source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' }, true],
    ['several stars', { eventSource: [{ wildcard: '*.amazonaws.*' }] }, { eventSource: 's3.amazonaws.com' }, true],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

// Content filtering, "$or matching" and the operators table ("Location is New York, or Day is
// Monday"): branches at the top level, nested in a field, and an AND inside a branch.
describe('$or', () => {
  const either = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
  const sourceAndOr = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  const andInsideOr = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
      { scope: ['Service'] },
    ],
  };
  const nested = {
    detail: {
      $or: [
        { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
        { 'd-count': [{ numeric: ['<', 10] }] },
        { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
      ],
    },
  };
  it.each<Case>([
    ['first branch', either, { Location: 'New York', Day: 'Friday' }, true],
    ['second branch', either, { Location: 'Paris', Day: 'Monday' }, true],
    ['no branch', either, { Location: 'Paris', Day: 'Friday' }, false],
    ['source and one branch', sourceAndOr, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' }, true],
    ['a branch without the source', sourceAndOr, { source: 'aws.ec2', namespace: 'AWS/EC2' }, false],
    ['AND inside a branch: both fields', andInsideOr, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' }, true],
    ['AND inside a branch: one field only', andInsideOr, { source: 'aws.cloudwatch', namespace: 'AWS/ES' }, false],
    ['nested in detail: d-count branch', nested, { detail: { 'c-count': 9, 'd-count': 3 } }, true],
    ['nested in detail: no branch', nested, { detail: { 'c-count': 9, 'd-count': 30, 'x-limit': 1 } }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

// Content filtering, "Complex example with multiple matching".
describe('complex example', () => {
  const pattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
    },
  };
  const event = { time: '2017-10-02T16:24:49Z', detail: { state: 'running', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 } };
  it.each<Case>([
    ['everything holds', pattern, event, true],
    ['x-limit is one of the excluded numbers', pattern, { ...event, detail: { ...event.detail, 'x-limit': 200 } }, false],
    ['state is the excluded one', pattern, { ...event, detail: { ...event.detail, state: 'initializing' } }, false],
  ])('%s', (_name, p, e, expected) => {
    expect(check(p, e)).toBe(expected);
  });
});
