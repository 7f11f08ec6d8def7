import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../../lib/util/suggest.ts';

describe('didYouMean', () => {
  const words = ['policies', 'drain', 'reservedConcurrency'];
  it('suggests the closest word for a typo, ignoring case', () => {
    expect(didYouMean('polices', words)).toBe('policies');
    expect(didYouMean('Drain', words)).toBe('drain'); // keys are case-sensitive
    expect(didYouMean('drain', words)).toBeUndefined(); // the word itself: nothing to suggest
    expect(didYouMean('reservedconcurency', words)).toBe('reservedConcurrency');
  });
  it('stays quiet when nothing is close', () => {
    expect(didYouMean('colour', words)).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });
});
