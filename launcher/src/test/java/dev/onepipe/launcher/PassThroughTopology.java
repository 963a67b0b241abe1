package dev.onepipe.launcher;

import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** A test topology found through ServiceLoader like any other: copies its input topic to another topic. */
public final class PassThroughTopology implements OnepipeTopology {

    static final String OUTPUT_TOPIC = "onepipe.test.output.topic";

    @Override
    public String name() {
        return "pass-through";
    }

    @Override
    public String description() {
        return "Copies a topic to another topic (test fixture).";
    }

    @Override
    public List<TopologySetting> settings() {
        return List.of(TopologySetting.required(OUTPUT_TOPIC, "Topic the records are copied to."));
    }

    @Override
    public boolean acceptsAnyTopic() {
        return true;
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        builder.stream(context.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .to(context.config().require(OUTPUT_TOPIC), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    }
}
