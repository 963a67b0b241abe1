package dev.onepipe.dedup.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.MissingConfigurationException;
import dev.onepipe.dedup.table.CleanTableReader;
import dev.onepipe.dedup.table.CleanTableVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code onepipe clean verify}: does a clean table's current snapshot meet its contract? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a dataset's clean table at its current snapshot: exactly one row per unique key in the whole table,",
            "every data file sorted by the ordering fields, every row in the partition of its event-time day, no delete files.",
            "Prints the offending keys and files. Exit codes: 0 OK; 1 a violation; 2 a configuration error;",
            "3 the table cannot be read (no such table, catalog or S3 unreachable)."})
final class CleanVerifyCommand implements Callable<Integer> {

    static final int VIOLATION = 1;
    static final int UNREADABLE = 3;

    @Option(names = "--dataset", required = true, paramLabel = "<name>", description = "Registered dataset whose clean table to check.")
    String dataset;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (CleanTableReader reader = CleanTableReader.open(options.config(Map.of()), dataset)) {
            CleanTableVerifier.Report report = CleanTableVerifier.verify(reader.table(), reader.layout());
            report.print(out);
            return report.ok() ? 0 : VIOLATION;
        } catch (IllegalArgumentException | MissingConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            // no table, catalog or S3 unreachable: kept apart from exit code 1, which means the table is wrong
            spec.commandLine().getErr().println("onepipe: cannot read the clean table of " + dataset + ": " + e.getMessage());
            return UNREADABLE;
        }
    }
}
