package dev.gravix.trino;

import io.trino.spi.Plugin;

import java.util.Set;

/** Gravix's functions for the Trino the operator deploys: one aggregate, gravix_merge_histograms. */
public final class GravixFunctionsPlugin implements Plugin {
    @Override
    public Set<Class<?>> getFunctions() {
        return Set.of(MergeHistogramsAggregation.class);
    }
}
