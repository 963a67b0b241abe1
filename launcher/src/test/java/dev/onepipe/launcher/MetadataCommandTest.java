package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.onepipe.core.cli.OnepipeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The shape of the registry commands, and their answers before any broker is contacted. */
class MetadataCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(final String... arguments) {
        final CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(arguments);
    }

    @Test
    void helpListsTheRegistryCommands() {
        assertEquals(0, execute("--help"));
        assertTrue(out.toString().contains("  metadata "), out.toString());
        assertTrue(out.toString().contains("  produce "), out.toString());
        assertEquals(0, execute("metadata", "--help"));
        for (final String command : new String[] {"register", "check", "list", "show", "delete"}) {
            assertTrue(out.toString().contains("  " + command + " "), command + " missing from:\n" + out);
        }
    }

    @Test
    void registerWithoutAClusterSaysHowToGetOne(@TempDir final Path folder) throws Exception {
        final Path schema = Files.writeString(folder.resolve("s.avsc"), "{\"type\": \"string\"}");
        assertEquals(2, execute("metadata", "register", "--subject", "s", "--schema", schema.toString()));
        assertTrue(err.toString().contains("ONEPIPE_BOOTSTRAP_SERVERS"), err.toString());
        assertTrue(!err.toString().contains("Usage:"), "not a parse error: " + err);
    }

    @Test
    void deleteNeedsADatasetOrASubjectAndVersion() {
        assertEquals(2, execute("metadata", "delete", "--subject", "s"));
        assertTrue(err.toString().contains("--schema-version"), err.toString());
    }

    @Test
    void produceNeedsADatasetAndInput() {
        assertEquals(2, execute("produce", "--json", "-"));
        assertTrue(err.toString().contains("--dataset"), err.toString());
    }
}
