package dev.onepipe.core.deadletter;

import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Reads the dead-letter count from Kafka Streams' own metrics: every dead-letter record is sent by Kafka Streams
 * (the handlers return it, KIP-1034), which counts what it sends per topic in {@value #GROUP}
 * {@value #RECORDS_PRODUCED_TOTAL}, tagged with thread, task, processor and {@value #TOPIC_TAG}. The dead-letter count
 * is that metric summed over topics ending in {@value DeadLetterTopics#SUFFIX}. Kafka drops a task's topic metrics
 * when the task moves to another thread or instance, so the count covers the tasks as assigned now; the reason of
 * each dead letter is in its headers.
 */
public final class DeadLetterMetrics {

    public static final String GROUP = "stream-topic-metrics";
    public static final String RECORDS_PRODUCED_TOTAL = "records-produced-total";
    public static final String TOPIC_TAG = "topic";

    private DeadLetterMetrics() {
    }

    /** Dead-letter records sent, over every dead-letter topic. */
    public static long total(Map<MetricName, ? extends Metric> metrics) {
        return totalsByTopic(metrics).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Dead-letter records sent per dead-letter topic, sorted by topic. */
    public static Map<String, Long> totalsByTopic(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Long> totals = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            String topic = name.tags().get(TOPIC_TAG);
            if (GROUP.equals(name.group()) && RECORDS_PRODUCED_TOTAL.equals(name.name()) && topic != null
                    && topic.endsWith(DeadLetterTopics.SUFFIX)) {
                Object value = entry.getValue().metricValue();
                totals.merge(topic, value instanceof Number ? ((Number) value).longValue() : 0L, Long::sum);
            }
        }
        return totals;
    }
}
