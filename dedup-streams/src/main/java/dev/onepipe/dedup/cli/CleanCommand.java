package dev.onepipe.dedup.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onepipe clean <subcommand>}: tools for the clean tables the dedup topology writes. */
@Command(name = "clean", mixinStandardHelpOptions = true, subcommands = {CleanShowCommand.class, CleanVerifyCommand.class},
        description = {"Tools for a dataset's clean Iceberg table (clean.<dataset>), written by 'onepipe run dedup --dataset <name>'.",
            "The catalog comes from onepipe.dedup.catalog.* (default: JdbcCatalog on <onepipe.state.root>/iceberg-catalog.sqlite),",
            "the files from onepipe.s3.*; use the same --config as the dedup topology."})
final class CleanCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
