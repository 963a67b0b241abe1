package dev.onepipe.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

class DeadLetterTopicsTest {

    @Test
    void everyTopicATopologyReadsGetsADeadLetterTopicWithItsPartitionCountAndNoTopicItOnlyWrites() {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, String> widgets = builder.stream("widgets", Consumed.with(Serdes.String(), Serdes.String()));
        widgets.to("widget-prices", Produced.with(Serdes.String(), Serdes.String()));
        widgets.selectKey((key, value) -> value)
                .groupByKey(Grouped.<String, String>with(Serdes.String(), Serdes.String()).withName("by-name"))
                .count()
                .toStream()
                .to("widget-counts", Produced.with(Serdes.String(), Serdes.Long()));
        Properties properties = new Properties();
        properties.put("application.id", "app");
        Topology topology = builder.build(properties);

        Map<String, Integer> required = DeadLetterTopics.required(topology.describe(), "app",
                Map.of("widgets", 4, "widget-prices", 2, "widget-counts", 1));

        assertEquals(Map.of(
                "widgets.dlq", 4,
                "app-by-name-repartition.dlq", 4), required);
    }

    /** campaign-metrics' shape: it writes its inputs' dead-letter topics itself, and a late topic. */
    @Test
    void deadLetterAndLateTopicsATopologyWritesGetNoDeadLetterTopic() {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, String> served = builder.stream("ad-served", Consumed.with(Serdes.String(), Serdes.String()));
        KStream<String, String> events = builder.stream("ysb-events", Consumed.with(Serdes.String(), Serdes.String()));
        served.filter((key, value) -> value == null).to("ad-served.dlq");
        events.filter((key, value) -> value == null).to("ysb-events.dlq");
        served.filter((key, value) -> value != null).to("campaign-metrics-late");
        served.merge(events).to("campaign-metrics");

        Map<String, Integer> required = DeadLetterTopics.required(builder.build().describe(), "app", Map.of(
                "ad-served", 2, "ysb-events", 3, "ad-served.dlq", 2, "ysb-events.dlq", 3, "campaign-metrics-late", 2,
                "campaign-metrics", 2));

        assertEquals(Map.of("ad-served.dlq", 2, "ysb-events.dlq", 3), required);
    }

    @Test
    void topicsThatDoNotExistYetGetNone() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("widgets", Consumed.with(Serdes.String(), Serdes.String())).to("not-created-yet");

        assertEquals(Map.of("widgets.dlq", 3), DeadLetterTopics.required(builder.build().describe(), "app", Map.of("widgets", 3)));
    }
}
