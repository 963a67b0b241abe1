package dev.onepipe.core.runtime.health;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A test topology with a fault that cannot heal: it copies its input topic to another topic and fails (a bug, not a
 * dead letter) on every record whose value is {@value #POISON}, so its stream thread dies on that record each time.
 * A record valued {@value #POISON_ONCE} fails only the first time this JVM processes one (a fault that heals).
 */
public final class PoisonedTopology implements OnepipeTopology {

    public static final String POISON = "poison";
    public static final String POISON_ONCE = "poison-once";
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    static final String OUTPUT_TOPIC = "onepipe.test.output.topic";

    @Override
    public String name() {
        return "poisoned";
    }

    @Override
    public String description() {
        return "Copies a topic and fails on every record valued 'poison' (test fixture).";
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
                .peek((key, value) -> {
                    String text = value == null ? null : new String(value, StandardCharsets.UTF_8);
                    if (POISON.equals(text)) {
                        throw new IllegalStateException("the poison record cannot be processed");
                    }
                    if (POISON_ONCE.equals(text) && FAILED_ONCE.compareAndSet(false, true)) {
                        throw new IllegalStateException("the record fails once");
                    }
                })
                .to(context.config().require(OUTPUT_TOPIC), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    }
}
