package dev.onepipe.core.runtime.status;

import java.util.Map;
import java.util.OptionalLong;

import dev.onepipe.core.deadletter.DeadLetterMetrics;
import dev.onepipe.core.deadletter.DeadLetterTopics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The counters of a running application that its status line is made of, read from Kafka Streams' own metrics at
 * one moment.
 *
 * @param recordsIn   records its stream threads' consumers have read from its input topics (not from its own
 *                    repartition topics, not the global and restore consumers'): {@code records-consumed-total}
 *                    per topic of {@code consumer-fetch-manager-metrics}
 * @param recordsOut  records its producers have sent to topics other than its own internal and dead-letter topics:
 *                    {@code record-send-total} of {@code producer-topic-metrics}
 * @param lag         records behind the end of its input partitions, summed; empty until the consumers know:
 *                    {@code records-lag} per partition of {@code consumer-fetch-manager-metrics}
 * @param deadLetters dead-letter records sent, see {@link DeadLetterMetrics}
 */
public record ApplicationMetrics(long recordsIn, long recordsOut, OptionalLong lag, long deadLetters) {

    static final String CONSUMER_FETCH_GROUP = "consumer-fetch-manager-metrics";
    static final String PRODUCER_TOPIC_GROUP = "producer-topic-metrics";
    static final String RECORDS_CONSUMED_TOTAL = "records-consumed-total";
    static final String RECORDS_LAG = "records-lag";
    static final String RECORD_SEND_TOTAL = "record-send-total";

    /** Reads the counters of the application {@code applicationId} from its {@code KafkaStreams.metrics()}. */
    public static ApplicationMetrics from(Map<MetricName, ? extends Metric> metrics, String applicationId) {
        long recordsIn = 0;
        long recordsOut = 0;
        long lag = 0;
        boolean lagKnown = false;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            String topic = name.tags().get("topic");
            if (topic == null) {
                continue;
            }
            if (name.group().equals(CONSUMER_FETCH_GROUP) && isStreamThreadConsumer(name) && !isInternal(topic, applicationId)) {
                if (name.name().equals(RECORDS_CONSUMED_TOTAL)) {
                    recordsIn += (long) number(entry.getValue());
                } else if (name.name().equals(RECORDS_LAG) && name.tags().containsKey("partition")) {
                    double partitionLag = number(entry.getValue());
                    if (!Double.isNaN(partitionLag)) {
                        lag += (long) partitionLag;
                        lagKnown = true;
                    }
                }
            } else if (name.group().equals(PRODUCER_TOPIC_GROUP) && name.name().equals(RECORD_SEND_TOTAL)
                    && !isInternal(topic, applicationId) && !topic.endsWith(DeadLetterTopics.SUFFIX)) {
                recordsOut += (long) number(entry.getValue());
            }
        }
        return new ApplicationMetrics(recordsIn, recordsOut, lagKnown ? OptionalLong.of(lag) : OptionalLong.empty(),
                DeadLetterMetrics.total(metrics));
    }

    /** The main consumer of a stream thread, not its restore consumer nor the global thread's. */
    private static boolean isStreamThreadConsumer(MetricName name) {
        String clientId = name.tags().getOrDefault("client-id", "");
        return clientId.endsWith("-consumer") && !clientId.endsWith("-restore-consumer") && !clientId.endsWith("-global-consumer");
    }

    /** Repartition and changelog topics; consumer metrics spell dots in topic names as underscores. */
    private static boolean isInternal(String topic, String applicationId) {
        return topic.startsWith(applicationId + "-") || topic.startsWith(applicationId.replace('.', '_') + "-");
    }

    private static double number(Metric metric) {
        Object value = metric.metricValue();
        return value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
    }
}
