package dev.onepipe.core.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** The topics a built topology reads and writes, each with its role, from its description alone. */
class TopologyTopicsTest {

    @Test
    void everyTopicOfATopologyWithItsRole() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.globalTable("blocklist", Consumed.with(Serdes.String(), Serdes.String()));
        builder.stream("ad-clicks", Consumed.with(Serdes.String(), Serdes.String()))
                .groupBy((key, value) -> value, Grouped.with("by-value", Serdes.String(), Serdes.String()))
                .count(Materialized.as("counts"))
                .toStream()
                .to("click-counts", Produced.with(Serdes.String(), Serdes.Long()));

        Map<String, String> expected = new TreeMap<>();
        expected.put("blocklist", "global table topic");
        expected.put("ad-clicks", "input topic");
        expected.put("ad-clicks.dlq", "dead-letter topic");
        expected.put("app-by-value-repartition", "repartition topic");
        expected.put("app-by-value-repartition.dlq", "dead-letter topic");
        expected.put("app-counts-changelog", "changelog topic");
        expected.put("click-counts", "output topic");
        assertEquals(expected, TopologyTopics.of(builder.build().describe(), "app").roleByTopic());
    }

    @Test
    void aPatternSubscriptionNamesNoTopic() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(Pattern.compile("clicks-.*"), Consumed.with(Serdes.String(), Serdes.String()))
                .to("all-clicks", Produced.with(Serdes.String(), Serdes.String()));

        assertEquals(Map.of("all-clicks", "output topic"), TopologyTopics.of(builder.build().describe(), "app").roleByTopic());
    }
}
