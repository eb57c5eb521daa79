package dev.gravix.trino;

import io.trino.spi.TrinoException;
import io.trino.spi.block.ArrayBlockBuilder;
import io.trino.spi.block.Block;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.function.AggregationFunction;
import io.trino.spi.function.AggregationState;
import io.trino.spi.function.CombineFunction;
import io.trino.spi.function.Description;
import io.trino.spi.function.InputFunction;
import io.trino.spi.function.OutputFunction;
import io.trino.spi.function.SqlType;

import static io.trino.spi.StandardErrorCode.INVALID_FUNCTION_ARGUMENT;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.IntegerType.INTEGER;

/**
 * gravix_merge_histograms(latency_bucket_index, latency_bucket_count): the rows' latency histograms merged bucket
 * by bucket, as one array(bigint): the bucket indexes ascending, then their counts in the same order. It does in
 * one aggregation what SQL alone does with array_agg, flatten, zip and a multimap (docs/adr/0146).
 * A row whose histogram is NULL adds nothing; a NULL element of a present row is skipped with its pair.
 */
@AggregationFunction("gravix_merge_histograms")
@Description("Merges latency histograms (bucket indexes, counts) bucket by bucket: indexes ascending, then counts")
public final class MergeHistogramsAggregation {
    private MergeHistogramsAggregation() {}

    @InputFunction
    public static void input(
            @AggregationState HistogramState state,
            @SqlType("array(integer)") Block indexes,
            @SqlType("array(bigint)") Block counts) {
        int n = indexes.getPositionCount();
        if (counts.getPositionCount() != n) {
            throw new TrinoException(INVALID_FUNCTION_ARGUMENT,
                    "gravix_merge_histograms: " + n + " bucket indexes but " + counts.getPositionCount() + " counts");
        }
        BucketCounts merged = state.counts();
        long before = merged.estimatedSize();
        // A group's first row sizes its histogram: one allocation where growing from 16 buckets took several.
        if (merged.size() == 0) merged.reserve(n);
        for (int i = 0; i < n; i++) {
            if (indexes.isNull(i) || counts.isNull(i)) continue;
            merged.add(INTEGER.getInt(indexes, i), BIGINT.getLong(counts, i));
        }
        state.grew(merged.estimatedSize() - before);
    }

    @CombineFunction
    public static void combine(@AggregationState HistogramState state, @AggregationState HistogramState other) {
        if (!other.isPresent()) return;
        BucketCounts merged = state.counts();
        long before = merged.estimatedSize();
        merged.addAll(other.counts());
        state.grew(merged.estimatedSize() - before);
    }

    @OutputFunction("array(bigint)")
    public static void output(@AggregationState HistogramState state, BlockBuilder out) {
        if (!state.isPresent()) {
            out.appendNull();
            return;
        }
        long[] values = state.counts().sortedIndexesThenCounts();
        ((ArrayBlockBuilder) out).buildEntry(elements -> {
            for (long value : values) BIGINT.writeLong(elements, value);
        });
    }
}
