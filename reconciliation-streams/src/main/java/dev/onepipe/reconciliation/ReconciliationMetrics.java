package dev.onepipe.reconciliation;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * The reconciliation topology's gauges, added to Kafka Streams' metrics per task (so {@code /metrics}, JMX and
 * {@code KafkaStreams#metrics()} show them), group {@value #GROUP}, tags {@value #TASK_TAG} and {@code status}:
 * <ul>
 *   <li>{@code raw-buckets}: the task's (partition, hour) buckets whose latest topic ↔ raw archive verdict has that
 *       status (OK, MISSING, EXTRA, DIFFERENT, NOT_YET_ARCHIVED);</li>
 *   <li>{@code consumer-groups}: consuming onepipe applications of the dataset whose Burrow status is that status
 *       (OK, WARNING, STALL, STOP, REWIND); only the task that watches the groups (partition 0) reports them.</li>
 * </ul>
 * Summing a status over every task gives the dataset's count.
 */
public final class ReconciliationMetrics {

    public static final String SCOPE = "onepipe-reconciliation";
    public static final String GROUP = "stream-" + SCOPE + "-metrics";
    public static final String TASK_TAG = SCOPE + "-id";
    public static final String RAW_BUCKETS = "raw-buckets";
    public static final String CONSUMER_GROUPS = "consumer-groups";
    static final String RAW_BUCKETS_DESCRIPTION = "Raw buckets whose latest topic/raw-archive verdict has the status in the status tag"
            + " (OK, MISSING, EXTRA, DIFFERENT, NOT_YET_ARCHIVED)";
    static final String CONSUMER_GROUPS_DESCRIPTION = "Consuming applications of the dataset whose Burrow status is the one in the status tag"
            + " (OK, WARNING, STALL, STOP, REWIND)";

    private final StreamsMetrics metrics;
    private final Map<BucketStatus, Sensor> buckets = new EnumMap<>(BucketStatus.class);
    private final Map<LagStatus, Sensor> groups = new EnumMap<>(LagStatus.class);

    ReconciliationMetrics(StreamsMetrics metrics, String threadName, String taskId) {
        this.metrics = metrics;
        // One description per metric name, the same for every status: an exporter (Prometheus) keeps one HELP line per
        // name, so a description naming one status would be shown for all of them.
        for (BucketStatus status : BucketStatus.values()) {
            buckets.put(status, gauge(threadName, taskId, RAW_BUCKETS, status.name(), RAW_BUCKETS_DESCRIPTION));
        }
        for (LagStatus status : LagStatus.values()) {
            groups.put(status, gauge(threadName, taskId, CONSUMER_GROUPS, status.name(), CONSUMER_GROUPS_DESCRIPTION));
        }
    }

    private Sensor gauge(String threadName, String taskId, String name, String status, String description) {
        Sensor sensor = metrics.addSensor(SCOPE + "." + threadName + "." + taskId + "." + name + "." + status.toLowerCase(Locale.ROOT),
                Sensor.RecordingLevel.INFO);
        sensor.add(new MetricName(name, GROUP, description, Map.of(TASK_TAG, taskId, "thread-id", threadName, "status", status)), new Value());
        sensor.record(0);
        return sensor;
    }

    void buckets(Map<BucketStatus, Integer> counts) {
        buckets.forEach((status, sensor) -> sensor.record(counts.getOrDefault(status, 0)));
    }

    void groups(Map<LagStatus, Integer> counts) {
        groups.forEach((status, sensor) -> sensor.record(counts.getOrDefault(status, 0)));
    }

    void close() {
        buckets.values().forEach(metrics::removeSensor);
        groups.values().forEach(metrics::removeSensor);
    }

    /** Metric {@code name} with tag status = {@code status}, summed over every task in {@code all}. */
    public static long total(Map<MetricName, ? extends Metric> all, String name, String status) {
        Map<String, Double> byTask = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> entry : all.entrySet()) {
            MetricName metric = entry.getKey();
            if (metric.group().equals(GROUP) && metric.name().equals(name) && status.equals(metric.tags().get("status"))
                    && entry.getValue().metricValue() instanceof Number number && !Double.isNaN(number.doubleValue())) {
                byTask.merge(metric.tags().get(TASK_TAG), number.doubleValue(), Double::sum);
            }
        }
        return Math.round(byTask.values().stream().mapToDouble(Double::doubleValue).sum());
    }
}
