/**
 * Invisible format characters (Unicode category Cf): bidi overrides and isolates, zero-width spaces and joiners,
 * the BOM, soft hyphens, tags. They let one name display as another ("admin\u202Enimda" reads "adminadmin"), so
 * the text rule refuses them at the edge (text-rule.ts) and the dashboard shows any that older data still holds
 * (revealFormatCharacters). No imports: the dashboard's browser bundle uses this module too. docs/adr/0090.
 */

/**
 * Any Cf character except a zero-width joiner between two emoji (optionally skin-toned or with VS16): that is how
 * emoji such as 👩‍💻 are spelt, and it cannot disguise a name's letters. Every other joiner or Cf character counts.
 */
const formatCharacterSource =
  '(?!(?<=\\p{Extended_Pictographic}(?:[\\u{1F3FB}-\\u{1F3FF}]|\\uFE0F)?)\\u200D(?=\\p{Extended_Pictographic}))\\p{Cf}';

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
