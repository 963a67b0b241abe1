package dev.onepipe.dedup.cli;

import java.util.List;

import dev.onepipe.core.cli.CommandProvider;

/** The clean table's commands: {@code onepipe clean show} and {@code onepipe clean verify}. */
public final class CleanCommands implements CommandProvider {

    @Override
    public List<Object> commands() {
        return List.of(new CleanCommand());
    }
}
