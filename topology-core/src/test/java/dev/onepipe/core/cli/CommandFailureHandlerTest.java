package dev.onepipe.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** A file problem found while a command runs (after parsing) is still a usage error said as a sentence. */
class CommandFailureHandlerTest {

    @Command(name = "reads")
    static final class Reads implements Callable<Integer> {
        final Exception failure;

        Reads(final Exception failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            throw failure;
        }
    }

    private static String[] run(final Exception failure) {
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = new CommandLine(new Reads(failure));
        commandLine.setErr(new PrintWriter(err));
        commandLine.setExecutionExceptionHandler(new CommandFailureHandler());
        return new String[] {String.valueOf(commandLine.execute()), err.toString()};
    }

    @Test
    void aVanishedFileIsExitTwoWithASentenceNotTheBareName() {
        final String[] result = run(new NoSuchFileException("missing.jsonl"));
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("onepipe: file 'missing.jsonl' does not exist"), result[1]);
    }

    @Test
    void aWrappedUnreadableFileIsExitTwoToo() {
        final String[] result = run(new UncheckedIOException("x", new AccessDeniedException("secret.properties")));
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("onepipe: file 'secret.properties' cannot be read: permission denied"), result[1]);
    }

    @Test
    void readableFileRefusesAMissingFileAndAFolder() {
        final ReadableFile converter = new ReadableFile();
        final CommandLine.TypeConversionException missing = org.junit.jupiter.api.Assertions.assertThrows(
            CommandLine.TypeConversionException.class, () -> converter.convert("/nonexistent-onepipe/x.properties"));
        assertEquals("file '/nonexistent-onepipe/x.properties' does not exist (nor does its folder /nonexistent-onepipe)",
            missing.getMessage());
        assertEquals("'/tmp' is a folder, not a file", org.junit.jupiter.api.Assertions.assertThrows(
            CommandLine.TypeConversionException.class, () -> converter.convert("/tmp")).getMessage());
        assertEquals("-", new ReadableFile.OrStandardInput().convert("-"));
    }
}
