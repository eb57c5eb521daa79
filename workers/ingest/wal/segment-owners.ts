/**
 * Bytes each owner (tenant) has in each local segment, and their totals: what a tenant's share of the disk
 * buffer is measured against. A segment's bytes are released when it is uploaded and deleted.
 */
export class SegmentOwners {
  private readonly bySegment = new Map<number, Map<string, number>>();
  private readonly totals = new Map<string, number>();

  add(segment: number, owner: string, bytes: number): void {
    let owners = this.bySegment.get(segment);
    if (!owners) {
      owners = new Map();
      this.bySegment.set(segment, owners);
    }
    owners.set(owner, (owners.get(owner) ?? 0) + bytes);
    this.totals.set(owner, (this.totals.get(owner) ?? 0) + bytes);
  }

  release(segment: number): void {
    const owners = this.bySegment.get(segment);
    if (!owners) return;
    this.bySegment.delete(segment);
    for (const [owner, bytes] of owners) {
      const left = (this.totals.get(owner) ?? 0) - bytes;
      if (left > 0) this.totals.set(owner, left);
      else this.totals.delete(owner);
    }
  }

  bytesOf(owner: string): number {
    return this.totals.get(owner) ?? 0;
  }
}
