package dev.onepipe.core.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onepipe bench <name>}: end-to-end benchmarks contributed by modules through {@link CommandProvider}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"End-to-end benchmarks on the embedded broker and S3 endpoint.",
            "Each reports its throughput next to a physical limit measured in the same run."})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
