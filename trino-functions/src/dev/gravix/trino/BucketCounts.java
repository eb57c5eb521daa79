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

    private int[] indexes = new int[INITIAL_CAPACITY];
    private long[] counts = new long[INITIAL_CAPACITY];
    /** Position + 1 of the index hashed to each slot; 0 is an empty slot. Twice the capacity: load at most 1/2. */
    private int[] slots = new int[INITIAL_CAPACITY * 2];
    private int size;

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
        int n = slice.getInt(0);
        for (int i = 0; i < n; i++) add(slice.getInt(4 + i * 12), slice.getLong(8 + i * 12));
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
