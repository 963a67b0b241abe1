package dev.onepipe.launcher;

import dev.onepipe.core.testing.OnepipeProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code onepipe run} in its own process finds a topology through ServiceLoader, runs it, and stops on SIGTERM. */
class RunCommandIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    @Test
    void runsADiscoveredTopologyUntilSigterm() throws Exception {
        RUNTIME.createTopic("input", 2);
        RUNTIME.createTopic("output", 2);
        int count = 500;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", RUNTIME.bootstrapServers(),
                "key.serializer", StringSerializer.class, "value.serializer", StringSerializer.class))) {
            for (int index = 0; index < count; index++) {
                producer.send(new ProducerRecord<>("input", "key-" + index, "value-" + index));
            }
        }

        try (OnepipeProcess run = OnepipeProcess.start("run", "pass-through", "--topic", "input",
                "--bootstrap-servers", RUNTIME.bootstrapServers(),
                "--set", "onepipe.test.output.topic=output",
                "--set", "onepipe.state.root=" + System.getProperty("java.io.tmpdir") + "/onepipe-run-it-" + ProcessHandle.current().pid())) {
            List<String> values = readCommitted("output", count, Duration.ofSeconds(90));
            assertEquals(count, values.size(), run.output());
            assertEquals(count, values.stream().distinct().count(), "no record copied twice");
            assertTrue(run.output().contains("onepipe-pass-through-input"), "application id named after topology and topic:\n" + run.output());
            assertEquals(143, run.terminate(Duration.ofSeconds(60)), run.output());
            assertTrue(run.output().contains("onepipe-pass-through-input stopped cleanly"), "closed cleanly:\n" + run.output());
        }
    }

    private static List<String> readCommitted(String topic, int expected, Duration timeout) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", RUNTIME.bootstrapServers(),
                "group.id", "run-command-it",
                "auto.offset.reset", "earliest",
                "isolation.level", "read_committed",
                "key.deserializer", StringDeserializer.class, "value.deserializer", StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            consumer.poll(Duration.ofSeconds(1)).forEach(record -> values.add(record.value()));
        }
        return values;
    }
}
