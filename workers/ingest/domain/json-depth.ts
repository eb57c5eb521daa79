/**
 * The deepest nesting of arrays and objects in JSON text, stopping as soon as it passes maxDepth. Run before
 * JSON.parse: V8 parses deep documents iteratively, but JSON.stringify (the dead-letter record of a rejected
 * item) recurses, so a 10 MB `[[[[...` item used to end in a stack overflow and a 500. Strings are skipped, so
 * brackets inside them do not count; with `lines` (NDJSON) each line starts again at depth 0, as each line is a
 * document of its own. Broken JSON is left for JSON.parse to report.
 */
export function exceedsJsonDepth(text: string, maxDepth: number, lines: boolean): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = stringEnd(text, i + 1, lines);
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
    else if (c === 0x0a && lines) depth = 0;
  }
  return false;
}

/** Where the string whose text starts at i ends: its closing quote, or (NDJSON) just before the line's end. */
function stringEnd(text: string, i: number, lines: boolean): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
    else if (c === 0x0a && lines) return i - 1;
  }
  return i;
}
