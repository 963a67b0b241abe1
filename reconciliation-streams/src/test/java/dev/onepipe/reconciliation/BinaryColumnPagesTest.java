package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import dev.onepipe.reconciliation.FingerprintTest.Generated;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BinaryColumnPages} against the values the test generated, in files written by plain parquet-avro with small
 * pages and row groups (many of each), dictionary pages that fill up and fall back to plain pages part way, and both
 * data page versions; an encoding it does not decode (v2's DELTA_BYTE_ARRAY) is refused and the archive reader still
 * gives the topic's fingerprint by reading the file with Parquet's column readers.
 */
class BinaryColumnPagesTest {

    @TempDir
    Path temporary;

    private static final UnaryOperator<AvroParquetWriter.Builder<GenericRecord>> SMALL_PAGES = builder -> builder
            .withPageSize(2048).withPageRowCountLimit(100).withRowGroupSize(16 * 1024L).withDictionaryPageSize(1024);

    @Test
    void plainAndDictionaryPagesOfVersionOneGiveTheWrittenValues() throws IOException {
        List<Generated> records = records();
        Path file = write("v1.parquet", records, builder -> SMALL_PAGES.apply(builder).withWriterVersion(WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(true));
        assertTrue(encodings(file, "value").stream().anyMatch(chunk -> chunk.contains(Encoding.PLAIN_DICTIONARY) && chunk.contains(Encoding.PLAIN)),
                "a column chunk whose dictionary pages fall back to plain ones: " + encodings(file, "value"));
        assertTrue(encodings(file, "key").stream().allMatch(chunk -> chunk.contains(Encoding.PLAIN_DICTIONARY)), "keys: " + encodings(file, "key"));
        assertValues(file, records);
        assertTheTopicsFingerprint(file, records);
    }

    @Test
    void plainPagesWithoutDictionaryGiveTheWrittenValues() throws IOException {
        List<Generated> records = records();
        Path file = write("plain.parquet", records, builder -> SMALL_PAGES.apply(builder).withWriterVersion(WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(false));
        assertValues(file, records);
        assertTheTopicsFingerprint(file, records);
    }

    @Test
    void dictionaryPagesOfVersionTwoGiveTheWrittenValues() throws IOException {
        List<Generated> records = records(0);
        // few distinct values and a dictionary large enough never to fall back: RLE_DICTIONARY data pages v2 only
        Path file = write("v2-dictionary.parquet", records, builder -> builder.withPageSize(2048).withPageRowCountLimit(100)
                .withRowGroupSize(16 * 1024L).withWriterVersion(WriterVersion.PARQUET_2_0).withDictionaryEncoding(true)
                .withDictionaryPageSize(1 << 20));
        assertTrue(encodings(file, "value").stream().allMatch(chunk -> chunk.contains(Encoding.RLE_DICTIONARY)),
                "v2 dictionary pages: " + encodings(file, "value"));
        assertValues(file, records);
        assertTheTopicsFingerprint(file, records);
    }

    @Test
    void anEncodingItDoesNotDecodeIsRefusedAndTheFileIsReadByColumnReaders() throws IOException {
        List<Generated> records = records();
        Path file = write("v2-delta.parquet", records, builder -> SMALL_PAGES.apply(builder).withWriterVersion(WriterVersion.PARQUET_2_0)
                .withDictionaryEncoding(false));
        assertTrue(encodings(file, "value").stream().allMatch(chunk -> chunk.contains(Encoding.DELTA_BYTE_ARRAY)),
                "v2 binary pages: " + encodings(file, "value"));
        // offsets and timestamps of v2 pages without a dictionary: LongColumnValues reads them with Parquet's delta decoder
        assertTrue(encodings(file, "offset").stream().allMatch(chunk -> chunk.contains(Encoding.DELTA_BINARY_PACKED)),
                "v2 offsets: " + encodings(file, "offset"));
        assertThrows(BinaryColumnPages.Unsupported.class, () -> assertValues(file, records));
        assertTheTopicsFingerprint(file, records);
    }

    /**
     * Row groups whose statistics show no header in any row are read without their header columns; a row group where
     * one row has a header, or a file written without statistics, is read with them; all give the topic's fingerprint.
     */
    @Test
    void rowGroupsWithoutHeadersSkipTheHeaderColumnsByTheirStatistics() throws IOException {
        List<Generated> records = new ArrayList<>();
        List<Generated> generated = records();
        for (int index = 0; index < generated.size(); index++) {
            Generated record = generated.get(index);
            // headers only on the last row of the second half: every row group but the last has none
            List<org.apache.kafka.common.header.Header> headers = index == generated.size() - 1 ? record.headers() : List.of();
            records.add(new Generated(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), headers));
        }
        assertTrue(!records.get(records.size() - 1).headers().isEmpty(), "the last row has a header");
        Path file = write("few-headers.parquet", records, SMALL_PAGES);
        List<Boolean> skipped = noHeaders(file);
        assertTrue(skipped.size() > 2, "several row groups: " + skipped);
        assertEquals(false, skipped.get(skipped.size() - 1), "the last row group has a header: " + skipped);
        assertTrue(skipped.subList(0, skipped.size() - 1).stream().allMatch(Boolean::booleanValue), "the others have none: " + skipped);
        assertTheTopicsFingerprint(file, records);

        Path unmeasured = write("no-statistics.parquet", records, builder -> SMALL_PAGES.apply(builder).withStatisticsEnabled(false));
        assertTrue(noHeaders(unmeasured).stream().noneMatch(Boolean::booleanValue), "without statistics: " + noHeaders(unmeasured));
        assertTheTopicsFingerprint(unmeasured, records);
    }

    private static List<Boolean> noHeaders(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new InMemoryInputFile(Files.readAllBytes(file)))) {
            return reader.getRowGroups().stream().map(RawArchiveColumns::noHeaders).toList();
        }
    }

    /**
     * One partition's records (offsets in order), some keys and values null or empty, headers on some; in every 300
     * values, 150 of 5 distinct ones (a dictionary pays) then 150 distinct (it grows until it falls back).
     */
    private static List<Generated> records() {
        return records(150);
    }

    /** The same with {@code distinct} of every 300 values distinct (0: values from 5 only). */
    private static List<Generated> records(int distinct) {
        List<Generated> generated = FingerprintTest.generate(6000, 11).stream().filter(record -> record.partition() == 0).toList();
        List<Generated> records = new ArrayList<>();
        for (int index = 0; index < generated.size(); index++) {
            Generated record = generated.get(index);
            byte[] value = record.value() == null || record.value().length == 0 ? record.value()
                    : (index % 300 >= distinct ? "repeated-" + index % 5 : "distinct-" + index).getBytes(StandardCharsets.UTF_8);
            records.add(new Generated(record.partition(), record.offset(), record.timestamp(), record.key(), value, record.headers()));
        }
        return records;
    }

    private Path write(String name, List<Generated> records, UnaryOperator<AvroParquetWriter.Builder<GenericRecord>> settings) throws IOException {
        Path file = temporary.resolve(name);
        FingerprintTest.writeArchiveObject(file, records, false, settings);
        return file;
    }

    /** The encodings of each column chunk of {@code column}. */
    private static List<java.util.Set<Encoding>> encodings(Path file, String column) throws IOException {
        List<java.util.Set<Encoding>> encodings = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new InMemoryInputFile(Files.readAllBytes(file)))) {
            assertTrue(reader.getRowGroups().size() > 1, "several row groups");
            reader.getRowGroups().forEach(group -> {
                for (ColumnChunkMetaData chunk : group.getColumns()) {
                    if (chunk.getPath().toDotString().equals(column)) {
                        encodings.add(chunk.getEncodings());
                    }
                }
            });
        }
        return encodings;
    }

    /** Every row's key and value as BinaryColumnPages reads them equals the generated one (null stays null, empty empty). */
    private static void assertValues(Path file, List<Generated> records) throws IOException {
        int row = 0;
        try (ParquetFileReader reader = ParquetFileReader.open(new InMemoryInputFile(Files.readAllBytes(file)))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            ColumnDescriptor key = schema.getColumnDescription(new String[] {"key"});
            ColumnDescriptor value = schema.getColumnDescription(new String[] {"value"});
            PageReadStore group;
            while ((group = reader.readNextRowGroup()) != null) {
                BinaryColumnPages keys = new BinaryColumnPages(key, group.getPageReader(key));
                BinaryColumnPages values = new BinaryColumnPages(value, group.getPageReader(value));
                for (long index = 0; index < group.getRowCount(); index++, row++) {
                    keys.next();
                    values.next();
                    assertArrayEquals(records.get(row).key(), bytes(keys), "key of row " + row);
                    assertArrayEquals(records.get(row).value(), bytes(values), "value of row " + row);
                }
            }
        }
        assertEquals(records.size(), row);
    }

    private static byte[] bytes(BinaryColumnPages column) {
        return column.length() < 0 ? null : Arrays.copyOfRange(column.array(), column.start(), column.start() + column.length());
    }

    private static void assertTheTopicsFingerprint(Path file, List<Generated> records) throws IOException {
        RawRecords fromTopic = new RawRecords();
        for (Generated record : records) {
            RecordHeaders headers = new RecordHeaders();
            record.headers().forEach(headers::add);
            fromTopic.add(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), headers);
        }
        RawRecords fromArchive = new RawRecords();
        RawArchiveReader.readObject(new RawArchiveReader.ArchiveObject("raw/t/partition=0/x", 0, 0, records.get(0).offset(), 0),
                new InMemoryInputFile(Files.readAllBytes(file)), fromArchive);
        assertEquals(records.size(), fromArchive.records());
        assertEquals(FingerprintTest.print(fromTopic), FingerprintTest.print(fromArchive));
    }
}
