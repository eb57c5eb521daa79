/**
 * Which pending appends join the next WAL group commit (docs/adr/0090, issue #17.5). A group's write (O_DSYNC)
 * takes time in proportion to its bytes, and every append in it waits for all of them; an abusive tenant with 32
 * connections would put 32 batches of ~170 KB in every group, and a neighbour's single fact would wait for 5 MB to
 * reach the disk. So while more than one owner (tenant) waits, each owner joins a group with at most
 * `perOwnerBytes` (always at least its first frame, so a big frame still goes); the rest wait for the next group, in
 * order. A lone owner takes the whole queue: with no neighbour there is nobody to protect, and one large group is
 * the cheapest way to disk. Pure: the WAL's flush loop applies it.
 */
export function takeFairGroup<T extends { owner: string; frame: { length: number } }>(
  pending: readonly T[],
  perOwnerBytes: number,
): { group: T[]; rest: T[] } {
  const owners = new Set(pending.map((p) => p.owner));
  if (owners.size <= 1 || perOwnerBytes <= 0) return { group: [...pending], rest: [] };
  const taken = new Map<string, number>();
  const group: T[] = [];
  const rest: T[] = [];
  const full = new Set<string>();
  for (const p of pending) {
    const bytes = taken.get(p.owner) ?? 0;
    // An owner that skipped a frame skips every later one too: its frames reach the disk in the order it sent them.
    if (full.has(p.owner) || (bytes > 0 && bytes + p.frame.length > perOwnerBytes)) {
      full.add(p.owner);
      rest.push(p);
      continue;
    }
    taken.set(p.owner, bytes + p.frame.length);
    group.push(p);
  }
  return { group, rest };
}
