package dev.onepipe.launcher;

import dev.onepipe.core.testing.OnepipeProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The demo, as a user runs it, ends with its summary and exit code 0. */
class DemoCommandIT {

    @Test
    void demoEndsWithASummary() throws Exception {
        try (OnepipeProcess demo = OnepipeProcess.start("demo", "--records", "2000")) {
            int exit = demo.awaitExit(Duration.ofMinutes(5));
            String output = demo.output();
            assertEquals(0, exit, output);
            assertTrue(output.contains("Summary"), output);
            assertTrue(output.matches("(?s).*Embedded runtime started in [0-9,]+ ms.*"), output);
            assertTrue(output.contains("Registered 5 datasets: widgets"), output);
            assertTrue(output.matches("(?s).*Published +2,000 records to widgets .*; 2,000 read back.*"), output);
            assertTrue(output.contains("'archive verify': every offset exactly once"), output);
            assertTrue(output.matches("(?s).*widgets +2,000 records in +\\d+ objects, e\\.g\\. raw/widgets/partition=\\d/dt=.*"), output);
        }
    }
}
