package dev.onepipe.core.cli;

import java.util.ServiceLoader;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code onepipe} command. Its subcommands are {@code run} and {@code topologies}, plus whatever the
 * {@link CommandProvider}s on the classpath add ({@code dev}, {@code demo}, {@code metadata}, {@code replay}...).
 */
@Command(name = "onepipe",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "One way to publish data, and shared Kafka Streams jobs that carry it everywhere it must go.",
            "",
            "Configuration layers, each overriding the one before: defaults, --config <file.properties>,",
            "ONEPIPE_* environment variables (ONEPIPE_BOOTSTRAP_SERVERS, ONEPIPE_S3_BUCKET, ...), flags."
        },
        subcommands = {RunCommand.class, TopologiesCommand.class},
        sortOptions = false)
public final class OnepipeCommand implements Runnable {

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Log more: onepipe at DEBUG, Kafka, S3Proxy and the rest at INFO.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command line with every provider's subcommands added. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new OnepipeCommand());
        CommandLine bench = new CommandLine(new BenchCommand());
        for (CommandProvider provider : ServiceLoader.load(CommandProvider.class)) {
            for (Object command : provider.commands()) {
                commandLine.addSubcommand(command);
            }
            for (Object command : provider.benchmarkCommands()) {
                bench.addSubcommand(command);
            }
        }
        if (!bench.getSubcommands().isEmpty()) {
            commandLine.addSubcommand(bench);
        }
        commandLine.setExecutionExceptionHandler(new CommandFailureHandler());
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        commandLine.setExecutionStrategy(parseResult -> {
            BenchCommand.requireEmbeddedRuntime(parseResult);
            return runLast.execute(parseResult);
        });
        return commandLine;
    }

    public static void main(String[] arguments) {
        LogLevels.configure(arguments);
        System.exit(commandLine().execute(arguments));
    }
}
