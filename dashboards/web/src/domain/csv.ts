/**
 * CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, quote, CR or LF in double quotes, quotes
 * doubled), and safe to open in a spreadsheet: a text cell starting with = + - @ (or a tab or CR, which some
 * spreadsheets skip before reading a formula) gets a leading apostrophe, so a service or path named
 * `=HYPERLINK(...)` by whoever sent the facts is shown as text, never run as a formula. Numbers are written as
 * numbers: a negative change is data, not a formula.
 */
export type CsvCell = string | number | boolean | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function buildCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
