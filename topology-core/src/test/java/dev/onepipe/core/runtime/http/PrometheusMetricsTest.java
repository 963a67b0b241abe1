package dev.onepipe.core.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

/** Kafka metrics through the Prometheus Java client's text writer; the expected text is written out by hand. */
class PrometheusMetricsTest {

    @Test
    void kafkaMetricsBecomeFamiliesWithLabelsAndTypes() {
        try (Metrics metrics = new Metrics()) {
            metrics.addMetric(metrics.metricName("process-total", "stream-thread-metrics", "Records processed",
                    Map.of("thread-id", "app-StreamThread-1")), (config, now) -> 12.0);
            metrics.addMetric(metrics.metricName("records-lag-max", "consumer-fetch-manager-metrics", "Maximum lag",
                    Map.of("client-id", "say \"hi\"\\now")), (config, now) -> Double.NaN);
            metrics.addMetric(metrics.metricName("version", "app-info", "", Map.of()), (Gauge<String>) (config, now) -> "4.3.1");
            // a gauge "commit" beside the counter "commit-total" would clash on the name kafka_stream_commit: one is left out
            metrics.addMetric(metrics.metricName("commit", "stream-metrics", "clashing gauge", Map.of()), (config, now) -> 1.0);
            metrics.addMetric(metrics.metricName("commit-total", "stream-metrics", "Commits", Map.of()), (config, now) -> 3.0);

            List<MetricSnapshot> snapshots = new ArrayList<>(PrometheusMetrics.kafkaSnapshots(metrics.metrics()));
            snapshots.add(PrometheusMetrics.gauge("onepipe_ratio", "", Map.of(Map.of(), 0.25)));
            String text = new String(PrometheusMetrics.text(new MetricSnapshots(snapshots)), StandardCharsets.UTF_8);

            String kafkaGauge = "# HELP kafka_consumer_fetch_manager_records_lag_max Maximum lag\n"
                    + "# TYPE kafka_consumer_fetch_manager_records_lag_max gauge\n"
                    + "kafka_consumer_fetch_manager_records_lag_max{client_id=\"say \\\"hi\\\"\\\\now\"} NaN\n";
            String registrySize = "# HELP kafka_kafka_metrics_count_count total number of registered metrics\n"
                    + "# TYPE kafka_kafka_metrics_count_count gauge\n"
                    + "kafka_kafka_metrics_count_count 6.0\n";
            String commits = "# HELP kafka_stream_commit_total Commits\n"
                    + "# TYPE kafka_stream_commit_total counter\n"
                    + "kafka_stream_commit_total 3.0\n";
            String kafkaCounter = "# HELP kafka_stream_thread_process_total Records processed\n"
                    + "# TYPE kafka_stream_thread_process_total counter\n"
                    + "kafka_stream_thread_process_total{thread_id=\"app-StreamThread-1\"} 12.0\n";
            String onepipe = "# TYPE onepipe_ratio gauge\nonepipe_ratio 0.25\n";
            assertEquals(kafkaGauge + registrySize + commits + kafkaCounter + onepipe, text);
        }
    }
}
