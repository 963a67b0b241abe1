package dev.onepipe.core.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

class PrometheusTextFormatTest {

    @Test
    void kafkaMetricsBecomeFamiliesWithLabelsAndTypes() {
        try (Metrics metrics = new Metrics()) {
            metrics.addMetric(metrics.metricName("process-total", "stream-thread-metrics", "Records processed",
                    Map.of("thread-id", "app-StreamThread-1")), (config, now) -> 12.0);
            metrics.addMetric(metrics.metricName("records-lag-max", "consumer-fetch-manager-metrics", "Maximum lag",
                    Map.of("client-id", "say \"hi\"\\now")), (config, now) -> Double.NaN);
            metrics.addMetric(metrics.metricName("version", "app-info", "", Map.of()), (Gauge<String>) (config, now) -> "4.3.1");

            String text = new PrometheusTextFormat().addKafkaMetrics(metrics.metrics())
                    .add("onepipe_ratio", "gauge", "", Map.of(), 0.25)
                    .render();

            String kafkaCounter = "# HELP kafka_stream_thread_process_total Records processed\n"
                    + "# TYPE kafka_stream_thread_process_total counter\n"
                    + "kafka_stream_thread_process_total{thread_id=\"app-StreamThread-1\"} 12\n";
            String kafkaGauge = "# HELP kafka_consumer_fetch_manager_records_lag_max Maximum lag\n"
                    + "# TYPE kafka_consumer_fetch_manager_records_lag_max gauge\n"
                    + "kafka_consumer_fetch_manager_records_lag_max{client_id=\"say \\\"hi\\\"\\\\now\"} NaN\n";
            String registrySize = "# HELP kafka_kafka_metrics_count_count total number of registered metrics\n"
                    + "# TYPE kafka_kafka_metrics_count_count gauge\n"
                    + "kafka_kafka_metrics_count_count 4\n";
            String onepipe = "# TYPE onepipe_ratio gauge\nonepipe_ratio 0.25\n";
            assertEquals(kafkaGauge + registrySize + kafkaCounter + onepipe, text);
        }
    }
}
