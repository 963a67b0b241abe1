package dev.onepipe.archive;

import java.util.List;
import java.util.concurrent.ExecutorService;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.KafkaClientSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;

/**
 * Copycat: every record of a topic, byte for byte, to S3 exactly once, in offset-ordered Parquet chunks per
 * partition and record-time hour. {@code onepipe run archive --dataset <name>} (or {@code --topic <t>}).
 *
 * <pre>
 *   topic (bytes) ──▶ ingest ──▶ buffer (one chunk per hour: records on the heap, states in a changelogged store) ──▶ flush closed chunks ──▶ S3
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
        addTo(builder, settings, InputTopic.describe(context.config(), context.inputTopic()), new ChunkRebuilder(KafkaClientSettings.common(context.config())));
    }

    /** Adds the archive of {@code input} with {@code settings}; {@link #addTo(StreamsBuilder, TopologyContext)} looks them up. */
    static void addTo(StreamsBuilder builder, ArchiveSettings settings, InputTopic input, ChunkRebuilder rebuilder) {
        S3Availability availability = new S3Availability(settings.s3().bucket());
        ExecutorService uploadThreads = BackgroundUploads.sharedThreads(input.name());
        builder.addStateStore(ChunkStateStore.storeBuilder());
        builder.stream(input.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("ingest"))
                .process(() -> new ArchiveProcessor(settings, input, availability, rebuilder, uploadThreads), Named.as("buffer-and-flush"),
                        ChunkStateStore.STATES_STORE);
    }
}
