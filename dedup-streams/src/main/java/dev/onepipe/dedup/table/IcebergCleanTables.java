package dev.onepipe.dedup.table;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.dedup.merge.RecordMerger;
import dev.onepipe.metadata.DatasetMetadata;
import org.apache.avro.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;

/**
 * Opens datasets' clean tables as Apache Iceberg tables: the {@link CleanTableFactory} the dedup topology uses.
 *
 * <p>The catalog comes from the configuration ({@link CleanTableCatalog}); a missing table is created with the rows'
 * Avro schema converted by Iceberg's {@code AvroSchemaUtil}, partitioned by day of the event-time field and sorted by
 * the ordering fields ({@link CleanTableLayout}). Rows the topology commits without state for their key are merged
 * with the table's row for that key by the {@link CleanRowMerge} this factory gives for the dataset.
 *
 * <p>Settings: {@value #COMMIT_ATTEMPTS} (default {@value #DEFAULT_COMMIT_ATTEMPTS}): how many times a commit is
 * redone against a newer snapshot after losing a race before {@link CleanTableException}.
 * {@value #SNAPSHOTS_MAX_AGE_MS} (default 1 h), {@value #SNAPSHOTS_KEEP} (default {@value #DEFAULT_SNAPSHOTS_KEEP}) and
 * {@value #SNAPSHOTS_EXPIRE_INTERVAL_MS} (default 10 min, 0 = never): the snapshot retention
 * ({@link IcebergCleanTable.SnapshotRetention}).
 */
public final class IcebergCleanTables implements CleanTableFactory {

    public static final String COMMIT_ATTEMPTS = "onepipe.dedup.table.commit.attempts";
    public static final int DEFAULT_COMMIT_ATTEMPTS = 30;
    public static final String SNAPSHOTS_MAX_AGE_MS = "onepipe.dedup.table.snapshots.max-age.ms";
    public static final long DEFAULT_SNAPSHOTS_MAX_AGE_MS = 60 * 60 * 1000L;
    public static final String SNAPSHOTS_KEEP = "onepipe.dedup.table.snapshots.keep";
    public static final int DEFAULT_SNAPSHOTS_KEEP = 10;
    public static final String SNAPSHOTS_EXPIRE_INTERVAL_MS = "onepipe.dedup.table.snapshots.expire.interval.ms";
    public static final long DEFAULT_SNAPSHOTS_EXPIRE_INTERVAL_MS = 10 * 60 * 1000L;

    private final Function<DatasetMetadata, CleanRowMerge> merges;

    /**
     * Tables whose stateless rows are merged with the table's row by the dataset's own merge strategy
     * ({@link RecordMerger#forDataset}): what {@code onepipe run dedup} finds through {@link java.util.ServiceLoader}.
     */
    public IcebergCleanTables() {
        this(IcebergCleanTables::datasetMerge);
    }

    private static CleanRowMerge datasetMerge(DatasetMetadata dataset) {
        RecordMerger merger = RecordMerger.forDataset(dataset);
        return (existing, incoming) -> merger.merge(existing, incoming).winner();
    }

    /** Tables whose stateless rows are merged by {@code merges.apply(dataset)} (e.g. the dataset's merge strategy). */
    public IcebergCleanTables(Function<DatasetMetadata, CleanRowMerge> merges) {
        this.merges = Objects.requireNonNull(merges, "merges");
    }

    @Override
    public IcebergCleanTable open(TopologyContext context, DatasetMetadata dataset, Schema rowSchema) {
        return open(context.config(), dataset, rowSchema);
    }

    /**
     * Opens (creating when missing) {@code clean.<dataset>} in the configured catalog; evolves its schema when
     * {@code rowSchema} has columns the table lacks.
     *
     * @throws CleanTableException      when the catalog or S3 refuses
     * @throws IllegalArgumentException when the snapshot retention settings are invalid
     */
    public IcebergCleanTable open(OnepipeConfig config, DatasetMetadata dataset, Schema rowSchema) {
        CleanTableLayout layout = CleanTableLayout.of(dataset, rowSchema);
        IcebergCleanTable.SnapshotRetention retention = snapshotRetention(config);
        TableIdentifier identifier = CleanTableCatalog.tableIdentifier(dataset.name());
        Catalog catalog = CleanTableCatalog.open(config);
        try {
            Table table = loadOrCreate(catalog, identifier, layout);
            IcebergCleanTable committer = new IcebergCleanTable(catalog, table, layout, merges.apply(dataset),
                    config.getInt(COMMIT_ATTEMPTS, DEFAULT_COMMIT_ATTEMPTS), retention);
            committer.evolveSchema(rowSchema);
            return committer;
        } catch (RuntimeException e) {
            IcebergCleanTable.closeQuietly(catalog);
            throw e instanceof CleanTableException clean ? clean
                    : new CleanTableException("Cannot open the clean table " + identifier + ": " + e.getMessage(), e);
        }
    }

    /**
     * The snapshot retention configured by {@value #SNAPSHOTS_MAX_AGE_MS}, {@value #SNAPSHOTS_KEEP} and
     * {@value #SNAPSHOTS_EXPIRE_INTERVAL_MS}.
     *
     * @throws IllegalArgumentException when an age or interval is negative, or keep is below 1
     */
    public static IcebergCleanTable.SnapshotRetention snapshotRetention(OnepipeConfig config) {
        return new IcebergCleanTable.SnapshotRetention(java.time.Duration.ofMillis(config.getLong(SNAPSHOTS_MAX_AGE_MS, DEFAULT_SNAPSHOTS_MAX_AGE_MS)),
                config.getInt(SNAPSHOTS_KEEP, DEFAULT_SNAPSHOTS_KEEP),
                java.time.Duration.ofMillis(config.getLong(SNAPSHOTS_EXPIRE_INTERVAL_MS, DEFAULT_SNAPSHOTS_EXPIRE_INTERVAL_MS)));
    }

    static Table loadOrCreate(Catalog catalog, TableIdentifier identifier, CleanTableLayout layout) {
        if (!catalog.tableExists(identifier)) {
            if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(identifier.namespace())) {
                try {
                    namespaces.createNamespace(identifier.namespace());
                } catch (AlreadyExistsException raced) {
                    // another committer created it first: that is what we wanted
                }
            }
            org.apache.iceberg.Schema schema = AvroSchemaUtil.toIceberg(layout.avroSchema());
            try {
                catalog.buildTable(identifier, schema)
                        .withPartitionSpec(layout.partitionSpec(schema))
                        .withSortOrder(layout.sortOrder(schema))
                        .withProperties(tableProperties(layout))
                        .create();
            } catch (AlreadyExistsException raced) {
                // another committer created it first
            }
        }
        return catalog.loadTable(identifier);
    }

    /**
     * The layout, plus: Iceberg retries a commit whose catalog swap lost a race (re-running the committer's validation,
     * which re-reads the offsets to carry forward), and keeps a bounded number of metadata files.
     */
    static Map<String, String> tableProperties(CleanTableLayout layout) {
        Map<String, String> properties = new LinkedHashMap<>(layout.properties());
        properties.put(TableProperties.FORMAT_VERSION, "2");
        properties.put(TableProperties.COMMIT_NUM_RETRIES, "10");
        properties.put(TableProperties.COMMIT_MIN_RETRY_WAIT_MS, "20");
        properties.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
        properties.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20");
        // a commit looks up keys of unknown state in days it does not rewrite: a bloom filter skips row groups
        properties.put(TableProperties.PARQUET_BLOOM_FILTER_COLUMN_ENABLED_PREFIX + layout.uniqueKey().get(0), "true");
        return properties;
    }

    /** The namespace every clean table is in. */
    public static Namespace namespace() {
        return Namespace.of(CleanTableCatalog.NAMESPACE);
    }
}
