package dev.onepipe.archive.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onepipe archive <subcommand>}: tools for archives written by the archive topology. */
@Command(name = "archive", mixinStandardHelpOptions = true, subcommands = VerifyCommand.class,
        description = {"Tools for the archive written by 'onepipe run archive'.",
            "To copy a topic to S3, run the topology: onepipe run archive --dataset <name>."})
final class ArchiveCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
