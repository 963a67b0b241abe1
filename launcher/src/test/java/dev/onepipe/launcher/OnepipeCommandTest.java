package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import dev.onepipe.core.cli.OnepipeCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's shape and its answers when no cluster is configured; no broker needed. */
class OnepipeCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... arguments) {
        CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(arguments);
    }

    @Test
    void helpListsTheCommandsFromEveryProvider() {
        assertEquals(0, execute("--help"));
        for (String command : new String[] {"run", "topologies", "dev", "demo"}) {
            assertTrue(out.toString().contains("  " + command + " "), command + " missing from:\n" + out);
        }
    }

    @Test
    void versionNamesKafka() {
        assertEquals(0, execute("--version"));
        assertTrue(out.toString().contains("Kafka 4."), out.toString());
    }

    @Test
    void runWithoutAClusterSaysHowToGetOne() {
        int exit = execute("run", "pass-through", "--topic", "input", "--set", "onepipe.test.output.topic=output");
        assertEquals(2, exit);
        assertTrue(err.toString().contains("onepipe dev"), err.toString());
        assertTrue(err.toString().contains("ONEPIPE_BOOTSTRAP_SERVERS"), err.toString());
    }

    @Test
    void runOfAnUnknownTopologyListsTheKnownOnes() {
        assertEquals(2, execute("run", "no-such-topology", "--dataset", "widgets"));
        assertTrue(err.toString().contains("pass-through"), err.toString());
    }

    @Test
    void topologiesListsNamesAndSettings() {
        assertEquals(0, execute("topologies"));
        assertTrue(out.toString().contains("pass-through"), out.toString());
        assertTrue(out.toString().contains("onepipe.test.output.topic = <required>"), out.toString());
    }
}
