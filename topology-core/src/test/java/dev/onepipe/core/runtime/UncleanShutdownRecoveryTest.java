package dev.onepipe.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanShutdownRecoveryTest {

    @TempDir
    Path applicationStateDir;

    @Test
    void namesTheTasksWithStoresButNoCheckpoint() throws IOException {
        Files.createDirectories(applicationStateDir.resolve("0_1").resolve("rocksdb"));
        Files.createDirectories(applicationStateDir.resolve("1_0").resolve("rocksdb"));
        Files.createDirectories(applicationStateDir.resolve("1_2").resolve("rocksdb"));
        Files.writeString(applicationStateDir.resolve("1_2").resolve(".checkpoint"), "0\n");
        Files.createDirectories(applicationStateDir.resolve("1_3"));
        Files.createDirectories(applicationStateDir.resolve("global").resolve("rocksdb"));
        assertEquals(List.of("0_1", "1_0"), UncleanShutdownRecovery.tasksWithoutCheckpoint(applicationStateDir));
    }

    @Test
    void aMissingStateDirectoryIsAFirstStart() {
        assertEquals(List.of(), UncleanShutdownRecovery.tasksWithoutCheckpoint(applicationStateDir.resolve("absent")));
    }

    @Test
    void storeNamesAreTheKeyValueStoresUnderRocksdbAndTheSegmentedStores() throws IOException {
        Path task = applicationStateDir.resolve("0_0");
        Files.createDirectories(task.resolve("rocksdb").resolve("archive-chunks"));
        Files.createDirectories(task.resolve("dedup-window").resolve("dedup-window.1700000000000"));
        Files.writeString(task.resolve(".checkpoint"), "0\n");
        assertEquals(List.of("archive-chunks", "dedup-window"), UncleanShutdownRecovery.storeNames(task).stream().sorted().toList());
    }

    @Test
    void changelogTopicIsKafkaStreamsName() {
        // Kafka Streams' ProcessorStateManager.storeChangelogTopic: <application.id>-<store name>-changelog
        assertEquals("onepipe-archive-orders-archive-chunks-changelog", UncleanShutdownRecovery.changelogTopic("onepipe-archive-orders", "archive-chunks"));
    }

    @Test
    void withoutTheStateDirectoryLockNothingIsDeletedAndTheClusterIsNotAsked() throws IOException {
        Path root = applicationStateDir.resolve("state");
        Path task = root.resolve("app").resolve("1_0").resolve("rocksdb").resolve("archive-chunks");
        Files.createDirectories(task);
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, root.toString());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        UncleanShutdownRecovery.prepare(properties, false, () -> {
            throw new AssertionError("the cluster must not be asked without the lock");
        });
        assertTrue(Files.isDirectory(task));
    }

    @Test
    void atLeastOnceLeavesTheFoldersAlone() throws IOException {
        Path root = applicationStateDir.resolve("state");
        Path task = root.resolve("app").resolve("1_0").resolve("rocksdb").resolve("archive-chunks");
        Files.createDirectories(task);
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, root.toString());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        UncleanShutdownRecovery.prepare(properties, true, () -> {
            throw new AssertionError("at-least-once keeps its stores");
        });
        assertTrue(Files.isDirectory(task));
    }

    @Test
    void afterACleanStopNothingIsDeletedAndTheClusterIsNotAskedAndTheNextCrashIsSeenAgain() throws IOException {
        // Kafka Streams 4.3 leaves no .checkpoint after a clean close under exactly-once: the folder looks like a crash's
        Path root = applicationStateDir.resolve("state");
        Path store = root.resolve("app").resolve("1_0").resolve("rocksdb").resolve("archive-chunks");
        Files.createDirectories(store);
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, root.toString());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        UncleanShutdownRecovery.recordCleanStop(properties);
        Path marker = root.resolve("app").resolve(UncleanShutdownRecovery.CLEAN_STOP_MARKER);
        assertTrue(Files.exists(marker));

        UncleanShutdownRecovery.prepare(properties, true, () -> {
            throw new AssertionError("a clean stop needs no cluster");
        });
        assertTrue(Files.isDirectory(store), "the stores of a clean stop are kept");
        assertTrue(Files.notExists(marker), "the record of the clean stop is used once, so a crash of this run is not taken for one");
        assertEquals(List.of("1_0"), UncleanShutdownRecovery.tasksWithoutCheckpoint(root.resolve("app")));
    }
}
