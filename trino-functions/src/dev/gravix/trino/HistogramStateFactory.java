package dev.gravix.trino;

import io.trino.spi.function.AccumulatorStateFactory;
import io.trino.spi.function.GroupedAccumulatorState;

import java.util.Arrays;

/** The states of gravix_merge_histograms: one histogram (a global aggregation) or one per group of a GROUP BY. */
public final class HistogramStateFactory implements AccumulatorStateFactory<HistogramState> {
    @Override
    public HistogramState createSingleState() {
        return new Single();
    }

    @Override
    public HistogramState createGroupedState() {
        return new Grouped();
    }

    static final class Single implements HistogramState {
        private BucketCounts counts;

        @Override
        public BucketCounts counts() {
            if (counts == null) counts = new BucketCounts();
            return counts;
        }

        @Override
        public void set(BucketCounts counts) {
            this.counts = counts;
        }

        @Override
        public boolean isPresent() {
            return counts != null;
        }

        @Override
        public void grew(long bytes) {
            // The single state's size is read from the histogram itself.
        }

        @Override
        public long getEstimatedSize() {
            return 16 + (counts == null ? 0 : counts.estimatedSize());
        }
    }

    static final class Grouped implements HistogramState, GroupedAccumulatorState {
        private BucketCounts[] groups = new BucketCounts[16];
        private int groupId;
        /** Bytes held by the groups' histograms, kept as they grow rather than summed over every group. */
        private long histogramsSize;

        @Override
        public void setGroupId(int groupId) {
            this.groupId = groupId;
        }

        @Override
        public void ensureCapacity(int size) {
            if (size > groups.length) groups = Arrays.copyOf(groups, Math.max(size, groups.length * 2));
        }

        @Override
        public BucketCounts counts() {
            BucketCounts counts = groups[groupId];
            if (counts == null) {
                counts = new BucketCounts();
                groups[groupId] = counts;
                histogramsSize += counts.estimatedSize();
            }
            return counts;
        }

        @Override
        public void set(BucketCounts counts) {
            BucketCounts old = groups[groupId];
            histogramsSize += (counts == null ? 0 : counts.estimatedSize()) - (old == null ? 0 : old.estimatedSize());
            groups[groupId] = counts;
        }

        @Override
        public boolean isPresent() {
            return groups[groupId] != null;
        }

        @Override
        public void grew(long bytes) {
            histogramsSize += bytes;
        }

        @Override
        public long getEstimatedSize() {
            return 32 + 8L * groups.length + histogramsSize;
        }
    }
}
