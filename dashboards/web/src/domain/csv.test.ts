import fc from 'fast-check';
import { parseCsv } from '../../testing/parse-csv.js';
import { buildCsv, csvField } from './csv.js';

describe('buildCsv', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 does, with CRLF line ends', () => {
    expect(
      buildCsv(
        ['path', 'requests'],
        [
          ['/a,b', 3],
          ['say "hi"\nnow', null],
        ],
      ),
    ).toBe('path,requests\r\n"/a,b",3\r\n"say ""hi""\nnow",\r\n');
  });

  it('neutralises text cells that a spreadsheet would run as a formula, and leaves numbers alone', () => {
    expect(['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x'].map(csvField)).toEqual([
      "'=1+1",
      "'+SUM(A1)",
      "'-2+3",
      "'@cmd",
      "'\t=x",
      `"'\r=x"`,
    ]);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect([-0.5, 12, Number.NaN, true, null].map(csvField)).toEqual(['-0.5', '12', '', 'true', '']);
  });

  it('reads back every text cell as written (apostrophe before formula starts) for any text (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.oneof(fc.string(), fc.constantFrom('=', '+1', '-', '@', '"', ',', '\r\n')), {
            minLength: 1,
            maxLength: 5,
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (rows) => {
          const width = rows[0]!.length;
          const even = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
          const parsed = parseCsv(buildCsv(even[0]!, even.slice(1)));
          expect(parsed).toEqual(even.map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c))));
          for (const cell of parsed.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
