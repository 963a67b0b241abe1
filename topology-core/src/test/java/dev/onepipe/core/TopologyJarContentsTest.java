package dev.onepipe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.onepipe.core.testing.TopologyJarContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyJarContentsTest {

    @TempDir
    Path temporary;

    @Test
    void namesEachForbiddenPackageOnceWithItsCount() throws IOException {
        Path jar = jar("kafka/server/KafkaRaftServer.class", "kafka/Kafka.class", "scala/Option.class",
                "org/apache/kafka/server/common/MetadataVersion.class", "dev/onepipe/core/embedded/EmbeddedRuntime.class",
                "org/apache/kafka/streams/TopologyTestDriver.class");
        assertEquals(List.of(
                "kafka/ (2 entries, e.g. kafka/server/KafkaRaftServer.class)",
                "scala/ (1 entries, e.g. scala/Option.class)",
                "org/apache/kafka/server/ (1 entries, e.g. org/apache/kafka/server/common/MetadataVersion.class)",
                "dev/onepipe/core/embedded/ (1 entries, e.g. dev/onepipe/core/embedded/EmbeddedRuntime.class)",
                "org/apache/kafka/streams/TopologyTestDriver (1 entries, e.g. org/apache/kafka/streams/TopologyTestDriver.class)"),
                TopologyJarContents.forbiddenEntries(jar));
    }

    @Test
    void acceptsWhatKafkaClientsAndStreamsCarry() throws IOException {
        Path jar = jar("kafka/", "kafka/kafka-version.properties", "org/apache/kafka/server/", "org/apache/kafka/server/authorizer/Authorizer.class", "org/apache/kafka/server/policy/CreateTopicPolicy.class",
                "org/apache/kafka/clients/admin/Admin.class", "org/apache/kafka/streams/KafkaStreams.class",
                "dev/onepipe/core/testing/ReadAndCommitTopology.class", "dev/onepipe/core/runtime/TopologyRunner.class");
        assertEquals(List.of(), TopologyJarContents.forbiddenEntries(jar));
    }

    private Path jar(String... entries) throws IOException {
        Path jar = temporary.resolve("test.jar");
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (String entry : entries) {
                zip.putNextEntry(new ZipEntry(entry));
                zip.closeEntry();
            }
        }
        return jar;
    }
}
