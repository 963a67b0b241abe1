package dev.onepipe.archive;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Copycat: every record of a topic, byte for byte, to S3 exactly once, in offset-ordered Parquet chunks per
 * partition and record-time hour. {@code onepipe run archive --dataset <name>} (or {@code --topic <t>}).
 *
 * <pre>
 *   topic (bytes) ──▶ ingest ──▶ stamp internal writes with the wall clock ──▶ buffer (one chunk per hour: records on the heap, states in a changelogged store) ──▶ flush closed chunks ──▶ S3
 * </pre>
 */
public final class ArchiveTopology implements OnepipeTopology {

    public static final String NAME = "archive";

    /** Input topics described by {@link #provision}, by name, for {@link #addTo}. */
    private final Map<String, InputTopic> describedInputs = new ConcurrentHashMap<>();

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

    /**
     * Checks the bucket and credentials ({@link #requireWritableBucket}, skipped offline) and describes the input topic
     * (partitions and timestamp type), which {@link #addTo} builds with.
     *
     * @throws IllegalArgumentException if the bucket does not exist, S3 refuses the credentials or the input topic does
     *                                  not exist: faults retrying cannot heal, so the application must not start
     */
    @Override
    public void provision(TopologyContext context, TopologyProvisioning provisioning) {
        ArchiveSettings settings = ArchiveSettings.from(context.config());
        if (!provisioning.offline()) {
            requireWritableBucket(settings.s3());
        }
        describedInputs.put(context.inputTopic(), InputTopic.describe(provisioning, context.inputTopic()));
    }

    /**
     * Adds the archive of the input topic {@link #provision} described.
     *
     * @throws IllegalStateException if {@link #provision} has not described the input topic
     */
    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        ArchiveSettings settings = ArchiveSettings.from(context.config());
        InputTopic input = describedInputs.get(context.inputTopic());
        if (input == null) {
            throw new IllegalStateException("The archive of " + context.inputTopic() + " is built after provision(), which describes the topic:"
                    + " start it with TopologyRunner.start or OnepipeTestDriver");
        }
        addTo(builder, settings, input, new ChunkRebuilder(KafkaClientSettings.common(context.config())));
    }

    /**
     * Asks S3 for the bucket ({@code HeadBucket}, which needs the same credentials as the uploads) so that a missing
     * bucket or a wrong key fails the start with a message naming it, instead of every upload failing later. An S3 that
     * does not answer is not refused here: the uploads wait out outages.
     *
     * @throws IllegalArgumentException if the bucket does not exist (404) or S3 refuses the credentials (400, 401, 403)
     */
    static void requireWritableBucket(S3Settings s3) {
        String where = "bucket '" + s3.bucket() + "'" + s3.endpoint().map(endpoint -> " at " + endpoint).orElse("");
        try (S3Client client = S3ClientFactory.create(s3)) {
            client.headBucket(request -> request.bucket(s3.bucket()));
        } catch (NoSuchBucketException e) {
            throw new IllegalArgumentException("S3 " + where + " does not exist: create it, or set " + S3Settings.BUCKET, e);
        } catch (S3Exception e) {
            int status = e.statusCode();
            if (status == 404) {
                throw new IllegalArgumentException("S3 " + where + " does not exist: create it, or set " + S3Settings.BUCKET, e);
            }
            if (status == 400 || status == 401 || status == 403) {
                throw new IllegalArgumentException("S3 refused access to " + where + " (HTTP " + status
                        + (e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null ? " " + e.awsErrorDetails().errorCode() : "")
                        + "): check " + S3Settings.ACCESS_KEY + " and " + S3Settings.SECRET_KEY + " (or the default AWS credentials) and the bucket's policy", e);
            }
            throw e;
        } catch (SdkClientException e) {
            // Not reachable now: the uploads retry through an outage, so this is no reason not to start.
            LoggerFactory.getLogger(ArchiveTopology.class).warn("Could not check S3 {} at start: {}", where, e.getMessage());
        }
    }

    /** Adds the archive of {@code input} with {@code settings}; {@link #addTo(StreamsBuilder, TopologyContext)} looks them up. */
    static void addTo(StreamsBuilder builder, ArchiveSettings settings, InputTopic input, ChunkRebuilder rebuilder) {
        S3Availability availability = new S3Availability(settings.s3().bucket());
        ExecutorService uploadThreads = BackgroundUploads.sharedThreads(input.name());
        builder.addStateStore(ChunkStateStore.storeBuilder());
        builder.stream(input.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("ingest"))
                .processValues(InternalTimestamp::new, Named.as("stamp-internal-writes"))
                .process(() -> new ArchiveProcessor(settings, input, availability, rebuilder, uploadThreads), Named.as("buffer-and-flush"),
                        ChunkStateStore.STATES_STORE);
    }
}
