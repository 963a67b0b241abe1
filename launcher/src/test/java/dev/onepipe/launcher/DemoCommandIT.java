package dev.onepipe.launcher;

import dev.onepipe.core.testing.OnepipeProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The demo, as a user runs it, ends with its summary and exit code 0. */
class DemoCommandIT {

    private static long number(String text) {
        return Long.parseLong(text.replace(",", ""));
    }

    @Test
    void demoEndsWithASummary() throws Exception {
        try (OnepipeProcess demo = OnepipeProcess.start("demo", "--records", "2000")) {
            int exit = demo.awaitExit(Duration.ofMinutes(10));
            String output = demo.output();
            assertEquals(0, exit, output);
            assertTrue(output.contains("Summary"), output);
            assertTrue(output.matches("(?s).*Embedded runtime started in [0-9,]+ ms.*"), output);
            assertTrue(output.contains("Registered 5 datasets: widgets"), output);
            assertTrue(output.matches("(?s).*Published +2,000 records to widgets .*; 2,000 read back.*"), output);
            assertTrue(output.contains("'archive verify': every offset exactly once"), output);
            assertTrue(output.matches("(?s).*widgets +2,000 records in +\\d+ objects, e\\.g\\. raw/widgets/partition=\\d/dt=.*"), output);

            Matcher clean = Pattern.compile("Dedup: 2,000 raw widget records -> ([0-9,]+) clean rows .*\\s+clean rows equal to the generator's tally: "
                    + "([0-9,]+) of ([0-9,]+) \\(all\\)").matcher(output);
            assertTrue(clean.find(), output);
            assertEquals(clean.group(3), clean.group(1), output);
            assertEquals(clean.group(3), clean.group(2), output);

            Matcher tally = Pattern.compile("Campaign metrics: ([0-9,]+) campaign windows published .*; ([0-9,]+) of the generator's ([0-9,]+) "
                    + "windows match its tally exactly").matcher(output);
            assertTrue(tally.find(), output);
            assertTrue(number(tally.group(3)) > 0, output);
            assertEquals(tally.group(3), tally.group(1), output);
            assertEquals(tally.group(3), tally.group(2), output);
            Matcher bots = Pattern.compile("bot filter dropped served ([0-9,]+), views ([0-9,]+), clicks ([0-9,]+) "
                    + "\\(generator sent ([0-9,]+) from bot IPs\\)").matcher(output);
            assertTrue(bots.find(), output);
            assertEquals(number(bots.group(4)), number(bots.group(1)) + number(bots.group(2)) + number(bots.group(3)), output);
            Matcher query = Pattern.compile("GET /campaigns/\\S+/metrics on the running instance: ([0-9,]+) windows, ([0-9,]+) ads served "
                    + "\\(published: ([0-9,]+), ([0-9,]+)\\)").matcher(output);
            assertTrue(query.find(), output);
            assertEquals(query.group(3), query.group(1), output);
            assertEquals(query.group(4), query.group(2), output);
            assertTrue(number(query.group(2)) > 0, output);
            // the reconciliation ends the demo: every bucket of every system pair OK, for every sample dataset
            List<String> reconciled = output.lines().filter(line -> line.matches("\\s*Reconcile \\S+ +[0-9,]+ raw buckets .*")).toList();
            assertEquals(5, reconciled.size(), output);
            for (String line : reconciled) {
                Matcher statuses = Pattern.compile("\\{[^}]*}").matcher(line);
                int tables = 0;
                while (statuses.find()) {
                    assertTrue(statuses.group().matches("\\{OK=[0-9]+}"), line);
                    tables++;
                }
                assertTrue(tables >= 1, line);
            }
            assertTrue(reconciled.stream().anyMatch(line -> line.contains("Reconcile widgets") && line.contains("clean days {OK=")
                    && line.contains("raw merged state vs clean table, declared checks included: ")), output);
            assertTrue(output.matches("(?s).*Top campaigns by ads served:\\s+campaign +name +windows +served +views +clicks +CTR\\s+campaign-\\d+ .*"), output);
        }
    }
}
