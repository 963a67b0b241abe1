package dev.onepipe.dedup.topology;

import java.util.Map;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * The dedup topology's own metrics, added to Kafka Streams' metrics per task (so {@code /metrics}, JMX and
 * {@code KafkaStreams#metrics()} show them): group {@value #GROUP}, tag {@value #TASK_TAG} = the task id.
 * <ul>
 *   <li>{@code keys-kept}: keys whose merged state the task holds now (the state size);</li>
 *   <li>{@code state-changes-total}: records that changed their key's merged state (each one written to the clean topic);</li>
 *   <li>{@code unchanged-records-total}: records that changed nothing (exact re-sends, stale or losing versions);</li>
 *   <li>{@code vector-clock-conflicts-total}: merges of versions with concurrent vector clocks;</li>
 *   <li>{@code forgotten-keys-total}: keys forgotten a horizon after their event time;</li>
 *   <li>{@code beyond-horizon-records-total}: records older than the horizon for a key without state, handed to the
 *       clean table only.</li>
 * </ul>
 * Each counter also has a {@code -rate} (per second).
 */
public final class DedupMetrics {

    public static final String SCOPE = "onepipe-dedup";
    public static final String GROUP = "stream-" + SCOPE + "-metrics";
    public static final String TASK_TAG = SCOPE + "-id";
    public static final String KEYS_KEPT = "keys-kept";
    public static final String STATE_CHANGES = "state-changes";
    public static final String UNCHANGED_RECORDS = "unchanged-records";
    public static final String CONFLICTS = "vector-clock-conflicts";
    public static final String FORGOTTEN_KEYS = "forgotten-keys";
    public static final String BEYOND_HORIZON_RECORDS = "beyond-horizon-records";

    private final StreamsMetrics metrics;
    private final Sensor keysKept;
    final Sensor stateChanges;
    final Sensor unchangedRecords;
    final Sensor conflicts;
    final Sensor forgottenKeys;
    final Sensor beyondHorizonRecords;

    /** The sensors of one task; {@link #close()} removes them when the task closes. */
    DedupMetrics(StreamsMetrics metrics, String threadName, String taskId) {
        this.metrics = metrics;
        this.keysKept = metrics.addSensor(SCOPE + "." + threadName + "." + taskId + "." + KEYS_KEPT, Sensor.RecordingLevel.INFO);
        keysKept.add(new MetricName(KEYS_KEPT, GROUP, "Keys whose merged state the task keeps", Map.of(TASK_TAG, taskId, "thread-id", threadName)),
                new Value());
        this.stateChanges = counter(taskId, STATE_CHANGES);
        this.unchangedRecords = counter(taskId, UNCHANGED_RECORDS);
        this.conflicts = counter(taskId, CONFLICTS);
        this.forgottenKeys = counter(taskId, FORGOTTEN_KEYS);
        this.beyondHorizonRecords = counter(taskId, BEYOND_HORIZON_RECORDS);
    }

    private Sensor counter(String taskId, String name) {
        return metrics.addRateTotalSensor(SCOPE, taskId, name, Sensor.RecordingLevel.INFO);
    }

    void keysKept(long count) {
        keysKept.record(count);
    }

    void close() {
        for (Sensor sensor : new Sensor[] {keysKept, stateChanges, unchangedRecords, conflicts, forgottenKeys, beyondHorizonRecords}) {
            metrics.removeSensor(sensor);
        }
    }

    /** The sum of metric {@code name} (e.g. {@code keys-kept}, {@code vector-clock-conflicts-total}) over every task in {@code all}. */
    public static long total(Map<MetricName, ? extends Metric> all, String name) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> entry : all.entrySet()) {
            if (entry.getKey().group().equals(GROUP) && entry.getKey().name().equals(name)
                    && entry.getValue().metricValue() instanceof Number number && !Double.isNaN(number.doubleValue())) {
                total += number.doubleValue();
            }
        }
        return Math.round(total);
    }
}
