package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.onepipe.core.cli.OnepipeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A missing or unreadable input or configuration file is a usage error (exit 2) with a sentence, for every command,
 * found before anything connects (the broker address below is never contacted).
 */
class InputFileErrorsTest {

    private static final String UNUSED_BROKER = "127.0.0.1:1";

    @TempDir
    Path folder;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(final List<String> arguments) {
        final CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(arguments.toArray(new String[0]));
    }

    private int execute(final String... arguments) {
        return execute(List.of(arguments));
    }

    @Test
    void produceOfAMissingJsonFileIsAUsageErrorWithASentence() {
        final String missing = folder.resolve("missing.jsonl").toString();
        assertEquals(2, execute("produce", "--dataset", "widgets", "--json", missing, "-b", UNUSED_BROKER));
        assertTrue(err.toString().contains("Invalid value for option '--json': file '" + missing + "' does not exist"),
            err.toString());
    }

    @Test
    void aFolderWhereAFileBelongsIsAUsageError() {
        assertEquals(2, execute("produce", "--dataset", "widgets", "--json", folder.toString(), "-b", UNUSED_BROKER));
        assertTrue(err.toString().contains("'" + folder + "' is a folder, not a file"), err.toString());
    }

    @Test
    void missingSchemaAndMetadataFilesAreUsageErrorsForRegisterAndCheck() throws Exception {
        final Path schema = Files.writeString(folder.resolve("w.avsc"), "{\"type\":\"string\"}");
        for (final String verb : new String[] {"register", "check"}) {
            final String missing = folder.resolve("nowhere/" + verb + ".json").toString();
            assertEquals(2, execute("metadata", verb, "--metadata", missing, "--schema", schema.toString(),
                "-b", UNUSED_BROKER), verb);
            assertTrue(err.toString().contains("Invalid value for option '--metadata': file '" + missing
                + "' does not exist (nor does its folder"), err.toString());
            assertEquals(2, execute("metadata", verb, "--dataset", "w", "--schema", missing, "-b", UNUSED_BROKER));
            assertTrue(err.toString().contains("Invalid value for option '--schema': file '" + missing + "'"),
                err.toString());
        }
    }

    /** Every command that takes --config, found by walking the command tree, so a new command is covered too. */
    @Test
    void aMissingConfigFileIsAUsageErrorForEveryCommand() {
        final String missing = folder.resolve("missing.properties").toString();
        final List<List<String>> commands = new ArrayList<>();
        collect(OnepipeCommand.commandLine(), new ArrayList<>(), commands);
        assertTrue(commands.size() >= 10, "commands with --config: " + commands);
        assertTrue(commands.contains(List.of("produce")) && commands.contains(List.of("run"))
            && commands.contains(List.of("metadata", "register")), commands.toString());
        for (final List<String> command : commands) {
            final List<String> arguments = new ArrayList<>(command);
            arguments.addAll(List.of("--config", missing));
            err.getBuffer().setLength(0);
            assertEquals(2, execute(arguments), command + ": " + err);
            assertTrue(err.toString().contains("Invalid value for option '--config': file '" + missing
                + "' does not exist"), command + ": " + err);
            assertFalse(err.toString().contains("Exception"), command + ": " + err);
        }
    }

    private static void collect(final CommandLine commandLine, final List<String> path, final List<List<String>> found) {
        final CommandSpec spec = commandLine.getCommandSpec();
        if (spec.findOption("--config") != null) {
            found.add(List.copyOf(path));
        }
        commandLine.getSubcommands().forEach((name, subcommand) -> {
            if (subcommand.getCommandSpec().aliases().length == 0 || !List.of(subcommand.getCommandSpec().aliases()).contains(name)) {
                final List<String> child = new ArrayList<>(path);
                child.add(name);
                collect(subcommand, child, found);
            }
        });
    }
}
