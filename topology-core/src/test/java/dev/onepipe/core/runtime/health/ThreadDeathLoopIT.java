package dev.onepipe.core.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.deadletter.DeadLetterTopics;
import dev.onepipe.core.runtime.ServedTopology;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A record that kills its stream thread every time is a topology that makes no progress: {@code /health} says so with
 * the last error while the threads are replaced, and {@code onepipe run} stops after the bounded number of
 * replacements with exit code 3 and the error, instead of reporting RUNNING for ever. A topic the topology needs,
 * deleted under it, stops it at once, naming the topic.
 */
class ThreadDeathLoopIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @Test
    void healthTurnsUnhealthyWithTheLastErrorWhileThreadsKeepDying() throws Exception {
        String input = RUNTIME.uniqueName("poisoned-in");
        try (ServedTopology served = startAfterOneGoodRecord(input, RUNTIME.uniqueName("poisoned-out"),
                Map.of(ProgressWatch.MAX_THREAD_REPLACEMENTS, "1000", "commit.interval.ms", "100"))) {
            produce(input, PoisonedTopology.POISON);

            String unhealthy = awaitHealth(served.port(), 503, "the poison record cannot be processed");
            assertTrue(unhealthy.contains("\"healthy\":false"), unhealthy);
            assertTrue(unhealthy.contains("since the last commit"), unhealthy);
            assertTrue(served.runner().health().threadFailuresSinceCommit() >= 1);
            assertTrue(TopologyHealth.isActive(served.runner().state()) || served.runner().state() == KafkaStreams.State.PENDING_ERROR,
                    "the threads are still being replaced: " + served.runner().state());
        }
    }

    /**
     * Kafka Streams replaces a failed thread under a new thread index, so with static membership the replacement joins
     * as a new member while the failed one stays in the group until its session times out; the rebalance waits for it
     * and nothing is processed meanwhile. With a session timeout of 180 s this test's 60 s wait fails unless onepipe
     * removes the failed thread's member at once (before: the close after one failure took the 45 s default session).
     */
    @Test
    void aReplacementThreadProcessesAgainWithoutWaitingForTheFailedMembersSession() throws Exception {
        String input = RUNTIME.uniqueName("heals-in");
        String output = RUNTIME.uniqueName("heals-out");
        try (ServedTopology served = startAfterOneGoodRecord(input, output, Map.of("session.timeout.ms", "180000"))) {
            produce(input, PoisonedTopology.POISON_ONCE);
            produce(input, "good-2");

            List<String> copied = readCommitted(output, 3, Duration.ofSeconds(60));
            assertEquals(List.of("good-1", PoisonedTopology.POISON_ONCE, "good-2"), copied,
                    "the replacement thread must take over the partition within 60 s, long before the failed member's 180 s session ends");
            assertTrue(served.runner().close(Duration.ofSeconds(30)), "a close after a replaced thread completes");
        }
    }

    @Test
    void runStopsWithExitCodeThreeAfterTheBoundedReplacements() throws Exception {
        String input = RUNTIME.uniqueName("poisoned-in");
        String output = RUNTIME.uniqueName("poisoned-out");
        RUNTIME.createTopic(input, 1);
        RUNTIME.createTopic(output, 1);
        produce(input, "good-1");
        produce(input, PoisonedTopology.POISON);
        try (OnepipeProcess run = OnepipeProcess.start("run", "poisoned", "--topic", input,
                "--bootstrap-servers", RUNTIME.bootstrapServers(), "--status-interval", "1",
                "--set", PoisonedTopology.OUTPUT_TOPIC + "=" + output,
                "--set", ProgressWatch.MAX_THREAD_REPLACEMENTS + "=2",
                "--set", "onepipe.state.root=" + Files.createTempDirectory("poisoned-run"))) {
            int exit = run.awaitExit(PATIENCE);
            String printed = run.output();
            assertEquals(3, exit, printed);
            assertTrue(printed.contains("onepipe: onepipe-poisoned-" + input + " stopped: stream threads failed 3 times in a row, each within"),
                    printed);
            assertTrue(printed.contains("Last error: ") && printed.contains("the poison record cannot be processed"), printed);
        }
    }

    /** The topic deleted, and the words the stop reason names it with. */
    enum Deleted {
        INPUT, OUTPUT, DEAD_LETTER, REPARTITION, CHANGELOG;

        String topic(String input, String output, String applicationId) {
            return switch (this) {
                case INPUT -> input;
                case OUTPUT -> output;
                case DEAD_LETTER -> DeadLetterTopics.of(input);
                case REPARTITION -> applicationId + "-" + CountingTopology.REPARTITION + "-repartition";
                case CHANGELOG -> applicationId + "-" + CountingTopology.COUNTS + "-changelog";
            };
        }

        String role() {
            return switch (this) {
                case INPUT -> "input topic";
                case OUTPUT -> "output topic";
                case DEAD_LETTER -> "dead-letter topic";
                case REPARTITION -> "repartition topic";
                case CHANGELOG -> "changelog topic";
            };
        }
    }

    /**
     * Every topic a running topology needs, deleted under it on the real broker (which, like a careful cluster, does
     * not auto-create topics): the topology stops by itself, naming the topic, instead of staying RUNNING and healthy
     * (before {@link TopicDeletionWatch}: a deleted output, dead-letter, repartition or changelog topic left it RUNNING
     * and healthy for the whole minute this test then waited, and a deleted input stopped it naming only failed threads).
     * Kafka Streams creates a deleted repartition topic again at the next rebalance, empty: the new topic id tells.
     */
    @ParameterizedTest
    @EnumSource(Deleted.class)
    void aTopicDeletedUnderTheRunningTopologyStopsItNamingTheTopic(Deleted deleted) throws Exception {
        String input = RUNTIME.uniqueName("counted-in");
        String output = RUNTIME.uniqueName("counted-out");
        RUNTIME.createTopic(input, 1);
        RUNTIME.createTopic(output, 1);
        produce(input, "a");
        Map<String, String> layer = new HashMap<>();
        layer.put("bootstrap.servers", RUNTIME.bootstrapServers());
        layer.put(CountingTopology.OUTPUT_TOPIC, output);
        layer.put(TopologyRunner.STATE_ROOT, Files.createTempDirectory("deleted-topic").toString());
        layer.put("commit.interval.ms", "100");
        layer.put(TopicDeletionWatch.CHECK_INTERVAL_MS, "500");
        TopologyRunner runner = TopologyRunner.start(new CountingTopology(),
                new TopologyContext("counting", Optional.empty(), input, OnepipeConfig.builder().layer("test", layer).build()));
        try {
            assertTrue(readCommitted(output, 1, PATIENCE).contains("a=1"), "the topology counted the first record before the deletion");
            String topic = deleted.topic(input, output, runner.applicationId());

            RUNTIME.admin().deleteTopics(List.of(topic)).all().get(1, TimeUnit.MINUTES);
            if (deleted != Deleted.INPUT) {
                // records that need the deleted topic: a count (repartition, changelog, output) and a dead letter
                produce(input, "a");
                produce(input, CountingTopology.BAD);
            }

            boolean stopped = runner.awaitStopped(PATIENCE);
            String seen = "stopped: " + stopped + ", states " + runner.stateHistory() + ", health " + runner.health()
                    + ", failure " + runner.failure();
            assertTrue(stopped, "never stopped: " + seen);
            assertTrue(runner.failure().orElse("").contains(deleted.role() + " " + topic + " no longer exists"), seen);
            assertTrue(runner.health().problem().orElse("").contains(topic + " no longer exists"), seen);
        } finally {
            // a thread blocked on a send to the deleted topic may take a minute to finish: not this test's business
            runner.close(Duration.ofSeconds(1));
        }
    }

    /** Creates both topics, produces "good-1" and serves the topology with {@code settings} until it is RUNNING. */
    private static ServedTopology startAfterOneGoodRecord(String input, String output, Map<String, String> settings) throws Exception {
        RUNTIME.createTopic(input, 1);
        RUNTIME.createTopic(output, 1);
        produce(input, "good-1");
        Map<String, String> layer = new HashMap<>(settings);
        layer.put("bootstrap.servers", RUNTIME.bootstrapServers());
        layer.put(PoisonedTopology.OUTPUT_TOPIC, output);
        layer.put(TopologyRunner.STATE_ROOT, Files.createTempDirectory("poisoned").toString());
        ServedTopology served = ServedTopology.start(new PoisonedTopology(),
                new TopologyContext("poisoned", Optional.empty(), input, OnepipeConfig.builder().layer("test", layer).build()),
                new InetSocketAddress("localhost", 0));
        try {
            awaitHealth(served.port(), 200, "\"state\":\"RUNNING\",\"healthy\":true");
            return served;
        } catch (Exception | AssertionError e) {
            served.close();
            throw e;
        }
    }

    private static void produce(String topic, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "key.serializer", StringSerializer.class, "value.serializer", StringSerializer.class))) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get();
        }
    }

    private static List<String> readCommitted(String topic, int count, Duration patience) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "isolation.level", "read_committed", "auto.offset.reset", "earliest", "enable.auto.commit", "false",
                "key.deserializer", StringDeserializer.class, "value.deserializer", StringDeserializer.class))) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + patience.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
            }
        }
        return values;
    }

    private static String awaitHealth(int port, int status, String containing) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == status && response.body().contains(containing)) {
                return response.body();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("/health never answered " + status + " with '" + containing + "'; last: " + last);
    }
}
