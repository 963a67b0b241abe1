package dev.onepipe.dedup.topology;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.core.dataset.Ingest;
import dev.onepipe.core.dataset.NewestVersionSerde;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.dedup.merge.RecordMerger;
import dev.onepipe.dedup.table.CleanTableFactory;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.metadata.serde.WireFormat;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dedup}: Twilio's Copydog as a Kafka Streams topology, configured only by the dataset's metadata (unique key,
 * ordering fields, event-time field, merge strategy, dedup horizon). One method per box of the diagram:
 *
 * <pre>
 *   ingest (the dataset, bad records to its dead-letter topic) → key (by unique key, repartitioning only the records
 *   not already keyed that way) → merge (into the key's merged state in RocksDB, {@link RecordMerger}) → publish
 *   (every change to &lt;dataset&gt;-clean, vector-clock conflicts to &lt;dataset&gt;-clean-conflicts)
 * </pre>
 *
 * Run it with {@code onepipe run dedup --dataset <name>}. Keys are forgotten the dataset's {@code dedupHorizon} after
 * their event time (stream time, never the wall clock); with a clean table implementation on the class path, every
 * change also reaches the clean table on a wall-clock cadence (see {@link MergeProcessor}).
 */
public final class DedupTopology implements OnepipeTopology {

    public static final String NAME = "dedup";
    public static final String MERGED_STORE = "dedup-merged-store";
    public static final String EXPIRY_INDEX_STORE = "dedup-expiry-index-store";
    public static final String COUNTS_STORE = "dedup-counts-store";
    public static final String PENDING_ROWS_STORE = "dedup-pending-rows-store";
    public static final String TABLE_PROGRESS_STORE = "dedup-table-progress-store";

    private static final Logger LOG = LoggerFactory.getLogger(DedupTopology.class);

    private final CleanTableFactory tableFactory;

    /** The topology {@code onepipe run dedup} starts: the clean table implementation is chosen by configuration. */
    public DedupTopology() {
        this(null);
    }

    /**
     * A topology that writes the clean table through {@code tableFactory} (unless {@code onepipe.dedup.table.enabled}
     * is false); null chooses by configuration ({@value DedupSettings#TABLE_FACTORY}, else {@link java.util.ServiceLoader}).
     */
    public DedupTopology(CleanTableFactory tableFactory) {
        this.tableFactory = tableFactory;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Copydog: one merged state per unique key (the dataset's merge strategy) in <dataset>-clean and the clean table";
    }

    @Override
    public List<TopologySetting> settings() {
        return DedupSettings.settings();
    }

    /** Creates the clean and conflicts topics and registers the clean dataset, unless {@value DedupSettings#PROVISION} is false. */
    @Override
    public void provision(TopologyContext context, TopologyProvisioning provisioning) {
        if (DedupSettings.from(context.config()).provision()) {
            DatasetMetadata source = RegisteredDatasets.require(context.catalog(), context.target());
            Schema schema = context.catalog().latestSchemaVersion(source.valueSubject()).orElseThrow(() -> new IllegalArgumentException(
                    "Dataset '" + source.name() + "' has no active schema version under subject " + source.valueSubject())).schema();
            CleanTopicProvisioning.provision(context, provisioning, source, schema);
        }
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        DedupSettings settings = DedupSettings.from(context.config());
        Steps steps = new Steps(builder, context, settings);
        steps.publish(steps.merge(steps.key(steps.ingest())));
    }

    private Optional<CleanTableFactory> tableFactory(DedupSettings settings) {
        if (!settings.tableEnabled()) {
            return Optional.empty();
        }
        Optional<CleanTableFactory> factory = tableFactory != null ? Optional.of(tableFactory) : CleanTableFactories.find(settings.tableFactory());
        if (factory.isEmpty()) {
            LOG.warn("No clean table implementation on the class path: the dedup topology writes the clean topic only");
        }
        return factory;
    }

    /** The steps of the diagram, for one build of the topology. */
    private final class Steps {

        private final StreamsBuilder builder;
        private final TopologyContext context;
        private final DedupSettings settings;
        private final DatasetStreams datasets;
        private final DatasetMetadata dataset;
        private final Schema schema;
        private final NewestVersionSerde records;

        Steps(StreamsBuilder builder, TopologyContext context, DedupSettings settings) {
            this.builder = builder;
            this.context = context;
            this.settings = settings;
            this.datasets = DatasetStreams.of(builder, context);
            this.dataset = datasets.metadata(context.target());
            this.schema = datasets.schema(dataset.name());
            this.records = datasets.newestVersionSerde(dataset.name());
        }

        /**
         * Ingest: the dataset's records as the newest schema version seen (a compatible version registered while the
         * topology runs is followed without a restart, {@link NewestVersionSerde}), tombstones kept for the key step;
         * unreadable ones go to its dead-letter topic.
         */
        KStream<String, GenericRecord> ingest() {
            return datasets.stream(dataset.name(), Ingest.named("ingest").readingNewestVersion().keepingTombstones());
        }

        /**
         * Key: records whose Kafka key is their unique key (what every onepipe producer writes) go on as they are;
         * only the others are re-keyed and repartitioned, so each key's versions meet in one task. Records without a
         * value (tombstones) go on too, and the merge ignores them.
         */
        KStream<String, GenericRecord> key(KStream<String, GenericRecord> records) {
            UniqueKeyEncoder encoder = UniqueKeyEncoder.forDataset(dataset);
            Map<String, KStream<String, GenericRecord>> branches = records.split(Named.as("key-"))
                    .branch((key, value) -> value == null || key != null && key.equals(uniqueKeyOrNull(encoder, value)), Branched.as("by-unique-key"))
                    .defaultBranch(Branched.as("other"));
            KStream<String, GenericRecord> rekeyed = datasets.rekeyByUniqueKey(branches.get("key-other"), dataset.name())
                    .repartition(Repartitioned.with(DatasetStreams.keySerde(), (Serde<GenericRecord>) Steps.this.records).withName("rekeyed-by-unique-key"));
            return branches.get("key-by-unique-key").merge(rekeyed, Named.as("keyed"));
        }

        /** Merge: each record into its key's merged state; emits every change and every vector-clock conflict. */
        KStream<String, DedupOutput> merge(KStream<String, GenericRecord> keyed) {
            NewestVersionSerde records = this.records;
            builder.addStateStore(persistent(MERGED_STORE, Serdes.String(), MergedState.serde(records)));
            builder.addStateStore(persistent(EXPIRY_INDEX_STORE, Serdes.Bytes(), Serdes.ByteArray()));
            builder.addStateStore(persistent(COUNTS_STORE, Serdes.String(), Serdes.Long()));
            MergeProcessor.Stores stores = new MergeProcessor.Stores(MERGED_STORE, EXPIRY_INDEX_STORE, COUNTS_STORE, PENDING_ROWS_STORE, TABLE_PROGRESS_STORE);
            Optional<CleanTableFactory> table = tableFactory(settings);
            MergeProcessor.CleanTable cleanTable = null;
            String[] storeNames = {MERGED_STORE, EXPIRY_INDEX_STORE, COUNTS_STORE};
            if (table.isPresent()) {
                builder.addStateStore(persistent(PENDING_ROWS_STORE, Serdes.String(), PendingRow.serde(records)));
                builder.addStateStore(persistent(TABLE_PROGRESS_STORE, Serdes.String(), Serdes.Long()));
                CleanTableFactory factory = table.get();
                cleanTable = new MergeProcessor.CleanTable(() -> factory.open(context, dataset, schema), settings.tableCommitInterval());
                storeNames = new String[] {MERGED_STORE, EXPIRY_INDEX_STORE, COUNTS_STORE, PENDING_ROWS_STORE, TABLE_PROGRESS_STORE};
            }
            RecordMerger merger = RecordMerger.forDataset(dataset);
            String eventTimeField = dataset.eventTimeField().orElse(null);
            MergeProcessor.CleanTable finalTable = cleanTable;
            CleanSchemaRegistration cleanSchemas = new CleanSchemaRegistration(context.catalog(), CleanDataset.metadataOf(dataset),
                    KafkaClientSettings.common(context.config()), context.metadataTopic(), settings.provision());
            Serializer<GenericRecord> stateEncoder = records.serializer();
            String inputTopic = dataset.topic();
            MergeProcessor.SchemaEvolution evolution = new MergeProcessor.SchemaEvolution(records::upgrade, cleanSchemas::ensureRegistered,
                    state -> stateEncoder.serialize(inputTopic, state));
            return keyed.process(() -> new MergeProcessor(stores, merger, eventTimeField, dataset.dedupHorizon(), settings.expiryInterval(),
                    dataset.topic(), finalTable, evolution), Named.as("merge"), storeNames);
        }

        /** Publish: every new merged state to the clean topic, every conflict to the conflicts topic. */
        void publish(KStream<String, DedupOutput> outputs) {
            Map<String, KStream<String, DedupOutput>> branches = outputs.split(Named.as("publish-"))
                    .branch((key, output) -> output.isConflict(), Branched.as("conflicts"))
                    .defaultBranch(Branched.as("clean"));
            String clean = CleanDataset.nameOf(dataset.name());
            branches.get("publish-clean")
                    .to(clean, Produced.with(DatasetStreams.keySerde(), cleanValues(context.catalog(), clean)).withName("clean-topic"));
            branches.get("publish-conflicts")
                    .mapValues(DedupOutput::conflict, Named.as("conflict-report"))
                    .to(CleanDataset.conflictsTopicOf(dataset.name()), Produced.with(Serdes.String(), Serdes.String()).withName("conflicts-topic"));
        }

        /**
         * The clean topic's values: the merged state's bytes as the merge step encoded them for the store (the input
         * dataset's wire format, validated by its serializer), with the clean dataset's schema id for the state's schema
         * in the header; the Avro body is the same, the clean dataset being registered with the same schema versions.
         *
         * @throws dev.onepipe.metadata.serde.WireFormatException (at serialization) when the state's schema is not a
         *                                                        registered version of the clean dataset
         */
        private static Serde<DedupOutput> cleanValues(MetadataCatalog catalog, String clean) {
            DatasetSerializer<GenericRecord> cleanVersions = new DatasetSerializer<>(catalog, clean);
            Serializer<DedupOutput> serializer = (topic, output) -> {
                byte[] value = Arrays.copyOf(output.encoded(), output.encoded().length);
                byte[] header = WireFormat.header(cleanVersions.schemaVersionFor(topic, output.cleanState()).id());
                System.arraycopy(header, 0, value, 0, WireFormat.HEADER_LENGTH);
                return value;
            };
            Deserializer<DedupOutput> notRead = (topic, bytes) -> {
                throw new UnsupportedOperationException("the clean topic's values are read as the clean dataset, not as merge outputs");
            };
            return Serdes.serdeFrom(serializer, notRead);
        }

        private static <K, V> StoreBuilder<?> persistent(String name, Serde<K> keys, Serde<V> values) {
            return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values).withCachingEnabled();
        }

        private static String uniqueKeyOrNull(UniqueKeyEncoder encoder, GenericRecord value) {
            try {
                return encoder.encode(value);
            } catch (IllegalArgumentException invalid) {
                return null;
            }
        }
    }
}
