export interface Count {
  name: string;
  count: number;
}

/**
 * The heaviest names of an unbounded stream in fixed memory (the Space-Saving algorithm, Metwally et al. 2005):
 * at most `capacity` names are kept; a new name replaces the smallest count and inherits it plus one. Any name
 * whose true count exceeds total/capacity is kept, and a kept count over-counts by at most the count it inherited.
 */
export class TopCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  add(name: string): void {
    const count = this.counts.get(name);
    if (count !== undefined) {
      this.counts.set(name, count + 1);
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(name, 1);
      return;
    }
    let [minName, minCount] = ['', Infinity];
    for (const [n, c] of this.counts) if (c < minCount) [minName, minCount] = [n, c];
    this.counts.delete(minName);
    this.counts.set(name, minCount + 1);
  }

  /** The n largest counts, largest first (ties by name). */
  top(n: number): Count[] {
    return [...this.counts]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
      .slice(0, n);
  }
}
