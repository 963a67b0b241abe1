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
    void everyTopicATopologyReadsOrWritesGetsADeadLetterTopicWithItsPartitionCount() {
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
                "widget-prices.dlq", 2,
                "widget-counts.dlq", 1,
                "app-by-name-repartition.dlq", 4), required);
    }

    @Test
    void topicsThatDoNotExistYetGetNone() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("widgets", Consumed.with(Serdes.String(), Serdes.String())).to("not-created-yet");

        assertEquals(Map.of("widgets.dlq", 3), DeadLetterTopics.required(builder.build().describe(), "app", Map.of("widgets", 3)));
    }
}
