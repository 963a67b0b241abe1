package dev.onepipe.reconciliation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3Settings;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads a dataset's clean table by its contract (dedup-streams/README.md, "Clean table"): catalog {@code onepipe},
 * table {@code clean.<dataset>}, Iceberg's own catalog properties given as {@code onepipe.dedup.catalog.<property>}
 * (default a {@code JdbcCatalog} on {@code jdbc:sqlite:<onepipe.state.root>/iceberg-catalog.sqlite}), warehouse
 * {@code onepipe.dedup.warehouse} (default {@code s3://<bucket>/clean/}) through {@code S3FileIO} with the configured
 * S3 endpoint and credentials, and the snapshot summary's {@code onepipe.offset.<p>}: the next input offset of
 * partition p the table covers.
 */
public final class CleanTableReader implements AutoCloseable {

    public static final String CATALOG_PREFIX = "onepipe.dedup.catalog.";
    public static final String WAREHOUSE = "onepipe.dedup.warehouse";
    public static final String CATALOG_NAME = "onepipe";
    public static final String NAMESPACE = "clean";
    public static final String OFFSET_PROPERTY_PREFIX = "onepipe.offset.";

    private final Catalog catalog;

    /** Opens the catalog; close it after the last read (it owns the tables' {@code FileIO}). */
    public CleanTableReader(Map<String, String> catalogProperties) {
        this.catalog = CatalogUtil.buildIcebergCatalog(CATALOG_NAME, catalogProperties, new org.apache.hadoop.conf.Configuration());
    }

    /** The Iceberg catalog properties the configuration gives, with the contract's defaults. */
    public static Map<String, String> catalogProperties(OnepipeConfig config, S3Settings s3) {
        Map<String, String> properties = new HashMap<>();
        properties.put(CatalogProperties.CATALOG_IMPL, "org.apache.iceberg.jdbc.JdbcCatalog");
        String stateRoot = config.get(TopologyRunner.STATE_ROOT, Path.of(System.getProperty("java.io.tmpdir"), "onepipe-state").toString());
        properties.put(CatalogProperties.URI, "jdbc:sqlite:" + Path.of(stateRoot, "iceberg-catalog.sqlite"));
        properties.put("jdbc.schema-version", "V1");
        properties.put(CatalogProperties.WAREHOUSE_LOCATION, config.get(WAREHOUSE, "s3://" + s3.bucket() + "/clean/"));
        properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
        s3.endpoint().ifPresent(endpoint -> properties.put("s3.endpoint", endpoint.toString()));
        properties.put("s3.path-style-access", String.valueOf(s3.pathStyle()));
        s3.accessKey().ifPresent(key -> properties.put("s3.access-key-id", key));
        s3.secretKey().ifPresent(key -> properties.put("s3.secret-access-key", key));
        s3.region().ifPresent(region -> properties.put("client.region", region));
        config.asMap().forEach((key, value) -> {
            if (key.startsWith(CATALOG_PREFIX)) {
                properties.put(key.substring(CATALOG_PREFIX.length()), value);
            }
        });
        return properties;
    }

    /** The clean table of {@code dataset}, empty when the catalog has no such table. */
    public Optional<Table> load(String dataset) {
        TableIdentifier identifier = TableIdentifier.of(NAMESPACE, dataset);
        return catalog.tableExists(identifier) ? Optional.of(catalog.loadTable(identifier)) : Optional.empty();
    }

    @Override
    public void close() throws IOException {
        if (catalog instanceof java.io.Closeable closeable) {
            closeable.close();
        }
    }

    /** Every row of the table's current snapshot into {@code rows}. */
    public static void read(Table table, CleanRows rows) {
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record record : records) {
                rows.add(null, record, record::getField);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the clean table " + table.name(), e);
        }
    }

    /**
     * The input offsets the table covers: {@code onepipe.offset.<p>} per partition p from the summary of the latest
     * snapshot dedup wrote, the current one or its nearest ancestor that has them (a snapshot of Iceberg's own
     * maintenance, e.g. {@code rewrite_data_files}, or of any other writer carries none and changes no input
     * coverage); empty without such a snapshot.
     */
    public static Map<Integer, Long> coveredOffsets(Table table) {
        Map<Integer, Long> offsets = new HashMap<>();
        for (Snapshot snapshot = table.currentSnapshot(); snapshot != null && offsets.isEmpty();
             snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId())) {
            snapshot.summary().forEach((key, value) -> {
                if (key.startsWith(OFFSET_PROPERTY_PREFIX)) {
                    offsets.put(Integer.parseInt(key.substring(OFFSET_PROPERTY_PREFIX.length())), Long.parseLong(value));
                }
            });
        }
        return offsets;
    }

    /**
     * Whether the catalog these properties name can hold tables at all without being created: false for a JDBC SQLite
     * catalog whose file does not exist (opening it would create an empty one, hiding a wrong
     * {@code onepipe.state.root} or {@code onepipe.dedup.catalog.uri}).
     */
    public static boolean catalogExists(Map<String, String> catalogProperties) {
        String uri = catalogProperties.getOrDefault(CatalogProperties.URI, "");
        return !uri.startsWith("jdbc:sqlite:") || uri.startsWith("jdbc:sqlite::memory:")
                || Files.exists(Path.of(uri.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*$", "")));
    }
}
