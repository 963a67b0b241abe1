package dev.onepipe.archive.cli;

import java.util.List;

import dev.onepipe.archive.ArchiveBenchmarkCommand;
import dev.onepipe.core.cli.CommandProvider;

/** The archive's commands: {@code onepipe archive verify}, {@code onepipe replay} and {@code onepipe bench archive}. */
public final class ArchiveCommands implements CommandProvider {

    @Override
    public List<Object> commands() {
        return List.of(new ArchiveCommand(), new ReplayCommand());
    }

    @Override
    public List<Object> benchmarkCommands() {
        return List.of(new ArchiveBenchmarkCommand());
    }
}
