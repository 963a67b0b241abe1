package dev.onepipe.archive;

import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;

/**
 * Copycat: every record of a topic, byte for byte, to S3 exactly once, in offset-ordered Parquet chunks per
 * partition and record-time hour. {@code onepipe run archive --dataset <name>} (or {@code --topic <t>}).
 *
 * <pre>
 *   topic (bytes) ──▶ ingest ──▶ buffer (changelogged store, one chunk per hour) ──▶ flush closed chunks ──▶ S3
 * </pre>
 */
public final class ArchiveTopology implements OnepipeTopology {

    public static final String NAME = "archive";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Copies every record of a topic byte for byte to S3, exactly once, in offset-ordered Parquet chunks.";
    }

    @Override
    public List<TopologySetting> settings() {
        return ArchiveSettings.SETTINGS;
    }

    @Override
    public boolean acceptsAnyTopic() {
        return true;
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        ArchiveSettings settings = ArchiveSettings.from(context.config());
        addTo(builder, settings, InputTopic.describe(context.config(), context.inputTopic()));
    }

    /** Adds the archive of {@code input} with {@code settings}; {@link #addTo(StreamsBuilder, TopologyContext)} looks both up. */
    static void addTo(StreamsBuilder builder, ArchiveSettings settings, InputTopic input) {
        S3Availability availability = new S3Availability(settings.s3().bucket());
        builder.addStateStore(ChunkBuffer.recordsStoreBuilder());
        builder.addStateStore(ChunkBuffer.statesStoreBuilder());
        builder.stream(input.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("ingest"))
                .process(() -> new ArchiveProcessor(settings, input, availability), Named.as("buffer-and-flush"),
                        ChunkBuffer.RECORDS_STORE, ChunkBuffer.STATES_STORE);
    }
}
