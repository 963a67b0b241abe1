package dev.onepipe.reconciliation;

import java.util.List;

import dev.onepipe.core.cli.CommandProvider;

/** The reconciliation module's commands: {@code onepipe reconcile}, {@code onepipe status} and {@code onepipe bench reconcile}. */
public final class ReconciliationCommands implements CommandProvider {

    @Override
    public List<Object> commands() {
        return List.of(new ReconcileCommand(), new StatusCommand());
    }

    @Override
    public List<Object> benchmarkCommands() {
        return List.of(new ReconcileBenchmarkCommand());
    }
}
