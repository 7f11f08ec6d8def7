import { describe, expect, it, vi } from 'vitest';
import * as compile from '../../../sandbox/eventbridge/pattern/compile.ts';
import { matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';

vi.mock('../../../sandbox/eventbridge/pattern/compile.ts', async (original) => {
  const real = await original<typeof compile>();
  return { ...real, compilePattern: vi.fn(real.compilePattern) };
});

describe('compiled patterns are reused', () => {
  it('a validated pattern is compiled once, however many events it is matched against', () => {
    const compilations = vi.mocked(compile.compilePattern);
    compilations.mockClear();
    const pattern = validatePattern({
      source: ['aws.ec2'],
      detail: { state: [{ 'anything-but': ['running', 'pending'] }], 'instance-id': [{ wildcard: 'i-0*' }] },
    });
    let matched = 0;
    for (let i = 0; i < 10_000; i++) {
      if (matchesPattern(pattern, { source: 'aws.ec2', detail: { state: i % 2 ? 'stopping' : 'running', 'instance-id': `i-0${i}` } })) matched++;
    }
    expect(matched).toBe(5_000);
    expect(compilations).toHaveBeenCalledTimes(1);
  });

  it('a pattern matched without validation is compiled on its first use, then reused', () => {
    const compilations = vi.mocked(compile.compilePattern);
    compilations.mockClear();
    const pattern = { source: ['aws.health'] };
    for (let i = 0; i < 100; i++) matchesPattern(pattern, { source: 'aws.health' });
    expect(compilations).toHaveBeenCalledTimes(1);
    // Another object with the same content is another pattern.
    matchesPattern({ source: ['aws.health'] }, { source: 'aws.health' });
    expect(compilations).toHaveBeenCalledTimes(2);
  });
});
