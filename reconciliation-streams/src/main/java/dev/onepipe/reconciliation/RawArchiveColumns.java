package dev.onepipe.reconciliation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads a raw archive object's rows into a {@link RawRecords} with Parquet's column readers, row group by row group:
 * only the columns the {@link RecordHash} covers are decoded ({@code offset}, {@code timestamp}, {@code key},
 * {@code value}, {@code headers}; not {@code previous_offset} nor {@code timestamp_type}), and the rows are walked
 * in step over those columns without Parquet's record assembly and without an Avro record, so a row costs its column
 * values and one hash. {@code key} and {@code value}, nearly all of the bytes, are decoded page by page by
 * {@link BinaryColumnPages} (no object per value); a file with an encoding it does not decode is read again from the
 * start with Parquet's column readers for those two columns as well. {@code offset} and {@code timestamp} are read into
 * arrays per row group with Parquet's values readers ({@link LongColumnValues}); the header columns with column
 * readers, and not at all in a row group whose statistics show no header ({@link #noHeaders}).
 *
 * <p>The columns are those archive-streams/README.md ("What lands in S3") documents, found by name. The header key
 * and value columns are the leaves named {@code key} and {@code value} under {@code headers}, so both list layouts
 * parquet-avro writes (two-level {@code headers/array/...}, three-level {@code headers/list/element/...}) read the
 * same: each row has one or more entries in both (repetition level 0 first, more while it is above 0), and an entry
 * whose key is not at its maximum definition level is an empty list, not a header (the key is a required string).
 * A header key is decoded from UTF-8 to a {@code String}, as a Kafka client decodes it.
 */
final class RawArchiveColumns {

    private static final List<String> COLUMNS = List.of("offset", "timestamp", "key", "value", "headers");

    private RawArchiveColumns() {
    }

    /**
     * Reads every row of {@code file}.
     *
     * @param partition the partition its records come from (from the object's key)
     * @throws IOException              when the file cannot be parsed as Parquet
     * @throws IllegalArgumentException when it has no {@code offset} or no {@code timestamp} column, or header
     *                                  columns other than a key and a value
     */
    static void read(InputFile file, int partition, RawRecords records) throws IOException {
        // into a copy first: a page BinaryColumnPages does not decode shows up part way, and the file is then read
        // again from the start with Parquet's column readers
        RawRecords read = records.emptyCopy();
        try {
            read(file, partition, read, true);
        } catch (BinaryColumnPages.Unsupported unsupported) {
            read = records.emptyCopy();
            read(file, partition, read, false);
        }
        records.addAll(read);
    }

    /**
     * @param binaryPages read {@code key} and {@code value} with {@link BinaryColumnPages} (else Parquet's column readers)
     */
    private static void read(InputFile file, int partition, RawRecords records, boolean binaryPages) throws IOException {
        // Options over a plain configuration: ParquetFileReader.open(file) builds a Hadoop Configuration per file, which
        // parses Hadoop's default XML resources every time (11-14 % of the archive thread in the benchmark's profile).
        // Built per file: closing the reader releases the options' codec factory.
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(file, options)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            MessageType requested = projection(schema);
            reader.setRequestedSchema(requested);
            String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            GroupConverter ignored = ignoring(requested);
            List<BlockMetaData> blocks = reader.getRowGroups();
            PageReadStore rowGroup;
            for (int block = 0; (rowGroup = reader.readNextRowGroup()) != null; block++) {
                ColumnReadStoreImpl columns = new ColumnReadStoreImpl(rowGroup, ignored, requested, createdBy);
                new RowGroup(requested, columns, rowGroup, binaryPages, noHeaders(blocks.get(block)), partition, records)
                        .read(rowGroup.getRowCount());
            }
        }
    }

    /**
     * Whether the row group's statistics show that none of its rows has a header: every entry of the header key column
     * is null (an empty or absent list; a header's key is required), as counted in the column chunk's {@code null_count}
     * (parquet-format's {@code Statistics}), with one entry per row. Then the header columns need not be decoded, the
     * most common case and a fifth of the archive read's time otherwise. False when a statistic is missing.
     */
    static boolean noHeaders(BlockMetaData block) {
        for (ColumnChunkMetaData chunk : block.getColumns()) {
            String[] path = chunk.getPath().toArray();
            if (path.length > 1 && path[0].equals("headers") && path[path.length - 1].equals("key")) {
                Statistics<?> statistics = chunk.getStatistics();
                return statistics != null && statistics.isNumNullsSet() && statistics.getNumNulls() == chunk.getValueCount()
                        && chunk.getValueCount() == block.getRowCount();
            }
        }
        return false;
    }

    /** The file's schema cut down to the hashed columns. */
    private static MessageType projection(MessageType schema) {
        List<Type> fields = new ArrayList<>();
        for (String column : COLUMNS) {
            if (schema.containsField(column)) {
                fields.add(schema.getType(column));
            } else if (column.equals("offset") || column.equals("timestamp")) {
                throw new IllegalArgumentException("no column '" + column + "'");
            }
        }
        return new MessageType(schema.getName(), fields);
    }

    /** The column readers of one row group, read in step. */
    private static final class RowGroup {
        private final int partition;
        private final RawRecords records;
        private final long[] offsets;
        private final long[] timestamps;
        private final ColumnReader key;
        private final ColumnReader value;
        private final BinaryColumnPages keyPages;
        private final BinaryColumnPages valuePages;
        private final ColumnReader headerKey;
        private final ColumnReader headerValue;
        private final List<Header> headers = new ArrayList<>();

        /**
         * @param pages       the row group's pages: {@code offset} and {@code timestamp} are read from them with
         *                    {@link LongColumnValues}
         * @param binaryPages read {@code key} and {@code value} with {@link BinaryColumnPages} (else with column readers)
         * @param noHeaders   the row group's statistics show no header in any row: the header columns are not read
         */
        RowGroup(MessageType requested, ColumnReadStoreImpl columns, PageReadStore pages, boolean binaryPages, boolean noHeaders, int partition,
                 RawRecords records) throws IOException {
            this.partition = partition;
            this.records = records;
            long[] offsetValues = null;
            long[] timestampValues = null;
            ColumnReader keyColumn = null;
            ColumnReader valueColumn = null;
            ColumnReader headerKeyColumn = null;
            ColumnReader headerValueColumn = null;
            BinaryColumnPages keyColumnPages = null;
            BinaryColumnPages valueColumnPages = null;
            for (ColumnDescriptor column : requested.getColumns()) {
                String[] path = column.getPath();
                if (path.length == 1 && (path[0].equals("offset") || path[0].equals("timestamp"))) {
                    long[] values = LongColumnValues.read(column, pages.getPageReader(column), pages.getRowCount());
                    if (path[0].equals("offset")) {
                        offsetValues = values;
                    } else {
                        timestampValues = values;
                    }
                    continue;
                }
                if (binaryPages && path.length == 1 && (path[0].equals("key") || path[0].equals("value"))) {
                    BinaryColumnPages binary = new BinaryColumnPages(column, pages.getPageReader(column));
                    if (path[0].equals("key")) {
                        keyColumnPages = binary;
                    } else {
                        valueColumnPages = binary;
                    }
                    continue;
                }
                if (noHeaders && path.length > 1) {
                    continue;
                }
                ColumnReader reader = columns.getColumnReader(column);
                if (path.length == 1) {
                    if (path[0].equals("key")) {
                        keyColumn = reader;
                    } else {
                        valueColumn = reader;
                    }
                } else if (path[path.length - 1].equals("key")) {
                    headerKeyColumn = reader;
                } else if (path[path.length - 1].equals("value")) {
                    headerValueColumn = reader;
                } else {
                    throw new IllegalArgumentException("unexpected header column " + String.join(".", path));
                }
            }
            if ((headerKeyColumn == null) != (headerValueColumn == null)) {
                throw new IllegalArgumentException("headers need a key and a value column");
            }
            this.offsets = offsetValues;
            this.timestamps = timestampValues;
            this.key = keyColumn;
            this.value = valueColumn;
            this.headerKey = headerKeyColumn;
            this.headerValue = headerValueColumn;
            this.keyPages = keyColumnPages;
            this.valuePages = valueColumnPages;
        }

        void read(long rows) throws IOException {
            for (int row = 0; row < rows; row++) {
                long rowOffset = offsets[row];
                long rowTimestamp = timestamps[row];
                if (keyPages != null || valuePages != null) {
                    readFromPages(rowOffset, rowTimestamp);
                    continue;
                }
                ByteBuffer rowKey = bytes(key);
                ByteBuffer rowValue = bytes(value);
                headers.clear();
                if (headerKey != null) {
                    readHeaders();
                }
                records.addBuffers(partition, rowOffset, rowTimestamp, rowKey, rowValue, headers);
            }
        }

        /** The rest of a row with key and value from {@link BinaryColumnPages} (either may be absent: null). */
        private void readFromPages(long rowOffset, long rowTimestamp) throws IOException {
            if (keyPages != null) {
                keyPages.next();
            }
            if (valuePages != null) {
                valuePages.next();
            }
            headers.clear();
            if (headerKey != null) {
                readHeaders();
            }
            records.addRanges(partition, rowOffset, rowTimestamp, keyPages == null ? null : keyPages.array(), keyPages == null ? 0 : keyPages.start(),
                    keyPages == null ? -1 : keyPages.length(), valuePages == null ? null : valuePages.array(),
                    valuePages == null ? 0 : valuePages.start(), valuePages == null ? -1 : valuePages.length(), headers);
        }

        /** The current value of an optional binary column (null when absent or the column is), consumed. */
        private static ByteBuffer bytes(ColumnReader column) {
            if (column == null) {
                return null;
            }
            ByteBuffer bytes = column.getCurrentDefinitionLevel() == column.getDescriptor().getMaxDefinitionLevel()
                    ? column.getBinary().toByteBuffer() : null;
            column.consume();
            return bytes;
        }

        private void readHeaders() {
            int keyDefined = headerKey.getDescriptor().getMaxDefinitionLevel();
            int valueDefined = headerValue.getDescriptor().getMaxDefinitionLevel();
            do {
                if (headerKey.getCurrentDefinitionLevel() == keyDefined) {
                    String name = headerKey.getBinary().toStringUsingUTF8();
                    byte[] bytes = headerValue.getCurrentDefinitionLevel() == valueDefined ? headerValue.getBinary().getBytes() : null;
                    headers.add(new RecordHeader(name, bytes));
                }
                headerKey.consume();
                headerValue.consume();
            } while (headerKey.getCurrentRepetitionLevel() > 0);
        }
    }

    /** Converters the column readers require, never called: values are taken from the readers directly. */
    private static GroupConverter ignoring(GroupType group) {
        Converter[] children = new Converter[group.getFieldCount()];
        for (int index = 0; index < children.length; index++) {
            Type field = group.getType(index);
            children[index] = field.isPrimitive() ? new PrimitiveConverter() {
            } : ignoring(field.asGroupType());
        }
        return new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
                return children[fieldIndex];
            }

            @Override
            public void start() {
            }

            @Override
            public void end() {
            }
        };
    }
}
