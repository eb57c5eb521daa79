/**
 * A strict RFC 4180 reader for tests: the writer (src/domain/csv.ts) is checked against the grammar, not against
 * itself. Throws on a bare quote or line feed outside quotes and on a missing CRLF.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    const [field, next] = text[i] === '"' ? readQuoted(text, i + 1) : readBare(text, i);
    row.push(field);
    i = next;
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return rows;
}

/** A quoted field from just after its opening quote: its text and the index after the closing quote. */
function readQuoted(text: string, from: number): [string, number] {
  let field = '';
  let i = from;
  while (i < text.length) {
    if (text.startsWith('""', i)) {
      field += '"';
      i += 2;
    } else if (text[i] === '"') return [field, i + 1];
    else field += text[i++];
  }
  throw new Error('unterminated quoted field');
}

function readBare(text: string, from: number): [string, number] {
  let i = from;
  while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
    if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
    i++;
  }
  return [text.slice(from, i), i];
}
