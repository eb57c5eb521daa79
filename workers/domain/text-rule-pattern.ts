import { codePointRanges, joinerContextSets } from './format-characters.js';
import type { TextRuleSet } from './text-rule-tables.js';

/**
 * The text rule (text-rule.ts: no control characters, no format characters but the joiners format-characters.ts
 * allows) as one JSON Schema `pattern`, which docs/openapi/gravix-api.yaml carries as `TextRule`
 * (openapi-text-pattern.test.ts holds the two equal and checks they agree on random strings). Lone surrogates are
 * left to the servers: a JSON Schema string is code points, and some regex engines cannot spell a surrogate.
 *
 * Written for every engine that reads the document: ECMAScript with the `u` flag (Ajv), Python's `re`
 * (schemathesis's generator) and Rust's fancy-regex (its validator). So no `\p{...}` (Python has none), no lookbehind
 * (Python's must be fixed-width), BMP characters as `\uXXXX` and characters beyond it literally (Python has no
 * `\u{...}`). The string is read left to right as tokens: a joiner in an allowed context, with the context before
 * it (a token), else any character but a control or format one. A token is taken atomically, `(?=(...))\1`, first
 * match first: a joiner ends every multi-character token, so the first that matches is always right, and no
 * backtracking engine can take exponential time over joiners that two contexts allow.
 */

const hex4 = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
const char = (c: number) => (c > 0xffff ? String.fromCodePoint(c) : hex4(c));
const body = (ranges: readonly [number, number][]) =>
  ranges.map(([lo, hi]) => (lo === hi ? char(lo) : `${char(lo)}-${char(hi)}`)).join('');
const cls = (set: TextRuleSet) => `[${body(codePointRanges(set))}]`;

const control: [number, number][] = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
];

/**
 * The rule as a JSON Schema pattern: the whole value must match. `prefix` (plain text, e.g. a path's leading `/`)
 * must start the value; it holds no joiner and no joiner's context can reach back past its last character.
 */
export function buildTextRulePattern(prefix = ''): string {
  const [L, M, M1, V, LJ, RJ, T, EP] = joinerContextSets.map(cls);
  const ZWNJ = '\\u200c';
  const ZWJ = '\\u200d';
  const emojiModifier = `(?:[${char(0x1f3fb)}-${char(0x1f3ff)}]|\\ufe0f)`;
  const tokens = [
    `${L}${M}*${V}${M1}*[${ZWNJ}${ZWJ}]`,
    `${LJ}${T}*${ZWNJ}(?=${T}*${RJ})`,
    `${EP}${emojiModifier}?${ZWJ}(?=${EP})`,
    `[^${body([...control, ...codePointRanges('format')])}]`,
  ];
  return `^${prefix}(?:(?=(${tokens.join('|')}))\\1)*$`;
}

/**
 * The pattern the fields carry: no control and no format character at all, joiners included, so every value it
 * matches the rule accepts, and it differs from the rule only by the joiners the rule allows in context. Schemathesis
 * cannot generate from the exact pattern in time (its boundary cases for the facts endpoint took 13 minutes, and its
 * fuzzer failed the filter health check), so the exact rule is the `TextRule` schema beside them (docs/adr/0097).
 */
export function buildFieldTextPattern(prefix = ''): string {
  return `^${prefix}[^${body([...control, ...codePointRanges('format')])}]*$`;
}
