package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * 4 partitions of 50,000 records over several hours of record time, with late records, transaction markers
 * and aborted records between them: the archive holds every committed record exactly once, and plain
 * parquet-avro reads back exactly what a plain consumer reads from the topic.
 */
class ArchiveRoundTripIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 50_000;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);

    @TempDir
    Path temporary;

    @Test
    void archivesEveryRecordExactlyOnceAndByteForByte() throws Exception {
        String topic = RUNTIME.uniqueName("widgets");
        RUNTIME.createTopic(topic, PARTITIONS);
        new GeneratedRecords(RECORDS_PER_PARTITION, GeneratedRecords.SOME_DAY, Duration.ofHours(5), 0.05, Duration.ofMinutes(100), 120, 7)
                .produce(RUNTIME.bootstrapServers(), topic, PARTITIONS);
        Map<Integer, List<ArchivedRecord>> produced = GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), topic, PARTITIONS);
        produced.values().forEach(records -> assertEquals(RECORDS_PER_PARTITION, records.size()));

        VerificationReport report;
        try (TopologyRunner archive = ArchiveRun.start(topic, ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(),
                temporary.resolve("state")))) {
            report = ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic,
                    (long) PARTITIONS * RECORDS_PER_PARTITION, Duration.ofMinutes(4));
        }
        StringWriter printed = new StringWriter();
        report.print(new PrintWriter(printed));
        assertTrue(report.complete(), printed.toString());
        assertEquals((long) PARTITIONS * RECORDS_PER_PARTITION, ArchiveRun.archivedRecords(report), printed.toString());

        assertEquals(produced, readEveryObjectWithPlainParquetAvro(topic));
    }

    /**
     * Reads every object of the topic with nothing but parquet-avro, checking the layout on the way: each
     * object holds one partition's records of one record-time hour, in offset order, named by its first offset.
     */
    private Map<Integer, List<ArchivedRecord>> readEveryObjectWithPlainParquetAvro(String topic) throws IOException {
        Map<Integer, List<ArchivedRecord>> archived = new HashMap<>();
        try (S3Client s3 = RUNTIME.newS3Client()) {
            for (S3Object object : s3.listObjectsV2Paginator(request -> request.bucket(RUNTIME.bucket()).prefix("raw/" + topic + "/")).contents()) {
                Path file = temporary.resolve("object.parquet");
                Files.deleteIfExists(file);
                s3.getObject(request -> request.bucket(RUNTIME.bucket()).key(object.key()), file);
                List<ArchivedRecord> records = new ArrayList<>();
                try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).withDataModel(org.apache.avro.generic.GenericData.get()).build()) {
                    for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                        records.add(toArchivedRecord(row));
                        assertEquals("CreateTime", row.get("timestamp_type").toString());
                    }
                }
                int partition = Integer.parseInt(object.key().replaceAll(".*/partition=(\\d+)/.*", "$1"));
                Instant hour = Instant.ofEpochMilli(records.get(0).timestamp());
                String expectedKey = "raw/" + topic + "/partition=" + partition + "/dt=" + DATE.format(hour) + "/hour=" + HOUR.format(hour)
                        + "/" + topic + "+" + partition + "+" + String.format("%020d", records.get(0).offset()) + ".parquet";
                assertEquals(expectedKey, object.key());
                for (int index = 1; index < records.size(); index++) {
                    assertTrue(records.get(index).offset() > records.get(index - 1).offset(), object.key() + " is not in offset order");
                    assertEquals(records.get(0).timestamp() / 3_600_000, records.get(index).timestamp() / 3_600_000, object.key() + " spans two hours");
                }
                archived.computeIfAbsent(partition, any -> new ArrayList<>()).addAll(records);
            }
        }
        archived.values().forEach(records -> records.sort(java.util.Comparator.comparingLong(ArchivedRecord::offset)));
        return archived;
    }

    private static ArchivedRecord toArchivedRecord(GenericRecord row) {
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
        java.nio.ByteBuffer buffer = ((java.nio.ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
