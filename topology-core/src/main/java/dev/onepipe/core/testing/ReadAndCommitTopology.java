package dev.onepipe.core.testing;

import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;

/**
 * Reads its input topic and does nothing with the records, so Kafka Streams only polls and commits: the reference
 * line of a benchmark, showing what Kafka Streams itself costs on the machine under the settings of the topology
 * measured next to it.
 */
public final class ReadAndCommitTopology implements OnepipeTopology {

    private final String name;
    private final List<TopologySetting> settings;

    /** @param settings the measured topology's settings, so the runner gives this one the same defaults */
    public ReadAndCommitTopology(String name, List<TopologySetting> settings) {
        this.name = name;
        this.settings = List.copyOf(settings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "Reads a topic and does nothing with its records (a benchmark's reference)";
    }

    @Override
    public List<TopologySetting> settings() {
        return settings;
    }

    @Override
    public boolean acceptsAnyTopic() {
        return true;
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        builder.stream(context.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read"))
                .foreach((key, value) -> { }, Named.as("nothing"));
    }
}
