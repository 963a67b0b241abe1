package dev.onepipe.archive.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetChunkFormatTest {

    @TempDir
    Path temporary;

    /** Enough rows for several pages and more than one row group of 8 MiB. */
    private static List<ArchivedRecord> records() {
        SplittableRandom random = new SplittableRandom(9);
        List<ArchivedRecord> records = new ArrayList<>();
        long previous = ArchivedRecord.NO_PREVIOUS_OFFSET;
        for (long offset = 0; offset < 12_000; offset += 1 + random.nextInt(3)) {
            byte[] value = new byte[random.nextInt(1500)];
            random.nextBytes(value);
            byte[] key = random.nextInt(5) == 0 ? null : ("key-" + random.nextInt(100)).getBytes(StandardCharsets.UTF_8);
            List<ArchivedRecord.Header> headers = random.nextInt(3) == 0 ? List.of()
                    : List.of(new ArchivedRecord.Header("trace", value.length > 10 ? new byte[] {1, 2} : null), new ArchivedRecord.Header("trace", new byte[0]));
            records.add(new ArchivedRecord(offset, previous, 1_700_000_000_000L + offset, key, random.nextInt(40) == 0 ? null : value, headers));
            previous = offset;
        }
        return records;
    }

    private Path write(String name, List<ArchivedRecord> records) throws IOException {
        Path file = temporary.resolve(name);
        ParquetChunkFormat.write(new LocalOutputFile(file), "widgets", 3, "CreateTime", records.iterator());
        return file;
    }

    @Test
    void writingTheSameRowsTwiceGivesTheSameBytes() throws Exception {
        Path first = write("first.parquet", records());
        Thread.sleep(1100);
        Path second = write("second.parquet", records());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void anyParquetAvroReaderReadsTheRowsBack() throws Exception {
        List<ArchivedRecord> records = records();
        Path file = write("chunk.parquet", records);
        List<ArchivedRecord> read = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
                .withDataModel(GenericData.get()).build()) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                List<ArchivedRecord.Header> headers = new ArrayList<>();
                for (Object header : (List<?>) row.get("headers")) {
                    GenericRecord headerRow = (GenericRecord) header;
                    headers.add(new ArchivedRecord.Header(headerRow.get("key").toString(), bytes(headerRow.get("value"))));
                }
                read.add(new ArchivedRecord((Long) row.get("offset"), (Long) row.get("previous_offset"), (Long) row.get("timestamp"),
                        bytes(row.get("key")), bytes(row.get("value")), headers));
            }
        }
        assertEquals(records, read);
    }

    @Test
    void readsItsOwnFilesBack() throws Exception {
        List<ArchivedRecord> records = records();
        Path file = write("chunk.parquet", records);
        List<ArchivedRecord> read = new ArrayList<>();
        try (ParquetChunkFormat.RecordIterator iterator = ParquetChunkFormat.read(new LocalInputFile(file))) {
            iterator.forEachRemaining(read::add);
        }
        assertEquals(records, read);
    }

    @Test
    void readsOffsetsAloneWithoutTheRest() throws Exception {
        List<ArchivedRecord> records = records();
        Path file = write("chunk.parquet", records);
        List<Long> offsets = new ArrayList<>();
        try (ParquetChunkFormat.RecordIterator iterator = ParquetChunkFormat.readOffsets(new LocalInputFile(file))) {
            iterator.forEachRemaining(record -> offsets.add(record.offset()));
        }
        assertEquals(records.stream().map(ArchivedRecord::offset).toList(), offsets);
    }

    private static byte[] bytes(Object value) {
        if (value == null) {
            return null;
        }
        java.nio.ByteBuffer buffer = ((java.nio.ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
