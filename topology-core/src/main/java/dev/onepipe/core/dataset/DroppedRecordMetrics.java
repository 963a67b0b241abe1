package dev.onepipe.core.dataset;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Counts records a topology drops, per stream and reason, as Kafka Streams metrics, so they appear wherever the
 * application's metrics go (JMX, {@code KafkaStreams#metrics()}, {@code /metrics}, a test driver's metrics): group
 * {@value #GROUP}, name {@code dropped-<reason>-total} and {@code dropped-<reason>-rate}, tag {@value #STREAM_TAG} = the
 * stream's name. {@link DatasetStreams#stream(String, Ingest)} counts the records it cannot read under
 * {@value #CORRUPT}; a topology's own processors count theirs with any reason (lower case and dashes, e.g.
 * {@code bot-ip}). Create one per processor instance, in {@code init}.
 */
public final class DroppedRecordMetrics {

    public static final String SCOPE = "onepipe-stream";
    public static final String GROUP = "stream-" + SCOPE + "-metrics";
    public static final String STREAM_TAG = SCOPE + "-id";
    /** The reason of records that cannot be read as the dataset (they go to its dead-letter topic). */
    public static final String CORRUPT = "corrupt";

    private final Map<String, Sensor> sensors = new ConcurrentHashMap<>();
    private final StreamsMetrics metrics;
    private final String stream;

    /** Sensors of one stream, registered with a processor's metrics ({@code context.metrics()}) as the processor starts. */
    public DroppedRecordMetrics(StreamsMetrics metrics, String stream) {
        this.metrics = metrics;
        this.stream = stream;
    }

    /** Counts one dropped record of this stream under {@code reason}. */
    public void record(String reason) {
        sensors.computeIfAbsent(reason, this::sensor).record();
    }

    private Sensor sensor(String reason) {
        return metrics.addRateTotalSensor(SCOPE, stream, "dropped-" + reason, Sensor.RecordingLevel.INFO);
    }

    /** The total of one stream and reason across every thread in {@code metrics} (of a KafkaStreams or a test driver). */
    public static long total(Map<MetricName, ? extends Metric> metrics, String stream, String reason) {
        String name = "dropped-" + reason + "-total";
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName metricName = entry.getKey();
            if (metricName.group().equals(GROUP) && metricName.name().equals(name) && stream.equals(metricName.tags().get(STREAM_TAG))) {
                total += ((Number) entry.getValue().metricValue()).doubleValue();
            }
        }
        return Math.round(total);
    }
}
