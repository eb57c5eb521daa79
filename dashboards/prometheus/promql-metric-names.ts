const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects. A lexical scan, not a parser (promtool checks syntax): it drops
 * strings, label matchers, ranges and grouping clauses, then keeps identifiers that are not function calls or
 * keywords. Grafana variables ($namespace, $__rate_interval) only appear in the parts it drops.
 */
export function parsePromqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/\$?[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    const token = match[0];
    if (token.startsWith('$') || token.endsWith('(')) continue;
    if (!KEYWORDS.has(token.toLowerCase())) names.add(token);
  }
  return [...names].sort();
}
