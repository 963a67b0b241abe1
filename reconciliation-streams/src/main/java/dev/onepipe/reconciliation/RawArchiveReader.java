package dev.onepipe.reconciliation;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.onepipe.core.cli.ProgressLine;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.InputFile;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads a topic's raw archive by the contract in archive-streams/README.md ("What lands in S3"), without that module's
 * classes: objects {@code <prefix>/<topic>/partition=<p>/dt=<yyyy-MM-dd>/hour=<HH>/<topic>+<p>+<start offset, 20 digits>.parquet},
 * each a parquet-avro file with one row per Kafka record (columns {@code offset}, {@code timestamp}, {@code key},
 * {@code value}, {@code headers} as a list of {key, value}), and the S3 user metadata {@code onepipe-complete-below}: the
 * offset below which every record of the partition was in S3 once that object was.
 */
public final class RawArchiveReader {

    /** The S3 user metadata key of an object's completeness watermark. */
    public static final String COMPLETE_BELOW_METADATA = "onepipe-complete-below";
    private static final Pattern OBJECT_KEY = Pattern.compile(
            "partition=(?<partition>\\d+)/dt=(?<date>\\d{4}-\\d{2}-\\d{2})/hour=(?<hour>\\d{2})/(?<file>[^/]+)\\+(?<filePartition>\\d+)\\+(?<offset>\\d{20})\\.parquet");

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private volatile long lastReadObjects;

    /**
     * @param prefix the archive's key prefix ({@code onepipe.archive.s3.prefix}, by default {@code raw})
     */
    public RawArchiveReader(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix.replaceAll("^/+|/+$", "");
    }

    /**
     * An archive object, as its key names it.
     *
     * @param key         the object key
     * @param partition   the partition its records come from
     * @param hour        their record-time hour in hours since the epoch
     * @param startOffset the offset of its first record
     * @param size        bytes
     */
    public record ArchiveObject(String key, int partition, long hour, long startOffset, long size) {
    }

    /** The prefix under which {@code topic}'s objects live, ending with a slash. */
    public String topicPrefix(String topic) {
        return (prefix.isEmpty() ? "" : prefix + "/") + topic + "/";
    }

    /** Every object of {@code topic}, by partition and start offset; keys that do not follow the layout are skipped. */
    public List<ArchiveObject> list(String topic) {
        return list(topic, "");
    }

    /** Every object of one partition of {@code topic}, by start offset (one listing of {@code <topic prefix>partition=<p>/}). */
    public List<ArchiveObject> list(String topic, int partition) {
        return list(topic, "partition=" + partition + "/");
    }

    private List<ArchiveObject> list(String topic, String under) {
        String topicPrefix = topicPrefix(topic);
        List<ArchiveObject> objects = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(topicPrefix + under)).contents()) {
            parse(topic, object.key().substring(topicPrefix.length()), object.key(), object.size()).ifPresent(objects::add);
        }
        objects.sort(Comparator.comparingInt(ArchiveObject::partition).thenComparingLong(ArchiveObject::startOffset));
        return objects;
    }

    static Optional<ArchiveObject> parse(String topic, String relativeKey, String key, long size) {
        Matcher matcher = OBJECT_KEY.matcher(relativeKey);
        if (!matcher.matches() || !matcher.group("file").equals(topic) || !matcher.group("partition").equals(matcher.group("filePartition"))) {
            return Optional.empty();
        }
        long hour = Instant.parse(matcher.group("date") + "T" + matcher.group("hour") + ":00:00Z").getEpochSecond() / 3600;
        return Optional.of(new ArchiveObject(key, Integer.parseInt(matcher.group("partition")), hour, Long.parseLong(matcher.group("offset")), size));
    }

    /**
     * Reads every object of {@code topic} into {@code records}.
     *
     * @param progress where to print a progress line, null for none
     * @return per partition, the highest {@code onepipe-complete-below} watermark of its objects (absent when none
     *         of its objects has one)
     * @throws UncheckedIOException when an object cannot be downloaded or is not a readable Parquet file (key named)
     */
    public Map<Integer, Long> read(String topic, RawRecords records, PrintStream progress) {
        List<ArchiveObject> objects = list(topic);
        Map<Integer, Long> completeBelow = new HashMap<>();
        ProgressLine line = progress == null ? null : new ProgressLine(progress, "reading raw archive s3://" + bucket + "/" + topicPrefix(topic)
                + ", objects", objects.size());
        int done = 0;
        for (ArchiveObject object : objects) {
            fetch(object, records).ifPresent(below -> completeBelow.merge(object.partition(), below, Math::max));
            if (line != null) {
                line.update(++done);
            }
        }
        if (line != null) {
            line.finish(objects.size());
        }
        lastReadObjects = objects.size();
        return completeBelow;
    }

    /**
     * Downloads one object (one GET) and reads its rows into {@code records}.
     *
     * @return its completeness watermark ({@value #COMPLETE_BELOW_METADATA}), empty when it has none
     * @throws UncheckedIOException when it is not a readable raw archive Parquet file (key named)
     * @throws software.amazon.awssdk.services.s3.model.NoSuchKeyException when it was deleted since it was listed
     */
    public OptionalLong fetch(ArchiveObject object, RawRecords records) {
        ResponseBytes<GetObjectResponse> response = s3.getObjectAsBytes(request -> request.bucket(bucket).key(object.key()));
        String below = response.response().metadata().get(COMPLETE_BELOW_METADATA);
        try {
            readObject(object, new InMemoryInputFile(response.asByteArrayUnsafe()), records);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the raw archive object s3://" + bucket + "/" + object.key(), e);
        }
        return below == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(below));
    }

    /** How many objects the last {@link #read} read. */
    public long lastReadObjects() {
        return lastReadObjects;
    }

    /** Reads one fetched object's rows (any parquet-avro reader can: the schema is in the file). */
    static void readObject(ArchiveObject object, InputFile file, RawRecords records) throws IOException {
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(file)
                .withDataModel(GenericData.get()).build()) {
            GenericRecord row;
            while ((row = reader.read()) != null) {
                records.addBuffers(object.partition(), (Long) row.get("offset"), timestamp(row.get("timestamp")), (ByteBuffer) row.get("key"),
                        (ByteBuffer) row.get("value"), headers(row.get("headers")));
            }
        } catch (RuntimeException e) {
            throw new IOException("Object " + object.key() + " is not a raw archive Parquet file: " + e.getMessage(), e);
        }
    }

    private static long timestamp(Object value) {
        return value instanceof Instant instant ? instant.toEpochMilli() : (Long) value;
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

    private static List<Header> headers(Object value) {
        if (value == null) {
            return List.of();
        }
        List<Header> headers = new ArrayList<>();
        for (Object element : (List<?>) value) {
            GenericRecord header = (GenericRecord) element;
            headers.add(new RecordHeader(header.get("key").toString(), bytes(header.get("value"))));
        }
        return headers;
    }
}
