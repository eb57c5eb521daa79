import { createHash } from 'node:crypto';

/**
 * How close to its hour's end a call must end for its match to be carried across the boundary (docs/adr/0096,
 * 0111): a CLIENT span that ends within this window before its hour ends (or after it) may have its SERVER span in
 * the next hour's partition (a server starts a call before its client sees it end, give or take the clocks'
 * difference, which this window allows for). The next hour's side has no window: it hands on every SERVER span
 * whose parent is no CLIENT span of its own hour (`heads`).
 */
export const edgeCarryWindowMs = 5 * 60_000;

/**
 * What a partition hands across its hour boundaries (docs/adr/0096), stored beside its data files and listed in
 * its manifest (`outputs.edge_carry`):
 * - `heads`: `<trace id><parent span id>` -> service of the SERVER spans whose parent is no CLIENT span of their
 *   own hour, the earliest first within the bound (before docs/adr/0111: those that start in the hour's first
 *   `edgeCarryWindowMs`): the previous hour's waiting edges are matched against them;
 * - `waiting`: `<trace id><span id>` of the CLIENT spans that named no callee, found no SERVER span in their own
 *   hour and end near (or after) its end: the ones the next hour's heads may name.
 * Both sorted, so the same inputs give the same bytes.
 */
export interface EdgeCarry {
  heads: [string, string][];
  waiting: string[];
}

/** The waiting edges the next hour's heads name, as (key, service) in key order. */
export function matchWaiting(
  waiting: readonly string[],
  nextHeads: ReadonlyMap<string, string>,
): [string, string][] {
  const matched: [string, string][] = [];
  for (const key of waiting) {
    const service = nextHeads.get(key);
    if (service !== undefined) matched.push([key, service]);
  }
  return matched.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The digest of what the next hour named: a partition is recomputed only when it changes (a new generation of the
 * next hour that names nothing new only updates the manifest's `edge_next`).
 */
export function buildNextMatchDigest(matched: readonly [string, string][]): string {
  return createHash('sha256').update(JSON.stringify(matched)).digest('hex');
}

/** The digest of "the next hour named nothing" (no next hour yet, or no waiting edge found there). */
export const emptyNextMatchDigest = buildNextMatchDigest([]);
