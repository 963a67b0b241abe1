package dev.onepipe.archive.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Chunks as Parquet files, one row per record, written with parquet-avro so any Parquet reader opens them:
 * {@code offset}, {@code previous_offset}, {@code timestamp} (timestamp-millis), {@code timestamp_type},
 * {@code key} and {@code value} (optional binary), {@code headers} (a list of {key string, value binary}).
 *
 * <p>The bytes of a file depend only on its rows: nothing time-dependent is written ({@code created_by} is
 * the library's constant version string, the key-value metadata names only the topic and partition), so
 * writing the same chunk twice, e.g. again after a crash, puts the same bytes under the same key.
 */
public final class ParquetChunkFormat {

    public static final String TOPIC_METADATA = "onepipe.archive.topic";
    public static final String PARTITION_METADATA = "onepipe.archive.partition";
    /** Rows are buffered in memory a row group at a time; this bounds a chunk write's memory. */
    public static final int ROW_GROUP_BYTES = 8 * 1024 * 1024;
    private static final int PAGE_BYTES = 1024 * 1024;

    public static final Schema HEADER_SCHEMA = SchemaBuilder.record("KafkaHeader").namespace("onepipe.archive").fields()
            .requiredString("key")
            .optionalBytes("value")
            .endRecord();

    public static final Schema RECORD_SCHEMA = SchemaBuilder.record("KafkaRecord").namespace("onepipe.archive").fields()
            .requiredLong("offset")
            .requiredLong("previous_offset")
            .name("timestamp").type(org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .requiredString("timestamp_type")
            .optionalBytes("key")
            .optionalBytes("value")
            .name("headers").type().array().items(HEADER_SCHEMA).noDefault()
            .endRecord();

    /** Only what verification needs: reading it skips the key, value and header columns entirely. */
    public static final Schema OFFSETS_SCHEMA = SchemaBuilder.record("KafkaRecord").namespace("onepipe.archive").fields()
            .requiredLong("offset")
            .requiredLong("previous_offset")
            .endRecord();

    private ParquetChunkFormat() {
    }

    /**
     * Writes {@code records} (in offset order) as one Parquet file to {@code file}. On failure the writer is
     * left unclosed on purpose: closing writes the footer and publishes the file, which must not happen to a
     * file with rows missing.
     */
    public static void write(OutputFile file, String topic, int partition, String timestampType, Iterator<ArchivedRecord> records)
            throws IOException {
        ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(file)
                .withSchema(RECORD_SCHEMA)
                .withDataModel(GenericData.get())
                .withConf(new Configuration(false))
                .config(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, "false")
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withRowGroupSize((long) ROW_GROUP_BYTES)
                .withPageSize(PAGE_BYTES)
                .withDictionaryEncoding("offset", false)
                .withDictionaryEncoding("previous_offset", false)
                .withDictionaryEncoding("key", false)
                .withDictionaryEncoding("value", false)
                .withExtraMetaData(Map.of(TOPIC_METADATA, topic, PARTITION_METADATA, String.valueOf(partition)))
                .build();
        while (records.hasNext()) {
            writer.write(toRow(records.next(), timestampType));
        }
        writer.close();
    }

    /**
     * Writes one record to a stream that keeps nothing, once per JVM, so the first chunk really written does not wait
     * for the Parquet, Avro, Hadoop and Snappy classes to load: measured on the 2-core build machine, a task's first
     * close uploaded its open chunks 13 s after the rebalance began, the next task's 0.7 s (see the README), and a
     * closing task stops its partitions for that long. Failures are ignored: the real write reports them.
     */
    public static void warmUpOnce() {
        if (!WARMED_UP.compareAndSet(false, true)) {
            return;
        }
        ArchivedRecord record = new ArchivedRecord(0, -1, 0, new byte[1], new byte[1], List.of());
        try {
            write(new DiscardingOutputFile(), "warm-up", 0, "CreateTime", List.of(record).iterator());
        } catch (IOException | RuntimeException e) {
            // nothing to warm then; the first real write loads what it needs
        }
    }

    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

    /** An output file whose bytes go nowhere. */
    private static final class DiscardingOutputFile implements OutputFile {

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                private long position;

                @Override
                public long getPos() {
                    return position;
                }

                @Override
                public void write(int b) {
                    position++;
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    position += length;
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return "warm-up";
        }
    }

    private static GenericRecord toRow(ArchivedRecord record, String timestampType) {
        List<GenericRecord> headers = new ArrayList<>(record.headers().size());
        for (ArchivedRecord.Header header : record.headers()) {
            GenericRecord row = new GenericData.Record(HEADER_SCHEMA);
            row.put("key", header.key());
            row.put("value", header.value() == null ? null : ByteBuffer.wrap(header.value()));
            headers.add(row);
        }
        GenericRecord row = new GenericData.Record(RECORD_SCHEMA);
        row.put("offset", record.offset());
        row.put("previous_offset", record.previousOffset());
        row.put("timestamp", record.timestamp());
        row.put("timestamp_type", timestampType);
        row.put("key", record.key() == null ? null : ByteBuffer.wrap(record.key()));
        row.put("value", record.value() == null ? null : ByteBuffer.wrap(record.value()));
        row.put("headers", headers);
        return row;
    }

    /** Reads every record of a chunk file, in the file's (offset) order. */
    public static RecordIterator read(InputFile file) throws IOException {
        return new RecordIterator(file, RECORD_SCHEMA);
    }

    /** Reads only the offsets of a chunk file's records; key, value and headers come back empty. */
    public static RecordIterator readOffsets(InputFile file) throws IOException {
        return new RecordIterator(file, OFFSETS_SCHEMA);
    }

    /** The records of one chunk file; close it when done. */
    public static final class RecordIterator implements Iterator<ArchivedRecord>, Closeable {

        private final ParquetReader<GenericRecord> reader;
        private final boolean offsetsOnly;
        private GenericRecord next;

        private RecordIterator(InputFile file, Schema projection) throws IOException {
            Configuration configuration = new Configuration(false);
            if (projection == OFFSETS_SCHEMA) {
                // The whole row is read with the file's own schema; a projection is only worth it to skip columns.
                AvroReadSupport.setRequestedProjection(configuration, projection);
                AvroReadSupport.setAvroReadSchema(configuration, projection);
            }
            this.reader = AvroParquetReader.<GenericRecord>builder(file).withDataModel(GenericData.get()).withConf(configuration).build();
            this.offsetsOnly = projection == OFFSETS_SCHEMA;
            this.next = reader.read();
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public ArchivedRecord next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            ArchivedRecord record = offsetsOnly ? offsetsOf(next) : toRecord(next);
            try {
                next = reader.read();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return record;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    private static ArchivedRecord offsetsOf(GenericRecord row) {
        return new ArchivedRecord((Long) row.get("offset"), (Long) row.get("previous_offset"), 0L, null, null, List.of());
    }

    private static ArchivedRecord toRecord(GenericRecord row) {
        List<ArchivedRecord.Header> headers = new ArrayList<>();
        for (Object header : (List<?>) row.get("headers")) {
            GenericRecord headerRow = (GenericRecord) header;
            headers.add(new ArchivedRecord.Header(headerRow.get("key").toString(), bytes(headerRow.get("value"))));
        }
        return new ArchivedRecord((Long) row.get("offset"), (Long) row.get("previous_offset"), ((Number) row.get("timestamp")).longValue(),
                bytes(row.get("key")), bytes(row.get("value")), headers);
    }

    private static byte[] bytes(Object value) {
        if (value == null) {
            return null;
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
