import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { openApiDocument } from '../shared/http/openapi-document.js';
import { checkText } from './text-rule.js';
import { buildFieldTextPattern, buildTextRulePattern } from './text-rule-pattern.js';

type Schemas = Record<
  string,
  { pattern?: string; allOf?: { $ref: string }[]; properties?: Record<string, Schemas[string]> }
>;
const schemas = (openApiDocument() as unknown as { components: { schemas: Schemas } }).components.schemas;
const pattern = schemas['TextRule']!.pattern!;
const documented = new RegExp(pattern, 'u');

/** What the servers say of a value, lengths aside: fine, or refused for control or format characters. */
const ruleAccepts = (value: string) => checkText('x', value, Number.MAX_SAFE_INTEGER) === undefined;

/** Characters around the joiners' contexts: joining letters of each type, letters, marks, viramas, emoji, Cf. */
const alphabet = [
  'a',
  'é',
  '日',
  ' ',
  '\u0628',
  '\u0627',
  '\u0645',
  '\u06cc',
  '\u062e',
  '\u0621',
  '\u0640', // beh (D), alef (R), meem, yeh, khah, hamza (U), tatweel (C)
  '\u064e',
  '\u0670', // Arabic marks (T)
  '\u0915',
  '\u0937',
  '\u094d',
  '\u093f',
  '\u0902', // ka, ssa, virama, vowel sign i (Mc), anusvara (Mn)
  '\u0d15',
  '\u0d4d',
  '\u0dca', // Malayalam ka, virama; Sinhala al-lakuna
  '\u200c',
  '\u200d',
  '\u200b',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\u00ad',
  '\u2060',
  '\u061c',
  '\u{110bd}',
  '\u{e0041}',
  '\u{1bca0}',
  '\u{1d173}', // Cf beyond the BMP
  '🚀',
  '👩',
  '💻',
  '\u{1f3fd}',
  '\ufe0f',
  '©',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0085',
];

describe('the OpenAPI document’s TextRule pattern', () => {
  it('is the pattern buildTextRulePattern spells from the rule’s tables', () => {
    expect(pattern).toBe(buildTextRulePattern());
  });

  it('has fields whose patterns refuse every format character: all they match the rule accepts', () => {
    const fact = schemas['RequestFact']!.properties!;
    for (const field of ['event_id', 'service', 'env', 'version', 'trace_id'])
      expect(fact[field]!.pattern).toBe(buildFieldTextPattern());
    expect(fact['path']!.pattern).toBe(buildFieldTextPattern('/'));
    const strict = new RegExp(buildFieldTextPattern(), 'u');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 10 }), (parts) => {
        const value = parts.join('');
        if (strict.test(value)) expect(ruleAccepts(value)).toBe(true);
        if (ruleAccepts(value) && !/[\u200c\u200d]/.test(value)) expect(strict.test(value)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });

  it.each([
    ['می\u200cخواهم', true], // Persian: ZWNJ after yeh (dual-joining), before khah (dual-joining)
    ['\u0915\u094d\u200d\u0937', true], // Devanagari half form: virama + ZWJ
    ['\u0915\u094d\u200c\u0937', true], // virama + ZWNJ
    ['👩\u200d💻', true],
    ['🧑🏽\u200d🚀', true],
    ['a\u200cb', false], // ZWNJ between Latin letters hides nothing a reader sees: refused
    ['\u0627\u200c\u0628', false], // alef joins only to the right: nothing to break
    ['\u094d\u200d', false], // a virama with no letter before it
    ['🚀\u200dx', false],
    ['admin\u202enimda', false],
    ['tag\u{e0041}', false],
  ])('agrees with the rule on %j (%s)', (value, accepted) => {
    expect([documented.test(value), ruleAccepts(value)]).toEqual([accepted, accepted]);
  });

  it('agrees with the rule on random strings of the joiners’ contexts, and on random Unicode', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 10 }), (parts) => {
        const value = parts.join('');
        expect(documented.test(value)).toBe(ruleAccepts(value));
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 16 }), (value) => {
        expect(documented.test(value)).toBe(ruleAccepts(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('answers in linear time where two contexts allow the same joiners and the string is refused at its end', () => {
    const hostile = '\u0628\u094d\u200c'.repeat(2000) + '\u202e';
    expect(documented.test(hostile)).toBe(false);
    expect(ruleAccepts(hostile)).toBe(false);
  });

  it('means the same to Python’s re (what schemathesis generates from) on the same random strings', () => {
    const samples = fc.sample(fc.array(fc.constantFrom(...alphabet), { maxLength: 10 }), {
      numRuns: 3000,
      seed: 97,
    });
    const values = samples.map((parts) => parts.join(''));
    const python = spawnSync(
      'python3',
      [
        '-c',
        'import json, re, sys\n' +
          'd = json.load(sys.stdin)\n' +
          'r = re.compile(d["pattern"])\n' +
          'print(json.dumps([r.match(v) is not None for v in d["values"]]))',
      ],
      { input: JSON.stringify({ pattern, values }), encoding: 'utf8' },
    );
    expect(python.stderr).toBe('');
    expect(JSON.parse(python.stdout) as boolean[]).toEqual(values.map(ruleAccepts));
  });
});
