package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.onepipe.core.testing.OnepipeProcess;
import dev.onepipe.core.testing.TopologyJarContents;
import org.junit.jupiter.api.Test;

/**
 * The jar an operator deploys for reconciliation, {@code target/onepipe-reconciliation-streams.jar} (built in {@code package},
 * checked here in {@code verify}): it carries no broker, Scala, S3Proxy, JUnit or test kit, and still starts.
 */
class TopologyJarIT {

    private static final Path JAR = Path.of("target", "onepipe-reconciliation-streams.jar");

    @Test
    void carriesNoBrokerScalaS3ProxyOrTestKit() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " was not built");
        assertEquals(List.of(), TopologyJarContents.forbiddenEntries(JAR), "forbidden packages in " + JAR);
    }

    @Test
    void startsAndShowsItsHelp() throws Exception {
        try (OnepipeProcess help = OnepipeProcess.startJar(JAR, "reconcile", "--help")) {
            assertEquals(0, help.awaitExit(Duration.ofMinutes(2)), help.output());
            assertTrue(help.output().contains("Usage: onepipe reconcile"), help.output());
        }
    }
}
