/**
 * Exact-in-practice dedupe of event ids in bounded memory: each id is reduced to a 96-bit fingerprint
 * stored in an open-addressing table of Uint32 triples (12 bytes a slot, load <= 0.8), instead of keeping
 * the strings (~80-100 bytes each in V8). The table is split into 64 shards that grow independently, so a
 * resize briefly grows one shard rather than the whole table: 10M distinct events cost ~140-200 MiB.
 * A false "duplicate" needs two different ids with the same 96 bits: for n = 10M that is n^2 / 2^97 ~ 1e-15.
 */
const maxLoad = 0.8;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** More distinct events than the set's budget allows (computePartition then dedupes in hash slices). */
export class DedupeBudgetExceededError extends Error {
  readonly code = 'DEDUPE_BUDGET_EXCEEDED';
}

/**
 * Worst-case bytes per distinct event: 12-byte slots at the lowest load a shard has right after growing
 * (0.8 / 1.5), rounded up. A budget of B bytes admits floor(B / 24) distinct events.
 */
export const dedupeBytesPerEvent = 24;

/** The fingerprint addAscii would compute, into out[0..2] (worker threads compute, the main thread inserts). */
export function buildEventFingerprint(bytes: Uint8Array, start: number, end: number, out: Uint32Array): void {
  const length = end - start;
  let a = 0x9747b28c ^ length;
  let b = 0x811c9dc5;
  let c = 0x1b873593 ^ Math.imul(length, 0x27d4eb2d);
  for (let i = start; i < end; i++) {
    const ch = bytes[i]!;
    a = Math.imul(a ^ ch, 0x5bd1e995);
    a ^= a >>> 15;
    b = Math.imul(b ^ ch, 0x01000193);
    c = Math.imul((c << 5) | (c >>> 27), 0xcc9e2d51) + ch;
  }
  out[0] = (fmix(a) | 1) >>> 0;
  out[1] = fmix(b ^ a);
  out[2] = fmix(c ^ b);
}

/**
 * One open-addressing shard: Uint32 triples, slot empty when its first word is 0 (fingerprints are odd).
 * Capacity grows by 1.5x (not 2x) and slots are picked by multiply-shift, so any capacity works and the
 * table wastes less memory between resizes.
 */
class FingerprintTable {
  private slots: Uint32Array;
  private capacity: number;
  used = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.slots = new Uint32Array(capacity * 3);
  }

  add(a: number, b: number, c: number): boolean {
    if (this.used + 1 > this.capacity * maxLoad) this.grow();
    const slots = this.slots;
    let i = Math.floor((((b ^ c) >>> 0) * this.capacity) / 4294967296);
    for (;;) {
      const at = i * 3;
      const current = slots[at]!;
      if (current === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = c;
        this.used += 1;
        return true;
      }
      if (current === a && slots[at + 1] === b && slots[at + 2] === c) return false;
      i = i + 1 === this.capacity ? 0 : i + 1;
    }
  }

  private grow(): void {
    this.resize(Math.ceil(this.capacity * 1.5));
  }

  /** Room for `count` fingerprints without growing again (never shrinks). */
  reserve(count: number): void {
    const capacity = Math.ceil(count / maxLoad);
    if (capacity > this.capacity) this.resize(capacity);
  }

  private resize(capacity: number): void {
    const old = this.slots;
    this.capacity = capacity;
    this.slots = new Uint32Array(this.capacity * 3);
    this.used = 0;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at] !== 0) this.add(old[at]!, old[at + 1]!, old[at + 2]!);
    }
  }
}

const shardBits = 6;

export interface FingerprintSetOptions {
  /** Most distinct fingerprints held; one more throws DedupeBudgetExceededError. */
  maxSize?: number;
}

export class EventFingerprintSet {
  private readonly shards: FingerprintTable[];
  private readonly maxSize: number;
  private count = 0;

  constructor(initialCapacity = 1 << 16, options: FingerprintSetOptions = {}) {
    const perShard = Math.max(16, initialCapacity >> shardBits);
    this.shards = Array.from({ length: 1 << shardBits }, () => new FingerprintTable(perShard));
    this.maxSize = options.maxSize ?? Infinity;
  }

  get size(): number {
    return this.count;
  }

  /** Adds the id; answers false when it was already present (a duplicate). */
  add(id: string): boolean {
    buildIdFingerprint(id, this.out);
    return this.addFingerprint(this.out[0]!, this.out[1]!, this.out[2]!);
  }

  private readonly out = new Uint32Array(3);

  /**
   * Same as add() for the ASCII id held in bytes [start, end): byte values equal the string's char codes,
   * so both paths give the same fingerprint. Callers must not pass non-ASCII bytes.
   */
  addAscii(bytes: Uint8Array, start: number, end: number): boolean {
    buildEventFingerprint(bytes, start, end, this.out);
    return this.addFingerprint(this.out[0]!, this.out[1]!, this.out[2]!);
  }

  /**
   * Room for about `expected` distinct fingerprints in all (at most maxSize): one rehash now instead of the ~13
   * growth steps of each shard on the way there, each a rehash of everything so far (about a third of the
   * dedupe's CPU time for a 10M-event partition). Each shard gets its share plus 2% (shares of 10M
   * fingerprints differ by ~0.3%); a shard that still fills up grows as before.
   */
  reserve(expected: number): void {
    const perShard = Math.ceil((Math.min(expected, this.maxSize) / this.shards.length) * 1.02);
    for (const shard of this.shards) shard.reserve(perShard);
  }

  /** Adds a fingerprint from buildEventFingerprint; false when already present. */
  addFingerprint(a: number, b: number, c: number): boolean {
    if (!this.shards[a >>> (32 - shardBits)]!.add(a, b, c)) return false;
    if (++this.count > this.maxSize) {
      throw new DedupeBudgetExceededError(`more than ${this.maxSize} distinct events in one dedupe set`);
    }
    return true;
  }
}

/** The fingerprint add(id) uses, into out[0..2]; equal to buildEventFingerprint over the id's ASCII bytes. */
export function buildIdFingerprint(id: string, out: Uint32Array): void {
  let a = 0x9747b28c ^ id.length;
  let b = 0x811c9dc5;
  let c = 0x1b873593 ^ Math.imul(id.length, 0x27d4eb2d);
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x5bd1e995);
    a ^= a >>> 15;
    b = Math.imul(b ^ ch, 0x01000193);
    c = Math.imul((c << 5) | (c >>> 27), 0xcc9e2d51) + ch;
  }
  out[0] = (fmix(a) | 1) >>> 0;
  out[1] = fmix(b ^ a);
  out[2] = fmix(c ^ b);
}
