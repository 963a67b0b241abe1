package dev.onepipe.reconciliation;

import java.util.List;
import java.util.Map;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.serde.DatasetSerdes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code reconciliation}: the topic ↔ raw archive half of {@code onepipe reconcile}, run continuously.
 * {@code onepipe run reconciliation --dataset <name>}.
 *
 * <pre>
 *   dataset topic (bytes, headers) ──▶ ingest ──▶ fingerprint per (partition, record-time hour) in a state store
 *       ──(every check interval: list the raw archive, compare each bucket it has closed, bisect the ones that differ;
 *          sample the consuming applications' committed offsets)──▶ publish verdicts ──▶ onepipe-reconciliation (upsert)
 * </pre>
 *
 * See {@link ReconciliationProcessor} for the rules, {@link ReconciliationDataset} for the verdicts, and
 * {@link ReconciliationMetrics} for {@code /metrics}.
 */
public final class ReconciliationTopology implements OnepipeTopology {

    public static final String NAME = "reconciliation";
    /** (partition, hour) → {@link Fingerprint} of the topic's records of that bucket read so far. */
    public static final String FINGERPRINTS_STORE = "reconciliation-topic-fingerprints";
    /** partition → {@link Fingerprint} of every record of the partition read so far (first and last offset read). */
    public static final String PROGRESS_STORE = "reconciliation-topic-progress";
    /** One partition: verdicts are few (one per partition-hour and per consuming application). */
    private static final int VERDICT_PARTITIONS = 1;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Keeps the topic's fingerprints per partition and hour, compares each with the raw archive once archived; verdicts to onepipe-reconciliation";
    }

    @Override
    public List<TopologySetting> settings() {
        return ReconciliationSettings.SETTINGS;
    }

    @Override
    public boolean acceptsAnyTopic() {
        return true;
    }

    /**
     * Registers the verdicts' dataset {@value ReconciliationDataset#NAME} with its Avro schema and creates its topic when
     * missing: compacted (an upsert view, one live record per dataset, systems and bucket) with one partition (verdicts
     * are few: one per partition-hour and per consuming application). Skipped when
     * {@value ReconciliationSettings#PROVISION} is false. Idempotent.
     *
     * @throws IllegalStateException when the registry refuses the dataset or the topic cannot be created
     */
    @Override
    public void provision(TopologyContext context, TopologyProvisioning provisioning) {
        if (TopologySetting.values(ReconciliationSettings.DEFINITION, context.config()).getBoolean(ReconciliationSettings.PROVISION)) {
            provisioning.registerDataset(RegistrationRequest.dataset(ReconciliationDataset.METADATA, ReconciliationDataset.SCHEMA));
            provisioning.createTopic(ReconciliationDataset.NAME, VERDICT_PARTITIONS, true);
        }
    }

    /**
     * Adds the steps: ingest → fingerprint and compare → publish.
     *
     * @throws dev.onepipe.core.config.MissingConfigurationException when no S3 bucket is configured
     */
    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        ReconciliationSettings settings = ReconciliationSettings.from(context.config());
        // The raw side reads bytes, so no schema is needed: the dataset (or, with --topic, the topic) only names the verdicts.
        String dataset = context.target();
        publish(fingerprintAndCompare(ingest(builder, context), builder, context, dataset, settings), context);
    }

    /** Ingest: the dataset's records as Kafka holds them (bytes and headers), each with its own Kafka timestamp. */
    private static KStream<byte[], byte[]> ingest(StreamsBuilder builder, TopologyContext context) {
        return builder.stream(context.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                .withTimestampExtractor((record, partitionTime) -> record.timestamp()).withName("ingest"));
    }

    /** Fingerprint each record into its bucket; compare closed buckets with the archive on the punctuator. */
    private static KStream<String, GenericRecord> fingerprintAndCompare(KStream<byte[], byte[]> records, StreamsBuilder builder,
                                                                      TopologyContext context, String dataset, ReconciliationSettings settings) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FINGERPRINTS_STORE), FingerprintSerdes.buckets(),
                FingerprintSerdes.fingerprints()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE), Serdes.Integer(),
                FingerprintSerdes.fingerprints()).withCachingEnabled());
        Map<String, Object> clientConfig = ReconciliationClients.kafkaConfig(context.config());
        String topic = context.inputTopic();
        return records.process(() -> new ReconciliationProcessor(dataset, topic, settings, clientConfig), Named.as("fingerprint-and-compare"),
                FINGERPRINTS_STORE, PROGRESS_STORE);
    }

    /** Publish: every changed verdict to {@value ReconciliationDataset#NAME}, keyed by (dataset, systems, bucket). */
    private static void publish(KStream<String, GenericRecord> verdicts, TopologyContext context) {
        verdicts.to(ReconciliationDataset.NAME, Produced.with(DatasetStreams.keySerde(),
                DatasetSerdes.generic(context.catalog(), ReconciliationDataset.NAME)).withName("verdicts"));
    }
}
