/**
 * Exact-in-practice dedupe of event ids in bounded memory: each id is reduced to a 96-bit fingerprint
 * stored in an open-addressing table of Uint32 triples (12 bytes a slot, load <= 0.7), instead of keeping
 * the strings (~80-100 bytes each in V8). 10M distinct events cost ~190 MiB at worst, ~130 MiB typical.
 * A false "duplicate" needs two different ids with the same 96 bits: for n = 10M that is n^2 / 2^97 ~ 1e-15.
 */
const maxLoad = 0.7;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class EventFingerprintSet {
  private slots: Uint32Array;
  private mask: number;
  private used = 0;
  // Scratch for the fingerprint of the id being looked up, so adds allocate nothing.
  private a = 0;
  private b = 0;
  private c = 0;

  constructor(initialCapacity = 1 << 16) {
    const capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.slots = new Uint32Array(capacity * 3);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.used;
  }

  /** Adds the id; answers false when it was already present (a duplicate). */
  add(id: string): boolean {
    this.fingerprint(id);
    if ((this.used + 1) / (this.mask + 1) > maxLoad) this.grow();
    return this.insert(this.a, this.b, this.c);
  }

  /**
   * Same as add() for the ASCII id held in bytes [start, end): byte values equal the string's char codes,
   * so both paths give the same fingerprint. Callers must not pass non-ASCII bytes.
   */
  addAscii(bytes: Uint8Array, start: number, end: number): boolean {
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
    this.finish(a, b, c);
    if ((this.used + 1) / (this.mask + 1) > maxLoad) this.grow();
    return this.insert(this.a, this.b, this.c);
  }

  private fingerprint(id: string): void {
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
    this.finish(a, b, c);
  }

  private finish(a: number, b: number, c: number): void {
    // Slot 0 means "empty", so the first word is forced odd.
    this.a = (fmix(a) | 1) >>> 0;
    this.b = fmix(b ^ a);
    this.c = fmix(c ^ b);
  }

  private insert(a: number, b: number, c: number): boolean {
    const slots = this.slots;
    let i = (b ^ c) & this.mask;
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
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    this.used = 0;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at] !== 0) this.insert(old[at]!, old[at + 1]!, old[at + 2]!);
    }
  }
}
