package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw bucket fingerprint: order-independent, duplicate-sensitive, the same from the topic and from an archive object. */
class FingerprintTest {

    private static final Instant HOUR = Instant.parse("2026-11-22T07:00:00Z");

    /** A Kafka record as the test generates it (its own tally, not the code under test). */
    record Generated(int partition, long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
    }

    @TempDir
    Path temporary;

    @Test
    void doesNotDependOnTheOrderRecordsAreRead() {
        List<Generated> records = generate(500, 1);
        List<Generated> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(7));
        assertEquals(fingerprints(records), fingerprints(shuffled));
    }

    @Test
    void aDuplicateChangesItAndTwoDuplicatesDoNotCancel() {
        List<Generated> records = generate(200, 2);
        Map<RawBucket, Fingerprint> original = fingerprints(records);
        List<Generated> once = new ArrayList<>(records);
        once.add(records.get(10));
        List<Generated> twice = new ArrayList<>(once);
        twice.add(records.get(10));
        RawBucket bucket = RawBucket.of(records.get(10).partition(), records.get(10).timestamp());
        assertNotEquals(original.get(bucket), fingerprints(once).get(bucket));
        assertNotEquals(original.get(bucket).hashSum(), fingerprints(twice).get(bucket).hashSum(), "an XOR would cancel a record seen twice");
        assertEquals(original.get(bucket).count() + 2, fingerprints(twice).get(bucket).count());
    }

    @Test
    void bucketsArePartitionAndRecordTimeHourWithFirstAndLastOffset() {
        RawRecords read = new RawRecords();
        read.add(0, 10, HOUR.toEpochMilli(), null, null, List.of());
        read.add(0, 11, HOUR.plusSeconds(3599).toEpochMilli(), null, null, List.of());
        read.add(0, 12, HOUR.plusSeconds(3600).toEpochMilli(), null, null, List.of());
        read.add(1, 3, HOUR.toEpochMilli(), null, null, List.of());
        Map<RawBucket, OffsetHashes> buckets = read.buckets();
        assertEquals(List.of(new RawBucket(0, HOUR.getEpochSecond() / 3600), new RawBucket(0, HOUR.getEpochSecond() / 3600 + 1),
                new RawBucket(1, HOUR.getEpochSecond() / 3600)), List.copyOf(buckets.keySet()));
        Fingerprint first = buckets.get(new RawBucket(0, HOUR.getEpochSecond() / 3600)).all();
        assertEquals(2, first.count());
        assertEquals(10, first.firstOffset());
        assertEquals(11, first.lastOffset());
    }

    @Test
    void timeBoundsTakeOnlyRecordsInside() {
        RawRecords read = new RawRecords(Optional.of(HOUR.plusSeconds(60)), Optional.of(HOUR.plusSeconds(120)));
        read.add(0, 1, HOUR.plusSeconds(59).toEpochMilli(), null, null, List.of());
        read.add(0, 2, HOUR.plusSeconds(60).toEpochMilli(), null, null, List.of());
        read.add(0, 3, HOUR.plusSeconds(120).toEpochMilli(), null, null, List.of());
        assertEquals(1, read.records());
    }

    /**
     * The same records written as a raw archive object (a Parquet file written here with plain parquet-avro, to the
     * schema archive-streams/README.md documents) and read back by {@link RawArchiveReader} give the fingerprint the
     * records give when taken as a topic read hands them over (Kafka {@link RecordHeaders}).
     */
    @Test
    void theSameRecordsFromTheTopicAndFromAnArchiveObjectGiveTheSameFingerprint() throws IOException {
        List<Generated> records = generate(300, 3).stream().filter(record -> record.partition() == 0).toList();
        RawRecords fromTopic = new RawRecords();
        for (Generated record : records) {
            RecordHeaders headers = new RecordHeaders();
            record.headers().forEach(headers::add);
            fromTopic.add(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), headers);
        }
        Path file = temporary.resolve("chunk.parquet");
        writeArchiveObject(file, records);
        RawRecords fromArchive = new RawRecords();
        RawArchiveReader.readObject(new RawArchiveReader.ArchiveObject("raw/t/partition=0/x", 0, 0, records.get(0).offset(), 0),
                new InMemoryInputFile(java.nio.file.Files.readAllBytes(file)), fromArchive);
        assertEquals(records.size(), fromArchive.records());
        assertEquals(print(fromTopic), print(fromArchive));
    }

    /**
     * The same with the object written in the three-level list layout archive-streams writes its headers in
     * ({@code parquet.avro.write-old-list-structure=false}: {@code headers/list/element/{key, value}}).
     */
    @Test
    void anArchiveObjectWithThreeLevelHeaderListsGivesTheTopicsFingerprint() throws IOException {
        List<Generated> records = generate(300, 5).stream().filter(record -> record.partition() == 1).toList();
        RawRecords fromTopic = new RawRecords();
        for (Generated record : records) {
            RecordHeaders headers = new RecordHeaders();
            record.headers().forEach(headers::add);
            fromTopic.add(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), headers);
        }
        Path file = temporary.resolve("chunk-three-level.parquet");
        writeArchiveObject(file, records, false);
        RawRecords fromArchive = new RawRecords();
        RawArchiveReader.readObject(new RawArchiveReader.ArchiveObject("raw/t/partition=1/x", 1, 0, records.get(0).offset(), 0),
                new InMemoryInputFile(java.nio.file.Files.readAllBytes(file)), fromArchive);
        assertEquals(records.size(), fromArchive.records());
        assertEquals(print(fromTopic), print(fromArchive));
    }

    static void writeArchiveObject(Path file, List<Generated> records) throws IOException {
        writeArchiveObject(file, records, true);
    }

    static void writeArchiveObject(Path file, List<Generated> records, boolean oldListStructure) throws IOException {
        writeArchiveObject(file, records, oldListStructure, builder -> builder);
    }

    /** The same with the writer's settings changed by {@code settings} (page sizes, dictionary, format version). */
    static void writeArchiveObject(Path file, List<Generated> records, boolean oldListStructure,
                                   java.util.function.UnaryOperator<AvroParquetWriter.Builder<GenericRecord>> settings) throws IOException {
        Schema header = SchemaBuilder.record("KafkaHeader").namespace("test").fields()
                .name("key").type().stringType().noDefault()
                .name("value").type().optional().bytesType().endRecord();
        Schema row = SchemaBuilder.record("KafkaRecord").namespace("test").fields()
                .name("offset").type().longType().noDefault()
                .name("previous_offset").type().longType().noDefault()
                .name("timestamp").type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
                .name("timestamp_type").type().stringType().noDefault()
                .name("key").type().optional().bytesType()
                .name("value").type().optional().bytesType()
                .name("headers").type().array().items(header).noDefault()
                .endRecord();
        try (ParquetWriter<GenericRecord> writer = settings.apply(AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(row).withCompressionCodec(CompressionCodecName.SNAPPY)
                .config(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, String.valueOf(oldListStructure))).build()) {
            long previous = -1;
            for (Generated record : records) {
                GenericRecord value = new GenericData.Record(row);
                value.put("offset", record.offset());
                value.put("previous_offset", previous);
                value.put("timestamp", record.timestamp());
                value.put("timestamp_type", "CreateTime");
                value.put("key", record.key() == null ? null : ByteBuffer.wrap(record.key()));
                value.put("value", record.value() == null ? null : ByteBuffer.wrap(record.value()));
                List<GenericRecord> headers = new ArrayList<>();
                for (Header each : record.headers()) {
                    GenericRecord headerValue = new GenericData.Record(header);
                    headerValue.put("key", each.key());
                    headerValue.put("value", each.value() == null ? null : ByteBuffer.wrap(each.value()));
                    headers.add(headerValue);
                }
                value.put("headers", headers);
                writer.write(value);
                previous = record.offset();
            }
        }
    }

    /** Records over two partitions and three hours, some with null keys or values, empty values and headers. */
    static List<Generated> generate(int count, long seed) {
        Random random = new Random(seed);
        List<Generated> records = new ArrayList<>();
        long[] offsets = new long[2];
        for (int index = 0; index < count; index++) {
            int partition = random.nextInt(2);
            long timestamp = HOUR.toEpochMilli() + random.nextInt(3 * 3_600_000);
            byte[] key = random.nextInt(10) == 0 ? null : ("key-" + random.nextInt(50)).getBytes(StandardCharsets.UTF_8);
            byte[] value = random.nextInt(10) == 0 ? null : random.nextInt(10) == 0 ? new byte[0] : ("value-" + index).getBytes(StandardCharsets.UTF_8);
            List<Header> headers = new ArrayList<>();
            for (int header = random.nextInt(3); header > 0; header--) {
                headers.add(new RecordHeader("h" + random.nextInt(2), random.nextBoolean() ? null : ("v" + header).getBytes(StandardCharsets.UTF_8)));
            }
            records.add(new Generated(partition, offsets[partition], timestamp, key, value, headers));
            offsets[partition] += 1 + random.nextInt(2);
        }
        return records;
    }

    static Map<RawBucket, Fingerprint> fingerprints(List<Generated> records) {
        RawRecords read = new RawRecords();
        records.forEach(record -> read.add(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), record.headers()));
        return print(read);
    }

    static Map<RawBucket, Fingerprint> print(RawRecords read) {
        Map<RawBucket, Fingerprint> prints = new java.util.TreeMap<>();
        read.buckets().forEach((bucket, hashes) -> prints.put(bucket, hashes.all()));
        return prints;
    }
}
