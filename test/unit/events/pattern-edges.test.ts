/**
 * Event pattern matching: the subtle cases around the documented rules — arrays, null versus
 * missing, JSON types, leaf-only operators, escaping, IPv6, and `$or` inside a field.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';

type Case = [name: string, pattern: unknown, event: unknown, expected: boolean];

function check(pattern: unknown, event: unknown): boolean {
  return matchesPattern(validatePattern(pattern), event);
}

describe('JSON types', () => {
  it.each<Case>([
    ['a pattern number matches an equal number written differently', { n: [300] }, { n: 3.0e2 }, true],
    ['a pattern number does not match the same digits as a string', { n: [300] }, { n: '300' }, false],
    ['a pattern string does not match the number it spells', { n: ['300'] }, { n: 300 }, false],
    ['true matches the boolean only', { b: [true] }, { b: 'true' }, false],
    ['false matches false', { b: [false] }, { b: false }, true],
    ['numeric never matches a numeric string', { n: [{ numeric: ['>=', 0] }] }, { n: '5' }, false],
    ['numeric never matches a boolean or null', { n: [{ numeric: ['>=', 0] }] }, { n: [true, null] }, false],
    ['numeric = with a negative number', { n: [{ numeric: ['=', -2.5] }] }, { n: -2.5 }, true],
    ['prefix never matches a number', { n: [{ prefix: '1' }] }, { n: 12 }, false],
    ['equals-ignore-case never matches null', { n: [{ 'equals-ignore-case': 'null' }] }, { n: null }, false],
    ['exact strings are case-sensitive', { s: ['Running'] }, { s: 'running' }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('arrays in the event', () => {
  it.each<Case>([
    ['any element satisfies numeric', { n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 30] }, true],
    ['no element satisfies numeric', { n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 3] }, false],
    ['nested event arrays are flattened', { s: ['x'] }, { s: [['a'], ['b', ['x']]] }, true],
    ['anything-but holds when one element is not excluded', { s: [{ 'anything-but': ['a', 'b'] }] }, { s: ['a', 'c'] }, true],
    ['anything-but fails when every element is excluded', { s: [{ 'anything-but': ['a', 'b'] }] }, { s: ['a', 'b'] }, false],
    ['a sub-pattern matches one element of an array of objects', { items: { id: ['2'] } }, { items: [{ id: '1' }, { id: '2' }] }, true],
    [
      'fields from different array elements do not combine',
      { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      { employees: [{ firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] },
      false,
    ],
    [
      'fields from the same array element combine',
      { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] },
      true,
    ],
    ['objects inside a leaf array are not leaves', { s: ['x'] }, { s: [{ v: 'x' }] }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('leaves only', () => {
  it.each<Case>([
    ['a value pattern against an object in the event', { detail: ['x'] }, { detail: { a: 'x' } }, false],
    ['anything-but against an object in the event', { detail: [{ 'anything-but': 'x' }] }, { detail: { a: 'y' } }, false],
    ['an object pattern against a string in the event', { detail: { state: ['x'] } }, { detail: 'x' }, false],
    ['an object pattern descends through nesting', { a: { b: { c: ['deep'] } } }, { a: { b: { c: 'deep' } } }, true],
    ['inherited properties are not event fields', { toString: [{ exists: true }] }, {}, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('null, missing and exists', () => {
  it.each<Case>([
    ['exists false against a missing field', { d: { x: [{ exists: false }] } }, { d: {} }, true],
    ['exists false against a present null', { d: { x: [{ exists: false }] } }, { d: { x: null } }, false],
    ['exists true against a present null', { d: { x: [{ exists: true }] } }, { d: { x: null } }, true],
    ['exists true against an object (not a leaf)', { d: { x: [{ exists: true }] } }, { d: { x: { y: 1 } } }, false],
    ['exists false when the parent object is missing', { d: { x: [{ exists: false }] } }, { other: 1 }, true],
    ['exists false against an empty array (no leaf)', { d: { x: [{ exists: false }] } }, { d: { x: [] } }, true],
    ['exists true against an array of values', { d: { x: [{ exists: true }] } }, { d: { x: ['a'] } }, true],
    ['exists true against an empty array', { d: { x: [{ exists: true }] } }, { d: { x: [] } }, false],
    [
      'exists false fails when any array element has the field',
      { items: { x: [{ exists: false }] } },
      { items: [{ y: 1 }, { x: 2 }] },
      false,
    ],
    ['exists false OR a value: the value branch', { x: [{ exists: false }, 'on'] }, { x: 'on' }, true],
    ['exists false OR a value: neither', { x: [{ exists: false }, 'on'] }, { x: 'off' }, false],
    ['null matches null inside an array', { x: [null] }, { x: ['a', null] }, true],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('wildcard escaping', () => {
  it.each<Case>([
    ['\\* is a literal asterisk', { s: [{ wildcard: 'a\\*b' }] }, { s: 'a*b' }, true],
    ['\\* does not act as a wildcard', { s: [{ wildcard: 'a\\*b' }] }, { s: 'axb' }, false],
    ['\\\\ is a literal backslash', { s: [{ wildcard: 'C:\\\\*' }] }, { s: 'C:\\Windows' }, true],
    ['an escaped star next to a wildcard', { s: [{ wildcard: '*\\**' }] }, { s: 'rating: ***' }, true],
    ['an escaped star is required when given', { s: [{ wildcard: '*\\**' }] }, { s: 'no stars' }, false],
    ['a lone star matches the empty string', { s: [{ wildcard: '*' }] }, { s: '' }, true],
    ['segments must not overlap', { s: [{ wildcard: 'ab*ba' }] }, { s: 'aba' }, false],
    ['leftmost placement of middle segments', { s: [{ wildcard: '*a*b*c' }] }, { s: 'xxaxbxbc' }, true],
    ['regular-expression characters are literal', { s: [{ wildcard: 'a.c*' }] }, { s: 'abc' }, false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('cidr details', () => {
  it.each<Case>([
    ['IPv6 with a compressed zero run', { ip: [{ cidr: 'fd00:1:2::/48' }] }, { ip: 'fd00:1:2:ffff::1' }, true],
    ['IPv6 full form', { ip: [{ cidr: 'fd00::/8' }] }, { ip: 'fd12:3456:789a:0001:0000:0000:0000:0001' }, true],
    ['IPv6 outside the block', { ip: [{ cidr: 'fd00:1:2::/48' }] }, { ip: 'fd00:1:3::1' }, false],
    ['IPv6 with an embedded IPv4 tail', { ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:10.0.0.1' }, true],
    ['an IPv4 address never matches an IPv6 block', { ip: [{ cidr: '::/0' }] }, { ip: '10.0.0.1' }, false],
    ['host bits in the block are ignored', { ip: [{ cidr: '10.0.0.77/24' }] }, { ip: '10.0.0.1' }, true],
    ['a /32 is one address', { ip: [{ cidr: '10.0.0.1/32' }] }, { ip: '10.0.0.2' }, false],
    ['a hostname is not an address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'ip-10-0-0-1.ec2.internal' }, false],
    ['an octet above 255 is not an address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.0.0.256' }, false],
    ['any element of an address array', { ip: [{ cidr: '192.168.0.0/16' }] }, { ip: ['10.0.0.1', '192.168.4.4'] }, true],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('anything-but details', () => {
  it.each<Case>([
    ['anything-but prefix list', { s: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] }, { s: 'eu-west-1' }, false],
    ['anything-but prefix list, not excluded', { s: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] }, { s: 'ap-south-1' }, true],
    ['anything-but suffix list', { s: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] }, { s: 'a.jpg' }, false],
    ['anything-but equals-ignore-case list', { s: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Overloaded'] } }] }, { s: 'OVERLOADED' }, false],
    ['anything-but wildcard list', { s: [{ 'anything-but': { wildcard: ['*/lib/*', '*.tmp'] } }] }, { s: 'x.tmp' }, false],
    ['anything-but wildcard list, not excluded', { s: [{ 'anything-but': { wildcard: ['*/lib/*', '*.tmp'] } }] }, { s: '/usr/bin/x' }, true],
    ['anything-but numbers compare numerically', { n: [{ 'anything-but': [100] }] }, { n: 1e2 }, false],
    ['anything-but a string lets a number through', { s: [{ 'anything-but': 'a' }] }, { s: 1 }, true],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('numeric bounds', () => {
  it.each<Case>([
    ['>= includes the bound', { n: [{ numeric: ['>=', 5] }] }, { n: 5 }, true],
    ['> excludes the bound', { n: [{ numeric: ['>', 5] }] }, { n: 5 }, false],
    ['<= includes the bound', { n: [{ numeric: ['<=', 5] }] }, { n: 5 }, true],
    ['range with both ends inclusive, lower end', { n: [{ numeric: ['>=', 10, '<=', 20] }] }, { n: 10 }, true],
    ['range with an open top', { n: [{ numeric: ['>=', 10, '<', 20] }] }, { n: 20 }, false],
    ['several numeric alternatives OR', { n: [{ numeric: ['<', 0] }, { numeric: ['>', 100] }] }, { n: 101 }, true],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('$or nesting', () => {
  it.each<Case>([
    [
      '$or inside a field, combined with a sibling',
      { detail: { state: ['stopping'], $or: [{ 'instance-id': [{ prefix: 'i-0a' }] }, { tags: { spot: ['true'] } }] } },
      { detail: { state: 'stopping', 'instance-id': 'i-0b', tags: { spot: 'true' } } },
      true,
    ],
    [
      '$or inside a field, sibling fails',
      { detail: { state: ['stopping'], $or: [{ 'instance-id': [{ prefix: 'i-0a' }] }, { tags: { spot: ['true'] } }] } },
      { detail: { state: 'running', 'instance-id': 'i-0a1' } },
      false,
    ],
    [
      '$or inside a $or branch',
      { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPU'] }, { metricType: ['T'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }] },
      { source: 'aws.cloudwatch', metricType: 'T', spaceId: 1000 },
      true,
    ],
    [
      '$or inside a $or branch, inner fails',
      { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPU'] }, { metricType: ['T'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }] },
      { source: 'aws.cloudwatch', metricType: 'T', spaceId: 1 },
      false,
    ],
    [
      'two parallel $or groups must both hold',
      { $or: [{ a: ['1'] }, { b: ['1'] }], detail: { $or: [{ c: ['1'] }, { d: ['1'] }] } },
      { a: '1', detail: { c: '2', d: '2' } },
      false,
    ],
    [
      '$or branches see one array element at a time',
      { items: { $or: [{ a: ['1'] }, { b: ['1'] }], c: ['1'] } },
      { items: [{ a: '1' }, { c: '1' }] },
      false,
    ],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('events that are not objects', () => {
  it.each<Case>([
    ['undefined', { source: ['aws.ec2'] }, undefined, false],
    ['a string', { source: ['aws.ec2'] }, 'aws.ec2', false],
    ['only absence can match nothing', { source: [{ exists: false }] }, null, true],
  ])('%s', (_name, pattern, event, expected) => {
    expect(check(pattern, event)).toBe(expected);
  });
});

describe('API', () => {
  it('validatePattern accepts the JSON text of a pattern (as CloudFormation may hold it)', () => {
    const pattern = validatePattern('{"detail":{"responseElements":[null]}}');
    expect(matchesPattern(pattern, { detail: { responseElements: null } })).toBe(true);
    expect(matchesPattern(pattern, { detail: {} })).toBe(false);
  });

  it('validatePattern returns the same object for an object pattern', () => {
    const raw = { source: ['aws.ec2'] };
    expect(validatePattern(raw)).toBe(raw);
  });

  it('matchesPattern works on a pattern that was never passed to validatePattern', () => {
    expect(matchesPattern({ source: [{ prefix: 'aws.' }] }, { source: 'aws.health' })).toBe(true);
  });
});
