package dev.onepipe.dedup.bench;

import java.util.List;

import dev.onepipe.core.cli.CommandProvider;

/** Adds {@code onepipe bench dedup}. */
public final class DedupBenchmarkCommands implements CommandProvider {

    @Override
    public List<Object> commands() {
        return List.of();
    }

    @Override
    public List<Object> benchmarkCommands() {
        return List.of(new DedupBenchmark());
    }
}
