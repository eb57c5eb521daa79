import { textRuleTables, type TextRuleSet } from './text-rule-tables.js';

/**
 * Invisible format characters (Unicode category Cf): bidi overrides and isolates, zero-width spaces and joiners,
 * the BOM, soft hyphens, tags. They let one name display as another ("admin\u202Enimda" reads "adminadmin"), so
 * the text rule refuses them at the edge (text-rule.ts) and the dashboard shows any that older data still holds
 * (revealFormatCharacters). Only pure imports: the dashboard's browser bundle uses this module too. docs/adr/0090.
 *
 * The joiners are allowed where they spell a word or an emoji rather than hide a letter (docs/adr/0097):
 * - ZWNJ (U+200C) breaking a cursive connection between joining letters (UAX #31 A1: a left- or dual-joining letter,
 *   transparent marks, ZWNJ, transparent marks, a right- or dual-joining letter), as Persian writes it;
 * - ZWNJ or ZWJ (U+200D) after a virama (UAX #31 A2 and B: a letter, nonspacing marks, a virama, marks with a
 *   combining class, the joiner), as Indic scripts write half forms and conjuncts;
 * - ZWJ between two emoji (the first optionally skin-toned or with VS16), as in 👩‍💻.
 * Every other Cf character counts, joiners elsewhere included. The property sets come from
 * text-rule-tables.ts (generated); text-rule-pattern.ts spells the same rule as the OpenAPI pattern.
 */

/** A set's ranges, for the `u`-flag character classes of this module. */
export function codePointRanges(set: TextRuleSet): [number, number][] {
  return textRuleTables[set].split(',').map((part) => {
    const [lo, hi = lo] = part.split('-');
    return [parseInt(lo!, 16), parseInt(hi!, 16)];
  });
}

const escape = (c: number) => `\\u{${c.toString(16)}}`;
const classBody = (ranges: readonly [number, number][]) =>
  ranges.map(([lo, hi]) => (lo === hi ? escape(lo) : `${escape(lo)}-${escape(hi)}`)).join('');
const cls = (set: TextRuleSet) => `[${classBody(codePointRanges(set))}]`;

const ZWNJ = '\\u200C';
const ZWJ = '\\u200D';
/** Cf without the two joiners, which have rules of their own. */
const otherFormat = `[${classBody(
  codePointRanges('format').flatMap(([lo, hi]): [number, number][] =>
    lo <= 0x200d && hi >= 0x200c
      ? (
          [
            [lo, 0x200b],
            [0x200e, hi],
          ] as [number, number][]
        ).filter(([a, b]) => a <= b)
      : [[lo, hi]],
  ),
)}]`;
/**
 * The property sets a joiner's allowed contexts are spelled with, in the order both spellings of the rule destructure
 * them: letter, mark, mark with a combining class, virama, left- and right-joining letter, transparent, pictographic.
 */
export const joinerContextSets = [
  'letter',
  'mark',
  'classedMark',
  'virama',
  'joinsLeft',
  'joinsRight',
  'transparent',
  'pictographic',
] as const satisfies readonly TextRuleSet[];

const [L, M, M1, V, LJ, RJ, T, EP] = joinerContextSets.map(cls);
const emojiModifier = `(?:[\\u{1F3FB}-\\u{1F3FF}]|\\uFE0F)`;

/** Each allowed context, asserted at the position just after the joiner. */
const afterConjunct = `(?<=${L}${M}*${V}${M1}*[${ZWNJ}${ZWJ}])`;
const afterCursiveBreak = `(?<=${LJ}${T}*${ZWNJ})(?=${T}*${RJ})`;
const afterEmojiJoiner = `(?<=${EP}${emojiModifier}?${ZWJ})(?=${EP})`;

const formatCharacterSource =
  `${otherFormat}|${ZWNJ}(?!${afterConjunct})(?!${afterCursiveBreak})` +
  `|${ZWJ}(?!${afterConjunct})(?!${afterEmojiJoiner})`;

const formatCharacter = new RegExp(formatCharacterSource, 'u');
const everyFormatCharacter = new RegExp(formatCharacterSource, 'gu');

/** Only text with a character from U+00AD up can hold one: ASCII names (the common case) skip the scan. */
// eslint-disable-next-line no-control-regex
const maybeFormat = /[^\u0000-\u00ac]/;

/** The first refused format character of `value` and its index (UTF-16 units), or undefined. */
export function findFormatCharacter(value: string): { char: string; index: number } | undefined {
  if (!maybeFormat.test(value)) return undefined;
  const match = formatCharacter.exec(value);
  return match ? { char: match[0], index: match.index } : undefined;
}

/** `value` with each refused format character written out visibly, e.g. "admin⟨U+202E⟩nimda". */
export function revealFormatCharacters(value: string): string {
  if (!maybeFormat.test(value)) return value;
  return value.replace(
    everyFormatCharacter,
    (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
}
