package dev.onepipe.dedup.cli;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.dedup.table.CleanTableLayout;
import dev.onepipe.dedup.table.CleanTableReader;
import dev.onepipe.dedup.table.IcebergCleanTable;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code onepipe clean show}: prints rows of a dataset's clean table, one JSON object per line. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Print rows of a dataset's clean table at its current snapshot, one JSON object a line (the dataset's",
            "Avro schema), then a summary line on stderr. Exit code 0, or 1 when the table cannot be read."})
final class CleanShowCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, paramLabel = "<name>", description = "Registered dataset whose clean table to read.")
    String dataset;

    @Option(names = "--date", paramLabel = "<yyyy-mm-dd>", description = "Only rows whose event time is on this UTC day.")
    LocalDate date;

    @Option(names = "--key", paramLabel = "<key>", description = "Only the row of this unique key (the clean topic's Kafka key).")
    String key;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "<rows>", description = "Print at most this many rows (default: ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (CleanTableReader reader = CleanTableReader.open(options.config(Map.of()), dataset)) {
            CleanTableLayout layout = reader.layout();
            Expression filter = filter(reader);
            long[] counts = new long[2];
            reader.forEach(filter, row -> {
                if (key != null && !key.equals(reader.keyOf(row))) {
                    return;
                }
                if (date != null && !dayOf(reader, row).equals(Optional.of(date))) {
                    return;
                }
                counts[0]++;
                if (counts[0] <= limit) {
                    out.println(reader.toAvro(row));
                }
            });
            out.flush();
            spec.commandLine().getErr().printf("%d rows matched, %d printed; table %s, snapshot %s, offsets %s, ordering %s%n",
                    counts[0], Math.min(counts[0], limit), reader.table().name(),
                    reader.currentSnapshot() == null ? "(none)" : reader.currentSnapshot().snapshotId(),
                    IcebergCleanTable.offsets(reader.table(), reader.currentSnapshot()), layout.ordering());
            return 0;
        }
    }

    /** Pushes the date and a single-field key down to Iceberg so it skips files; the exact match is done per row. */
    private Expression filter(CleanTableReader reader) {
        Expression filter = Expressions.alwaysTrue();
        CleanTableLayout layout = reader.layout();
        if (key != null && layout.uniqueKey().size() == 1) {
            Types.NestedField column = reader.table().schema().findField(layout.uniqueKey().get(0));
            if (column != null && column.type().typeId() == Type.TypeID.STRING) {
                filter = Expressions.equal(column.name(), key);
            }
        }
        if (date != null && layout.eventTimeField().isPresent()) {
            Types.NestedField column = reader.table().schema().findField(layout.eventTimeField().get());
            long startMillis = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long endMillis = startMillis + CleanTableLayout.MILLIS_PER_DAY;
            if (column != null && column.type().typeId() == Type.TypeID.TIMESTAMP) {
                // a long literal for a timestamp column is microseconds since the epoch
                filter = Expressions.and(filter, Expressions.and(Expressions.greaterThanOrEqual(column.name(), startMillis * 1000),
                        Expressions.lessThan(column.name(), endMillis * 1000)));
            } else if (column != null && column.type().typeId() == Type.TypeID.LONG) {
                filter = Expressions.and(filter, Expressions.and(Expressions.greaterThanOrEqual(column.name(), startMillis),
                        Expressions.lessThan(column.name(), endMillis)));
            }
        }
        return filter;
    }

    private static Optional<LocalDate> dayOf(CleanTableReader reader, org.apache.iceberg.data.Record row) {
        org.apache.iceberg.PartitionKey partition = new org.apache.iceberg.PartitionKey(reader.table().spec(), reader.table().schema());
        partition.partition(new org.apache.iceberg.data.InternalRecordWrapper(reader.table().schema().asStruct()).wrap(row));
        return CleanTableLayout.dayOf(reader.table().spec(), partition);
    }
}
