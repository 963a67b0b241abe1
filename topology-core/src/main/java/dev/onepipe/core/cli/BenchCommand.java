package dev.onepipe.core.cli;

import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onepipe bench <name>}: end-to-end benchmarks contributed by modules through {@link CommandProvider}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"End-to-end benchmarks on the embedded broker and S3 endpoint.",
            "Each reports its throughput next to a physical limit measured in the same run."})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The class every benchmark starts its broker and S3 endpoint with; only the launcher's jar carries it. */
    static final String EMBEDDED_RUNTIME = "dev.onepipe.core.embedded.EmbeddedRuntime";

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Stops {@code onepipe bench <name>} before it starts when this jar has no embedded runtime (a per-topology jar
     * leaves the in-process broker and S3 endpoint out), with a message saying which jar to use instead of a
     * {@code NoClassDefFoundError}. Help requests and {@code onepipe bench} alone still work.
     *
     * @throws CommandLine.ParameterException if a benchmark is selected and the embedded runtime is not on the classpath
     */
    static void requireEmbeddedRuntime(CommandLine.ParseResult parseResult) {
        List<CommandLine> selected = parseResult.asCommandLineList();
        CommandLine last = selected.get(selected.size() - 1);
        boolean benchmark = selected.size() >= 2 && selected.get(selected.size() - 2).getCommand() instanceof BenchCommand;
        boolean help = selected.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested());
        if (benchmark && !help && !embeddedRuntimeAvailable()) {
            throw new CommandLine.ParameterException(last, "onepipe bench " + last.getCommandName()
                    + " starts an in-process Kafka broker and S3 endpoint, which only the launcher's jar carries"
                    + " (this per-topology jar runs topologies against a real cluster): run it with java -jar onepipe.jar bench "
                    + last.getCommandName());
        }
    }

    private static boolean embeddedRuntimeAvailable() {
        try {
            Class.forName(EMBEDDED_RUNTIME, false, BenchCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
