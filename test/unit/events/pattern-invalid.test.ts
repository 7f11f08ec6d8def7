/**
 * Pattern validation: what EventBridge's PutRule refuses, each rejection naming the JSON path of
 * the offending part (Amazon EventBridge user guide, "Creating event patterns" and "Comparison
 * operators": every field value is a non-empty array, operators are the documented ones).
 */
import { describe, expect, it } from 'vitest';
import { InvalidPatternError, matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';
import type { EventPattern } from '../../../sandbox/eventbridge/pattern.ts';

function rejection(pattern: unknown): InvalidPatternError {
  try {
    validatePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPatternError);
    return error as InvalidPatternError;
  }
  throw new Error(`expected ${JSON.stringify(pattern)} to be rejected`);
}

describe('invalid patterns name the offending path', () => {
  it.each<[name: string, pattern: unknown, path: string, says: RegExp]>([
    ['not an object', ['aws.ec2'], '$', /must be a JSON object/],
    ['null', null, '$', /must be a JSON object/],
    ['JSON text that does not parse', '{"source": [', '$', /not valid JSON/],
    ['an empty pattern', {}, '$', /empty objects/],
    ['a leaf value that is not an array', { source: 'aws.ec2' }, 'source', /must be an array of values or an object/],
    ['a leaf number that is not an array', { detail: { count: 5 } }, 'detail.count', /must be an array/],
    ['an empty array', { source: [] }, 'source', /empty arrays/],
    ['an empty nested object', { detail: {} }, 'detail', /empty objects/],
    ['an array inside a field array', { detail: { state: [['a']] } }, 'detail.state[0]', /expected a string, number, boolean, null or an operator object/],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }, 'source[0].contains', /unknown operator "contains"/],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, 'source[0]', /exactly one operator/],
    ['an empty operator object', { source: [{}] }, 'source[0]', /one operator/],
    ['prefix with a number', { source: [{ prefix: 1 }] }, 'source[0].prefix', /expected a string or/],
    ['prefix ignore-case with a number', { s: [{ prefix: { 'equals-ignore-case': 1 } }] }, 's[0].prefix.equals-ignore-case', /expected a string/],
    ['equals-ignore-case with a list', { s: [{ 'equals-ignore-case': ['a'] }] }, 's[0].equals-ignore-case', /expected a string/],
    ['numeric with a string bound', { detail: { state: [{ numeric: ['>', '5'] }] } }, 'detail.state[0].numeric[1]', /expected a number/],
    ['numeric with an unknown operator', { detail: { state: [{ numeric: ['!=', 5] }] } }, 'detail.state[0].numeric[0]', /unknown numeric operator/],
    ['numeric that is not an array', { n: [{ numeric: 5 }] }, 'n[0].numeric', /expected \[operator, number\]/],
    ['numeric with three items', { n: [{ numeric: ['>', 1, '<'] }] }, 'n[0].numeric', /expected \[operator, number\]/],
    ['numeric = combined with a bound', { n: [{ numeric: ['=', 1, '<', 5] }] }, 'n[0].numeric[2]', /cannot be combined/],
    ['numeric upper bound first', { n: [{ numeric: ['<', 5, '>', 1] }] }, 'n[0].numeric[2]', /must come last/],
    ['numeric two lower bounds', { n: [{ numeric: ['>', 1, '>=', 5] }] }, 'n[0].numeric[2]', /"<" or "<="/],
    ['numeric empty range', { n: [{ numeric: ['>', 10, '<', 5] }] }, 'n[0].numeric', /lower bound \(10\) must be less than the upper bound \(5\)/],
    ['numeric range of one point', { n: [{ numeric: ['>=', 5, '<=', 5] }] }, 'n[0].numeric', /must be less than/],
    ['cidr without a prefix length', { ip: [{ cidr: '10.0.0.0' }] }, 'ip[0].cidr', /prefix length/],
    ['cidr IPv4 prefix above 32', { ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0].cidr', /0 to 32 for IPv4/],
    ['cidr IPv6 prefix above 128', { ip: [{ cidr: '2001:db8::/129' }] }, 'ip[0].cidr', /0 to 128 for IPv6/],
    ['cidr with a bad address', { ip: [{ cidr: '300.0.0.0/8' }] }, 'ip[0].cidr', /not an IPv4 or IPv6 address/],
    ['cidr with a bad IPv6 address', { ip: [{ cidr: '2001:db8:::1/64' }] }, 'ip[0].cidr', /not an IPv4 or IPv6 address/],
    ['cidr with a number', { ip: [{ cidr: 10 }] }, 'ip[0].cidr', /expected a string/],
    ['wildcard with consecutive stars', { s: [{ wildcard: 'a**b' }] }, 's[0].wildcard', /consecutive wildcard/],
    ['wildcard with an unknown escape', { s: [{ wildcard: 'a\\b' }] }, 's[0].wildcard', /invalid escape/],
    ['wildcard ending in a backslash', { s: [{ wildcard: 'a\\' }] }, 's[0].wildcard', /invalid escape/],
    ['exists with a string', { s: [{ exists: 'yes' }] }, 's[0].exists', /true or false/],
    ['anything-but with null', { s: [{ 'anything-but': null }] }, 's[0].anything-but', /expected a string, a number/],
    ['anything-but with a boolean', { s: [{ 'anything-but': true }] }, 's[0].anything-but', /expected a string, a number/],
    ['anything-but with a mixed list', { s: [{ 'anything-but': ['a', 1] }] }, 's[0].anything-but[1]', /only strings or only numbers/],
    ['anything-but with an empty list', { s: [{ 'anything-but': [] }] }, 's[0].anything-but', /empty arrays/],
    ['anything-but with numeric', { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, 's[0].anything-but', /anything-but takes one of/],
    ['anything-but with an empty prefix', { s: [{ 'anything-but': { prefix: '' } }] }, 's[0].anything-but.prefix', /must not be empty/],
    ['anything-but with a bad wildcard in a list', { s: [{ 'anything-but': { wildcard: ['ok*', 'x**'] } }] }, 's[0].anything-but.wildcard[1]', /consecutive/],
    ['anything-but suffix with a number', { s: [{ 'anything-but': { suffix: 5 } }] }, 's[0].anything-but.suffix', /expected a string/],
    ['$or that is not an array', { $or: { a: ['1'] } }, '$or', /must be an array of at least 2 objects/],
    ['$or with one branch', { $or: [{ a: ['1'] }] }, '$or', /at least 2 objects, got 1/],
    ['$or with a non-object branch', { $or: [{ a: ['1'] }, ['b']] }, '$or[1]', /must be an object/],
    ['an operator name as a field inside $or', { $or: [{ prefix: ['a'] }, { b: ['1'] }] }, '$or[0].prefix', /operator name/],
    ['an operator name deeper inside $or', { $or: [{ d: { numeric: ['a'] } }, { b: ['1'] }] }, '$or[0].d.numeric', /operator name/],
    ['a bad leaf inside a nested $or', { detail: { $or: [{ a: ['1'] }, { b: 'x' }] } }, 'detail.$or[1].b', /must be an array/],
  ])('%s', (_name, pattern, path, says) => {
    const error = rejection(pattern);
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(says);
  });

  it('matchesPattern refuses an invalid pattern instead of guessing', () => {
    const bad = { source: 'aws.ec2' } as unknown as EventPattern;
    expect(() => matchesPattern(bad, { source: 'aws.ec2' })).toThrow(InvalidPatternError);
  });

  it('accepts the full operator set in one pattern', () => {
    expect(() =>
      validatePattern({
        source: ['aws.ec2', { prefix: 'aws.' }, { suffix: { 'equals-ignore-case': '.EC2' } }],
        detail: {
          a: [{ 'equals-ignore-case': 'x' }, { wildcard: 'a\\*b*' }, { exists: true }, null, true, 1.5],
          b: [{ numeric: ['>=', -1, '<', 1] }, { cidr: '::1/128' }, { 'anything-but': { 'equals-ignore-case': ['x', 'y'] } }],
          $or: [{ c: [''] }, { d: { e: [{ exists: false }] } }],
        },
      }),
    ).not.toThrow();
  });
});
