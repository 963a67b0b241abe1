package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

import dev.onepipe.core.cli.OnepipeCommand;
import org.junit.jupiter.api.Test;

/** {@code onepipe reconcile}'s arguments: refused with exit code 2 and a sentence before anything is read. */
class ReconcileCommandTest {

    @Test
    void timesAreReadWithAnOffsetWithoutOneAsUtcOrAsADay() {
        ReconcileCommand.TimeConverter converter = new ReconcileCommand.TimeConverter();
        assertEquals(Instant.parse("2026-11-22T07:00:00Z"), converter.convert("2026-11-22T07:00:00Z"));
        assertEquals(Instant.parse("2026-11-22T07:00:00Z"), converter.convert("2026-11-22T08:00+01:00"));
        assertEquals(Instant.parse("2026-11-22T07:00:00Z"), converter.convert("2026-11-22T07:00"));
        assertEquals(Instant.parse("2026-11-22T00:00:00Z"), converter.convert("2026-11-22"));
    }

    @Test
    void aBadTimeAnEmptyRangeAndALimitBelowOneAreUsageErrors() {
        assertUsageError("not a time: 'yesterday'", "--from", "yesterday");
        assertUsageError("--from (2026-11-30T00:00:00Z) must be before --to (2026-11-29T00:00:00Z)", "--from", "2026-11-30", "--to", "2026-11-29");
        assertUsageError("--limit must be at least 1, not 0", "--limit", "0");
        assertUsageError("--limit must be at least 1, not -5", "--limit", "-5");
    }

    private static void assertUsageError(String expected, String... arguments) {
        StringWriter err = new StringWriter();
        picocli.CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] command = new String[arguments.length + 3];
        command[0] = "reconcile";
        command[1] = "--topic";
        command[2] = "widgets";
        System.arraycopy(arguments, 0, command, 3, arguments.length);
        assertEquals(2, commandLine.execute(command), err.toString());
        assertTrue(err.toString().contains(expected), err.toString());
        assertTrue(!err.toString().contains("java.lang."), "no exception class names: " + err);
    }
}
