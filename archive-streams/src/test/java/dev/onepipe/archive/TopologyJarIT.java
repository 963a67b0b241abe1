package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import dev.onepipe.core.testing.TopologyJarCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar an operator deploys for the archive carries no broker, Scala, S3Proxy, JUnit or test kit, starts, sends
 * benchmarks to the launcher's jar ({@link TopologyJarCheck}), and still runs the archive against a broker and S3
 * endpoint it does not contain.
 */
class TopologyJarIT extends TopologyJarCheck {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    @TempDir
    Path temporary;

    TopologyJarIT() {
        super("archive-streams",
                JarRun.of(0, "Usage: onepipe run", "run", "archive", "--help"),
                JarRun.of(0, "archive", "topologies"),
                JarRun.of(2, "only the launcher's jar carries", "bench", "archive", "--records", "10"));
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
        try (OnepipeProcess archive = OnepipeProcess.startJar(jar(), arguments.toArray(String[]::new))) {
            report = ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, (long) partitions * recordsPerPartition,
                    Duration.ofMinutes(3));
            StringWriter printed = new StringWriter();
            report.print(new PrintWriter(printed));
            assertTrue(report.complete(), printed + "\n" + archive.output());
        }
        assertEquals((long) partitions * recordsPerPartition, ArchiveRun.archivedRecords(report));
    }
}
