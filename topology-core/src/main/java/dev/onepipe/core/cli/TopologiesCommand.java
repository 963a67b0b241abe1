package dev.onepipe.core.cli;

import java.io.PrintWriter;

import dev.onepipe.core.OnepipeTopologies;
import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologySetting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code onepipe topologies}: the topologies on the classpath and the settings each reads. */
@Command(name = "topologies", mixinStandardHelpOptions = true,
        description = "List the topologies in this build and the settings each reads, with defaults.")
final class TopologiesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (OnepipeTopologies.all().isEmpty()) {
            out.println("No topologies in this build.");
        }
        for (OnepipeTopology topology : OnepipeTopologies.all()) {
            out.printf("%s%s%n    %s%n", topology.name(), topology.acceptsAnyTopic() ? "  (--dataset or --topic)" : "  (--dataset)",
                    topology.description());
            for (TopologySetting setting : topology.settings()) {
                out.printf("    %-44s %s%n", setting.key() + " = " + setting.defaultValue().orElse("<required>"), setting.documentation());
            }
            out.println();
        }
        out.flush();
    }
}
