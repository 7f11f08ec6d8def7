import { distance } from 'fastest-levenshtein';

/**
 * The known word closest to what was typed, when it is close enough to be a typo (a different case,
 * or at most a third of its letters differ); undefined for an exact match or nothing close.
 */
export function didYouMean(typed: string, known: readonly string[]): string | undefined {
  let best: { word: string; d: number } | undefined;
  for (const word of known) {
    if (word === typed) return undefined;
    const d = distance(typed.toLowerCase(), word.toLowerCase());
    if (!best || d < best.d) best = { word, d };
  }
  return best && best.d <= Math.max(1, Math.floor(Math.max(typed.length, best.word.length) / 3)) ? best.word : undefined;
}
