package dev.onepipe.core.runtime.health;

import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.deadletter.DeadLetterException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A test topology that needs every kind of topic a topology uses: it reads its input topic, sends a record valued
 * {@value #BAD} to the input's dead-letter topic, re-keys the others by value through the repartition topic
 * {@code <application id>-by-value-repartition}, counts them per value in the store {@value #COUNTS} (changelog
 * {@code <application id>-counts-changelog}) and writes each count ({@code "<value>=<count>"}) to its output topic.
 */
public final class CountingTopology implements OnepipeTopology {

    public static final String BAD = "bad";
    public static final String COUNTS = "counts";
    public static final String REPARTITION = "by-value";
    static final String OUTPUT_TOPIC = "onepipe.test.output.topic";

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public String description() {
        return "Counts the records of a topic per value, through a repartition topic and a changelog (test fixture).";
    }

    @Override
    public List<TopologySetting> settings() {
        return List.of(TopologySetting.required(OUTPUT_TOPIC, "Topic the counts are written to."));
    }

    @Override
    public boolean acceptsAnyTopic() {
        return true;
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        builder.stream(context.inputTopic(), Consumed.with(Serdes.String(), Serdes.String()))
                .peek((key, value) -> {
                    if (BAD.equals(value)) {
                        throw new DeadLetterException("BAD_VALUE", "the value is '" + BAD + "'");
                    }
                })
                .groupBy((key, value) -> value, Grouped.with(REPARTITION, Serdes.String(), Serdes.String()))
                .count(Materialized.as(COUNTS))
                .toStream()
                .map((value, count) -> KeyValue.pair(value, value + "=" + count))
                .to(context.config().require(OUTPUT_TOPIC), Produced.with(Serdes.String(), Serdes.String()));
    }
}
