package dev.onepipe.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnepipeConfigTest {

    @Test
    void laterLayersOverrideEarlierOnes(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("pipeline.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nnum.stream.threads=2\nonepipe.s3.bucket=from-file\n");
        OnepipeConfig config = OnepipeConfig.builder()
                .layer("default", Map.of("num.stream.threads", "1", "processing.guarantee", "exactly_once_v2"))
                .layer("file", OnepipeConfig.readPropertiesFile(file))
                .layer("environment", OnepipeConfig.fromEnvironment(Map.of("ONEPIPE_BOOTSTRAP_SERVERS", "env:9092", "PATH", "/bin")))
                .layer("flag", Map.of("onepipe.s3.bucket", "from-flag"))
                .build();

        assertEquals("env:9092", config.bootstrapServers());
        assertEquals("environment", config.source("bootstrap.servers").orElseThrow());
        assertEquals("2", config.get("num.stream.threads").orElseThrow());
        assertEquals("exactly_once_v2", config.get("processing.guarantee").orElseThrow());
        assertEquals("from-flag", config.get("onepipe.s3.bucket").orElseThrow());
        assertFalse(config.asMap().containsKey("path"), "only ONEPIPE_* variables are read");
    }

    @Test
    void environmentVariablesNameKafkaKeysOrOnepipeKeys() {
        Map<String, String> keys = OnepipeConfig.fromEnvironment(Map.of(
                "ONEPIPE_BOOTSTRAP_SERVERS", "a",
                "ONEPIPE_NUM_STREAM_THREADS", "b",
                "ONEPIPE_PRODUCER_LINGER_MS", "c",
                "ONEPIPE_S3_BUCKET", "d",
                "ONEPIPE_ARCHIVE_CHUNK_MAX_RECORDS", "e"));
        assertEquals(Map.of(
                "bootstrap.servers", "a",
                "num.stream.threads", "b",
                "producer.linger.ms", "c",
                "onepipe.s3.bucket", "d",
                "onepipe.archive.chunk.max.records", "e"), keys);
        assertEquals("ONEPIPE_S3_BUCKET", OnepipeConfig.environmentVariable("onepipe.s3.bucket"));
        assertEquals("ONEPIPE_BOOTSTRAP_SERVERS", OnepipeConfig.environmentVariable("bootstrap.servers"));
    }

    @Test
    void missingClusterSaysHowToGetOne() {
        OnepipeConfig config = OnepipeConfig.of(Map.of());
        MissingConfigurationException error = assertThrows(MissingConfigurationException.class, config::bootstrapServers);
        assertTrue(error.getMessage().contains("ONEPIPE_BOOTSTRAP_SERVERS"), error.getMessage());
        assertTrue(error.getMessage().contains("onepipe dev"), error.getMessage());
        assertTrue(error.getMessage().contains("onepipe demo"), error.getMessage());
    }

    @Test
    void kafkaPropertiesLeaveOutOnepipeKeysAndToStringHidesSecrets() {
        OnepipeConfig config = OnepipeConfig.of(Map.of("bootstrap.servers", "x:1", "onepipe.s3.secret.key", "hunter2"));
        assertEquals("x:1", config.kafkaProperties().getProperty("bootstrap.servers"));
        assertFalse(config.kafkaProperties().containsKey("onepipe.s3.secret.key"));
        assertFalse(config.toString().contains("hunter2"));
    }

    @Test
    void numbersAreParsedWithTheKeyInTheError() {
        OnepipeConfig config = OnepipeConfig.of(Map.of("onepipe.archive.chunk.max.records", "many"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> config.getLong("onepipe.archive.chunk.max.records", 1));
        assertTrue(error.getMessage().contains("onepipe.archive.chunk.max.records"));
        assertEquals(7, OnepipeConfig.of(Map.of()).getLong("absent", 7));
    }
}
