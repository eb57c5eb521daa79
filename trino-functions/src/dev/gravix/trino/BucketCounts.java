package dev.gravix.trino;

import io.airlift.slice.Slice;
import io.airlift.slice.Slices;

import java.util.Arrays;

/**
 * One merged latency histogram: a count per bucket index, in an open-addressing table (indexes in insertion order,
 * a table of their positions). A hash rather than a dense array from the lowest index: an index comes from stored
 * data, and a corrupt or hostile one (2^31 - 1) must cost one slot, not gigabytes.
 */
final class BucketCounts {
    private static final int INITIAL_CAPACITY = 16;
    /** Object headers and array headers, roughly, for Trino's memory accounting. */
    private static final long FIXED_SIZE = 16 + 3 * 16 + 8;

    private int[] indexes;
    private long[] counts;
    /** Position + 1 of the index hashed to each slot; 0 is an empty slot. Twice the capacity: load at most 1/2. */
    private int[] slots;
    private int size;

    BucketCounts() {
        this(INITIAL_CAPACITY);
    }

    /** Room for this many buckets before the first growth: a histogram of known length is allocated once. */
    BucketCounts(int expectedSize) {
        allocate(capacityFor(expectedSize));
    }

    int size() {
        return size;
    }

    long estimatedSize() {
        return FIXED_SIZE + 4L * indexes.length + 8L * counts.length + 4L * slots.length;
    }

    void add(int index, long count) {
        int mask = slots.length - 1;
        int slot = hash(index) & mask;
        while (true) {
            int position = slots[slot] - 1;
            if (position < 0) break;
            if (indexes[position] == index) {
                counts[position] += count;
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (size == indexes.length) {
            grow();
            add(index, count);
            return;
        }
        indexes[size] = index;
        counts[size] = count;
        size++;
        slots[slot] = size;
    }

    /**
     * Empties the histogram for reuse. Trino deserializes every partial state of a combine into one scratch state,
     * so reusing its arrays (rather than a new histogram grown from 16 buckets per partial state) spares a dashboard
     * statement megabytes of garbage (docs/adr/0147).
     */
    void clear() {
        Arrays.fill(slots, 0);
        size = 0;
    }

    /** Whether n distinct buckets fit without growing. */
    boolean fits(int n) {
        return n <= indexes.length;
    }

    /** Grows once to hold n distinct buckets: an empty histogram about to take a row of n. */
    void reserve(int n) {
        if (fits(n)) return;
        int[] oldIndexes = indexes;
        long[] oldCounts = counts;
        allocate(capacityFor(n));
        System.arraycopy(oldIndexes, 0, indexes, 0, size);
        System.arraycopy(oldCounts, 0, counts, 0, size);
        rehash();
    }

    void addAll(BucketCounts other) {
        for (int i = 0; i < other.size; i++) add(other.indexes[i], other.counts[i]);
    }

    /** The indexes ascending, then their counts in the same order: 2 x size values. */
    long[] sortedIndexesThenCounts() {
        int[] sorted = Arrays.copyOf(indexes, size);
        Arrays.sort(sorted);
        long[] out = new long[2 * size];
        for (int i = 0; i < size; i++) {
            out[i] = sorted[i];
            out[size + i] = counts[positionOf(sorted[i])];
        }
        return out;
    }

    /** [size:int][index:int, count:long]*: a partial aggregation's state between Trino's stages. */
    Slice serialize() {
        Slice slice = Slices.allocate(4 + size * 12);
        slice.setInt(0, size);
        for (int i = 0; i < size; i++) {
            slice.setInt(4 + i * 12, indexes[i]);
            slice.setLong(8 + i * 12, counts[i]);
        }
        return slice;
    }

    void addSerialized(Slice slice) {
        int n = serializedSize(slice);
        for (int i = 0; i < n; i++) add(slice.getInt(4 + i * 12), slice.getLong(8 + i * 12));
    }

    /** The number of buckets a serialized histogram holds. */
    static int serializedSize(Slice slice) {
        return slice.getInt(0);
    }

    private int positionOf(int index) {
        int mask = slots.length - 1;
        int slot = hash(index) & mask;
        while (indexes[slots[slot] - 1] != index) slot = (slot + 1) & mask;
        return slots[slot] - 1;
    }

    private void grow() {
        int capacity = indexes.length * 2;
        indexes = Arrays.copyOf(indexes, capacity);
        counts = Arrays.copyOf(counts, capacity);
        slots = new int[capacity * 2];
        rehash();
    }

    private void allocate(int capacity) {
        indexes = new int[capacity];
        counts = new long[capacity];
        slots = new int[capacity * 2];
    }

    /**
     * A power of two of at least n and INITIAL_CAPACITY (the slot mask needs a power of two), at most 2^29 so twice
     * it still indexes an array: a larger row fails in growth as it would have without the hint.
     */
    private static int capacityFor(int n) {
        int wanted = Math.min(Math.max(INITIAL_CAPACITY, n), 1 << 29);
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /** Puts every position back into the (empty) slot table. */
    private void rehash() {
        int mask = slots.length - 1;
        for (int position = 0; position < size; position++) {
            int slot = hash(indexes[position]) & mask;
            while (slots[slot] != 0) slot = (slot + 1) & mask;
            slots[slot] = position + 1;
        }
    }

    /** Fibonacci hashing: neighbouring indexes (a histogram's are) land far apart. */
    private static int hash(int index) {
        return (int) ((index * 0x9E3779B97F4A7C15L) >>> 32);
    }
}
