package dev.onepipe.campaign;

import java.util.EnumMap;
import java.util.Map;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Counts dropped events per stream and reason as Kafka Streams metrics, so they appear wherever the application's
 * metrics go (JMX, {@code KafkaStreams#metrics()}, a metrics endpoint): group {@value #GROUP}, name
 * {@code dropped-<reason>-total} and {@code dropped-<reason>-rate}, tag {@value #STREAM_TAG} = the stream's label.
 */
public final class DropMetrics {

    public static final String SCOPE = "onepipe-campaign";
    public static final String GROUP = "stream-" + SCOPE + "-metrics";
    public static final String STREAM_TAG = SCOPE + "-id";

    private final Map<DropReason, Sensor> sensors = new EnumMap<>(DropReason.class);
    private final StreamsMetrics metrics;
    private final String stream;

    /** Sensors of one stream, registered with a processor's metrics as the processor starts. */
    public DropMetrics(StreamsMetrics metrics, String stream) {
        this.metrics = metrics;
        this.stream = stream;
    }

    public void record(DropReason reason) {
        sensors.computeIfAbsent(reason, this::sensor).record();
    }

    private Sensor sensor(DropReason reason) {
        return metrics.addRateTotalSensor(SCOPE, stream, "dropped-" + reason.metricName(), Sensor.RecordingLevel.INFO);
    }

    /** The total of one stream and reason across every thread in {@code metrics} (of a KafkaStreams or a test driver). */
    public static long total(Map<MetricName, ? extends Metric> metrics, String stream, DropReason reason) {
        String name = "dropped-" + reason.metricName() + "-total";
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
