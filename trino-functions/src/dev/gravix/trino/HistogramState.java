package dev.gravix.trino;

import io.trino.spi.function.AccumulatorState;
import io.trino.spi.function.AccumulatorStateMetadata;

/** A group's merged histogram while Trino aggregates: none until its first row. */
@AccumulatorStateMetadata(stateSerializerClass = HistogramStateSerializer.class, stateFactoryClass = HistogramStateFactory.class)
public interface HistogramState extends AccumulatorState {
    /** The group's histogram, created empty on first use. */
    BucketCounts counts();

    /**
     * Replaces the group's histogram: Trino deserializes a partial state into a scratch state it reuses for every
     * group it combines, so a deserialized histogram must replace what the scratch held, not add to it. NULL: none.
     */
    void set(BucketCounts counts);

    /** Whether the group has seen a row (a histogram, even an empty one). */
    boolean isPresent();

    /** Tells the state its histogram grew by this many bytes (Trino's memory accounting). */
    void grew(long bytes);
}
