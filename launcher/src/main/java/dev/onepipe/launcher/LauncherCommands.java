package dev.onepipe.launcher;

import java.util.List;

import dev.onepipe.core.cli.CommandProvider;

/** The commands only the full launcher jar has: the local pipeline and the demo. */
public final class LauncherCommands implements CommandProvider {

    @Override
    public List<Object> commands() {
        return List.of(new DevCommand(), new DemoCommand(), new ServeCommand());
    }

    @Override
    public List<Object> benchmarkCommands() {
        return List.of(new ServeBenchmark());
    }
}
