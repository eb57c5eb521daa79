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
  /** Where each kept name's count is in `names`/`counts`. */
  private readonly slots = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly counts: number[] = [];
  /** A slot holding the smallest count, once every slot is used. */
  private smallest = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be an integer of at least 1, got ${capacity}`);
  }

  /**
   * Counts one more of `name`. A name not kept takes the smallest count's slot: a tenant past its services budget
   * sends a new name with nearly every fact (docs/adr/0107), so this is a scan of `capacity` numbers and two map
   * operations, not a walk over the map's entries.
   */
  add(name: string): void {
    const slot = this.slots.get(name);
    if (slot !== undefined) {
      this.counts[slot]!++;
      if (slot === this.smallest) this.findSmallest();
      return;
    }
    if (this.names.length < this.capacity) {
      this.slots.set(name, this.names.length);
      this.names.push(name);
      this.counts.push(1);
      if (this.names.length === this.capacity) this.findSmallest();
      return;
    }
    const at = this.smallest;
    this.slots.delete(this.names[at]!);
    this.slots.set(name, at);
    this.names[at] = name;
    this.counts[at]!++;
    this.findSmallest();
  }

  /** The n largest counts, largest first (ties by name). */
  top(n: number): Count[] {
    return this.names
      .map((name, i) => ({ name, count: this.counts[i]! }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
      .slice(0, n);
  }

  private findSmallest(): void {
    let at = 0;
    for (let i = 1; i < this.counts.length; i++) if (this.counts[i]! < this.counts[at]!) at = i;
    this.smallest = at;
  }
}
