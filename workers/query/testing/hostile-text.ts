import fc from 'fast-check';
import { checkText } from '../../domain/text-rule.js';

/**
 * Text an attacker would send as a service, method or path, always tried: quote games, backslashes, comments,
 * both engines' placeholders, LIKE wildcards, right-to-left letters, a joiner inside an emoji (the only format
 * character the text rule lets through) and text outside the BMP, and the same letter composed
 * and decomposed (NFC 'é' and NFD 'e' + U+0301), which must stay two names: no engine may normalise one into
 * the other.
 */
export const hostileTextSeeds = [
  // The first six are the ones the Trino run walks through every filter (hostile-text.contract.ts `filtered`).
  "'; DROP TABLE m; --",
  "x' OR '1'='1",
  '?',
  '$1',
  '\u00e9',
  'e\u0301',
  "\\'",
  '\\',
  "''",
  '%',
  '_',
  '%_%',
  '"m"."tenant"',
  '/* */ --',
  '\u{1F469}\u200D\u{1F4BB}\u05e9',
  'Ω≈ç√∫',
] as const;

/** Arbitrary graphemes the edge accepts (no control or format characters: workers/domain/text-rule.ts). */
export const hostileText: fc.Arbitrary<string> = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 24 })
  .filter((s) => checkText('text', s, 128) === undefined);

/** The seeds and `generated` more distinct hostile strings, the same ones on every run (seeded). */
export function sampleHostileTexts(generated: number, seed: number): string[] {
  const extra = fc.sample(
    fc.uniqueArray(hostileText, { minLength: generated * 2, maxLength: generated * 2 }),
    {
      seed,
      numRuns: 1,
    },
  )[0]!;
  const seeds: readonly string[] = hostileTextSeeds;
  return [...seeds, ...extra.filter((s) => !seeds.includes(s)).slice(0, generated)];
}
