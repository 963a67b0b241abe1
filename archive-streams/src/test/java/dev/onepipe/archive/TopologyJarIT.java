package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import dev.onepipe.core.testing.TopologyJarContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar an operator deploys for the archive, {@code target/onepipe-archive-streams.jar} (built in {@code package},
 * checked here in {@code verify}): it carries no broker, Scala, S3Proxy, JUnit or test kit, and still runs the
 * archive against a broker and S3 endpoint it does not contain.
 */
class TopologyJarIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final Path JAR = Path.of("target", "onepipe-archive-streams.jar");

    @TempDir
    Path temporary;

    @Test
    void carriesNoBrokerScalaS3ProxyOrTestKit() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " was not built");
        assertEquals(List.of(), TopologyJarContents.forbiddenEntries(JAR), "forbidden packages in " + JAR);
    }

    @Test
    void showsTheArchiveHelpAndSendsBenchmarksToTheLauncherJar() throws Exception {
        try (OnepipeProcess help = OnepipeProcess.startJar(JAR, "run", "archive", "--help")) {
            assertEquals(0, help.awaitExit(Duration.ofMinutes(2)), help.output());
            assertTrue(help.output().contains("Usage: onepipe run"), help.output());
        }
        try (OnepipeProcess topologies = OnepipeProcess.startJar(JAR, "topologies")) {
            assertEquals(0, topologies.awaitExit(Duration.ofMinutes(2)), topologies.output());
            assertTrue(topologies.output().contains("archive"), topologies.output());
        }
        try (OnepipeProcess bench = OnepipeProcess.startJar(JAR, "bench", "archive", "--records", "10")) {
            assertEquals(2, bench.awaitExit(Duration.ofMinutes(2)), bench.output());
            assertTrue(bench.output().contains("only the launcher's jar carries"), bench.output());
        }
    }

    @Test
    void archivesATopicFromTheSlimJar() throws Exception {
        String topic = RUNTIME.uniqueName("slim-jar");
        int partitions = 2;
        int recordsPerPartition = 3_000;
        RUNTIME.createTopic(topic, partitions);
        new GeneratedRecords(recordsPerPartition, GeneratedRecords.SOME_DAY, Duration.ofHours(2), 0.0, Duration.ofMinutes(10), 40, 5)
                .produce(RUNTIME.bootstrapServers(), topic, partitions);

        List<String> arguments = new ArrayList<>(List.of("run", "archive", "--topic", topic, "--close-timeout", "10"));
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), temporary.resolve("state"));
        settings.forEach((key, value) -> arguments.addAll(List.of("--set", key + "=" + value)));
        VerificationReport report;
        try (OnepipeProcess archive = OnepipeProcess.startJar(JAR, arguments.toArray(String[]::new))) {
            report = ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, (long) partitions * recordsPerPartition,
                    Duration.ofMinutes(3));
            StringWriter printed = new StringWriter();
            report.print(new PrintWriter(printed));
            assertTrue(report.complete(), printed + "\n" + archive.output());
        }
        assertEquals((long) partitions * recordsPerPartition, ArchiveRun.archivedRecords(report));
    }
}
