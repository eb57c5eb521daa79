import { createHash } from 'node:crypto';

/**
 * How close to its hour's boundaries a call must be for its match to be carried across them (docs/adr/0096, 0111,
 * 0128). Next boundary: a CLIENT span that ends within this window before its hour ends (or after it) may have its
 * SERVER span in the next hour's partition (a server starts a call before its client sees it end, give or take the
 * clocks' difference, which this window allows for); the next hour's side has no window (`heads` is every SERVER
 * span whose parent is no CLIENT span of its hour). Previous boundary: a SERVER span stamped in the previous hour
 * for a CLIENT span of this one needs a server clock behind the client's, so the CLIENT span starts within the
 * clocks' difference after the boundary (`early`) and the SERVER span within it before (`tails`).
 */
export const edgeCarryWindowMs = 5 * 60_000;

/**
 * What a partition hands across its hour boundaries (docs/adr/0096, 0128), stored beside its data files and listed
 * in its manifest (`outputs.edge_carry`). Each list depends on the partition's own inputs only, so the hours form no
 * cycle:
 * - `heads`: `<trace id><parent span id>` -> service of the SERVER spans whose parent is no CLIENT span of their
 *   own hour, the earliest first within the bound: the previous hour's `waiting` edges are matched against them;
 * - `waiting`: `<trace id><span id>` of the CLIENT spans that named no callee, found no SERVER span in their own
 *   hour and end near (or after) its end: the ones the next hour's heads may name;
 * - `tails`: the same as `heads` for the SERVER spans that start in the hour's last `edgeCarryWindowMs`, the latest
 *   first within the bound: the next hour's `early` edges are matched against them;
 * - `early`: like `waiting`, the unmatched CLIENT spans that start in the hour's first `edgeCarryWindowMs`: the ones
 *   the previous hour's tails may name.
 * All sorted by key, so the same inputs give the same bytes.
 */
export interface EdgeCarry {
  heads: [string, string][];
  waiting: string[];
  tails: [string, string][];
  early: string[];
}

export const emptyEdgeCarry: EdgeCarry = { heads: [], waiting: [], tails: [], early: [] };

/** The carried edges a neighbour hour's SERVER spans name, as (key, service) in key order. */
export function matchCarried(
  carried: readonly string[],
  servers: ReadonlyMap<string, string>,
): [string, string][] {
  const matched: [string, string][] = [];
  for (const key of carried) {
    const service = servers.get(key);
    if (service !== undefined) matched.push([key, service]);
  }
  return matched.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The digest of what a neighbour hour named: a partition is recomputed only when it changes (a new generation of
 * the neighbour that names nothing new only updates the manifest's `edge_next` / `edge_prev`).
 */
export function buildMatchDigest(matched: readonly [string, string][]): string {
  return createHash('sha256').update(JSON.stringify(matched)).digest('hex');
}

/** The digest of "the neighbour named nothing" (no neighbour yet, or no carried edge found there). */
export const emptyMatchDigest = buildMatchDigest([]);
