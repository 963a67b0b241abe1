package dev.onepipe.launcher;

import java.util.List;

import dev.onepipe.core.cli.CommandProvider;

/** The registry commands: {@code metadata} (register, check, list, show, delete) and {@code produce}. */
public final class MetadataCommands implements CommandProvider {

    @Override
    public List<Object> commands() {
        return List.of(new MetadataCommand(), new ProduceCommand());
    }
}
