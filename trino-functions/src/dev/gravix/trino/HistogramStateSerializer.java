package dev.gravix.trino;

import io.airlift.slice.Slice;
import io.trino.spi.block.Block;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.function.AccumulatorStateSerializer;
import io.trino.spi.type.Type;

import static io.trino.spi.type.VarbinaryType.VARBINARY;

/** A partial histogram as VARBINARY (BucketCounts.serialize), or NULL for a group that saw no row. */
public final class HistogramStateSerializer implements AccumulatorStateSerializer<HistogramState> {
    @Override
    public Type getSerializedType() {
        return VARBINARY;
    }

    @Override
    public void serialize(HistogramState state, BlockBuilder out) {
        if (!state.isPresent()) {
            out.appendNull();
            return;
        }
        VARBINARY.writeSlice(out, state.counts().serialize());
    }

    /** Replaces the state's histogram with the serialized one or with none for NULL (the scratch state Trino reuses, see set). */
    @Override
    public void deserialize(Block block, int index, HistogramState state) {
        if (block.isNull(index)) {
            state.set(null);
            return;
        }
        Slice slice = VARBINARY.getSlice(block, index);
        int n = BucketCounts.serializedSize(slice);
        // The scratch state's own histogram is emptied and refilled when it is big enough (no one else holds it:
        // combine copies from it), else replaced by one sized for this state.
        BucketCounts counts;
        if (state.isPresent() && state.counts().fits(n)) {
            counts = state.counts();
            counts.clear();
        } else {
            counts = new BucketCounts(n);
        }
        counts.addSerialized(slice);
        state.set(counts);
    }
}
