package dev.onepipe.core.runtime.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status line from Kafka metrics, named as the consumer, producer and Kafka Streams name them. */
class StatusLineTest {

    private static final String APPLICATION = "onepipe-widget-prices-widgets";
    private static final String THREAD = APPLICATION + "-2f1c-StreamThread-1";

    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    private void gauge(String group, String name, Map<String, String> tags, double value) {
        metrics.addMetric(metrics.metricName(name, group, "", tags), (config, now) -> value);
    }

    /** Counters as a running application would have them after {@code scale} units of work. */
    private void application(double scale) {
        gauge("consumer-fetch-manager-metrics", "records-consumed-total", Map.of("client-id", THREAD + "-consumer", "topic", "widgets"), 1_000 * scale);
        gauge("consumer-fetch-manager-metrics", "records-consumed-total", Map.of("client-id", THREAD + "-consumer"), 99_999);
        gauge("consumer-fetch-manager-metrics", "records-consumed-total",
                Map.of("client-id", THREAD + "-consumer", "topic", APPLICATION + "-by-name-repartition"), 77_777);
        gauge("consumer-fetch-manager-metrics", "records-consumed-total",
                Map.of("client-id", THREAD + "-restore-consumer", "topic", "widgets"), 55_555);
        gauge("consumer-fetch-manager-metrics", "records-consumed-total",
                Map.of("client-id", APPLICATION + "-global-consumer", "topic", "_onepipe_metadata"), 33_333);
        gauge("consumer-fetch-manager-metrics", "records-lag", Map.of("client-id", THREAD + "-consumer", "topic", "widgets", "partition", "0"), 40);
        gauge("consumer-fetch-manager-metrics", "records-lag", Map.of("client-id", THREAD + "-consumer", "topic", "widgets", "partition", "1"), 2);
        gauge("consumer-fetch-manager-metrics", "records-lag", Map.of("client-id", THREAD + "-consumer", "topic", "widgets", "partition", "2"),
                Double.NaN);
        gauge("producer-topic-metrics", "record-send-total", Map.of("client-id", THREAD + "-producer", "topic", "widget-prices"), 800 * scale);
        gauge("producer-topic-metrics", "record-send-total", Map.of("client-id", THREAD + "-producer", "topic", "widgets.dlq"), 3 * scale);
        gauge("producer-topic-metrics", "record-send-total",
                Map.of("client-id", THREAD + "-producer", "topic", APPLICATION + "-store-changelog"), 44_444);
        gauge("stream-topic-metrics", "records-produced-total",
                Map.of("thread-id", THREAD, "task-id", "0_0", "processor-node-id", "KSTREAM-SINK-0000000003", "topic", "widgets.dlq"), 2 * scale);
        gauge("stream-topic-metrics", "records-produced-total",
                Map.of("thread-id", THREAD, "task-id", "0_1", "processor-node-id", "KSTREAM-SINK-0000000003", "topic", "widgets.dlq"), scale);
        gauge("stream-topic-metrics", "records-produced-total",
                Map.of("thread-id", THREAD, "task-id", "0_1", "processor-node-id", "KSTREAM-SINK-0000000004", "topic", "widget-prices"), 800 * scale);
    }

    @Test
    void countsInputOutputLagAndDeadLettersOfTheApplicationOnly() {
        application(1);

        ApplicationMetrics read = ApplicationMetrics.from(metrics.metrics(), APPLICATION);

        assertEquals(new ApplicationMetrics(1_000, 800, OptionalLong.of(42), 3), read);
    }

    @Test
    void ratesAreTheGrowthBetweenTwoReadingsPerSecond() {
        ApplicationMetrics earlier = new ApplicationMetrics(1_000, 800, OptionalLong.of(500), 3);
        ApplicationMetrics later = new ApplicationMetrics(13_500, 12_800, OptionalLong.of(1_234), 5);

        StatusLine line = StatusLine.between(APPLICATION, KafkaStreams.State.RUNNING, earlier, later, Duration.ofSeconds(5));

        assertEquals(2_500.0, line.recordsInPerSecond());
        assertEquals(2_400.0, line.recordsOutPerSecond());
        assertEquals("onepipe-widget-prices-widgets RUNNING  in 2,500/s  out 2,400/s  lag 1,234  dead letters 5 (+2)", line.toString());
    }

    @Test
    void countersThatWentBackAfterARebalanceShowNoNegativeRates() {
        ApplicationMetrics beforeRebalance = new ApplicationMetrics(9_000, 9_000, OptionalLong.empty(), 7);
        ApplicationMetrics afterRebalance = new ApplicationMetrics(100, 100, OptionalLong.empty(), 1);

        StatusLine line = StatusLine.between(APPLICATION, KafkaStreams.State.REBALANCING, beforeRebalance, afterRebalance, Duration.ofSeconds(5));

        assertEquals("onepipe-widget-prices-widgets REBALANCING  in 0/s  out 0/s  lag unknown  dead letters 1 (+0)", line.toString());
    }
}
