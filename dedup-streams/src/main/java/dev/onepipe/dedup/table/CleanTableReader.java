package dev.onepipe.dedup.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.onepipe.core.config.OnepipeConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads a dataset's clean table at its current snapshot with Iceberg's generic reader ({@code IcebergGenerics}), as
 * {@code onepipe clean show} and tests do.
 */
public final class CleanTableReader implements AutoCloseable {

    private final Catalog catalog;
    private final Table table;
    private final CleanTableLayout layout;

    private CleanTableReader(Catalog catalog, Table table) {
        this.catalog = catalog;
        this.table = table;
        this.layout = CleanTableLayout.fromProperties(table.properties());
    }

    /**
     * Opens {@code clean.<dataset>} in the configured catalog.
     *
     * @throws CleanTableException when the catalog cannot be reached or has no such table
     */
    public static CleanTableReader open(OnepipeConfig config, String dataset) {
        Catalog catalog = CleanTableCatalog.open(config);
        TableIdentifier identifier = CleanTableCatalog.tableIdentifier(dataset);
        try {
            return new CleanTableReader(catalog, catalog.loadTable(identifier));
        } catch (NoSuchTableException e) {
            IcebergCleanTable.closeQuietly(catalog);
            throw new CleanTableException("There is no clean table " + identifier + " in "
                    + CleanTableCatalog.describe(CleanTableCatalog.catalogProperties(config))
                    + ": run 'onepipe run dedup --dataset " + dataset + "' first, with the same catalog settings", e);
        } catch (RuntimeException e) {
            IcebergCleanTable.closeQuietly(catalog);
            throw e;
        }
    }

    public Table table() {
        return table;
    }

    public CleanTableLayout layout() {
        return layout;
    }

    /** The current snapshot, null for a table without any commit. */
    public Snapshot currentSnapshot() {
        return table.currentSnapshot();
    }

    /** Hands every row of the current snapshot matching {@code filter} to {@code action}, in file order. */
    public void forEach(Expression filter, Consumer<Record> action) {
        if (table.currentSnapshot() == null) {
            return;
        }
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).useSnapshot(table.currentSnapshot().snapshotId())
                .where(filter).build()) {
            rows.forEach(action);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the clean table " + table.name(), e);
        }
    }

    /** Every row of the current snapshot matching {@code filter}. */
    public List<Record> rows(Expression filter) {
        List<Record> rows = new ArrayList<>();
        forEach(filter, rows::add);
        return rows;
    }

    /** The row's unique key, as the clean topic's Kafka key. */
    public String keyOf(Record row) {
        return layout.keyOf(row);
    }

    /** The row as an Avro record of the dataset's schema the table was last written with. */
    public GenericRecord toAvro(Record row) {
        return IcebergRows.toAvro(row, layout.avroSchema());
    }

    @Override
    public void close() {
        IcebergCleanTable.closeQuietly(catalog);
    }
}
