package dev.onepipe.reconciliation;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.onepipe.core.cli.ProgressLine;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.InputFile;
import software.amazon.awssdk.core.ResponseInputStream;
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

    /** The raw archive's record schema (archive-streams/README.md, "What lands in S3") projected to offsets and value. */
    private static final Schema OFFSET_AND_VALUE = SchemaBuilder.record("KafkaRecord").namespace("onepipe.archive").fields()
            .requiredLong("offset")
            .requiredLong("previous_offset")
            .optionalBytes("value")
            .endRecord();

    /** Objects fetched and decoded at once by {@link #read}: one downloading while another is decoded. */
    private static final int READ_THREADS = 2;

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
        ExecutorService readers = Executors.newFixedThreadPool(READ_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "onepipe-raw-archive-read");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<ObjectRead>> reads = new ArrayList<>();
            for (ArchiveObject object : objects) {
                reads.add(readers.submit(() -> {
                    RawRecords objectRecords = records.emptyCopy();
                    return new ObjectRead(fetch(object, objectRecords), objectRecords);
                }));
            }
            // taken in listing order (partition, start offset), so each bucket's offsets stay in order
            for (int index = 0; index < objects.size(); index++) {
                ObjectRead read = await(reads.get(index));
                records.addAll(read.records());
                int partition = objects.get(index).partition();
                read.completeBelow().ifPresent(below -> completeBelow.merge(partition, below, Math::max));
                if (line != null) {
                    line.update(index + 1);
                }
            }
        } finally {
            readers.shutdownNow();
        }
        if (line != null) {
            line.finish(objects.size());
        }
        lastReadObjects = objects.size();
        return completeBelow;
    }

    private record ObjectRead(OptionalLong completeBelow, RawRecords records) {
    }

    private static ObjectRead await(Future<ObjectRead> read) {
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the raw archive", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Downloads one object (one GET) and reads its rows into {@code records}.
     *
     * @return its completeness watermark ({@value #COMPLETE_BELOW_METADATA}), empty when it has none
     * @throws UncheckedIOException when it is not a readable raw archive Parquet file (key named)
     * @throws software.amazon.awssdk.services.s3.model.NoSuchKeyException when it was deleted since it was listed
     */
    public OptionalLong fetch(ArchiveObject object, RawRecords records) {
        return fetch(object, file -> readObject(object, file, records));
    }

    /**
     * Downloads one object (one GET) and hands {@code values} the offset, previous offset and value bytes (null for a
     * tombstone) of each of its records, in the object's order (offsets ascending, as the archive writes them): the
     * records themselves, not their hashes, for a reader that must decode them. Read with parquet-avro, projected to
     * the three columns.
     *
     * @return its completeness watermark ({@value #COMPLETE_BELOW_METADATA}), empty when it has none
     * @throws UncheckedIOException when it is not a readable raw archive Parquet file (key named)
     * @throws software.amazon.awssdk.services.s3.model.NoSuchKeyException when it was deleted since it was listed
     */
    public OptionalLong fetchValues(ArchiveObject object, OffsetValueConsumer values) {
        return fetch(object, file -> {
            Configuration configuration = new Configuration(false);
            AvroReadSupport.setRequestedProjection(configuration, OFFSET_AND_VALUE);
            AvroReadSupport.setAvroReadSchema(configuration, OFFSET_AND_VALUE);
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(file).withDataModel(GenericData.get())
                    .withConf(configuration).build()) {
                for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                    ByteBuffer value = (ByteBuffer) row.get("value");
                    values.accept((Long) row.get("offset"), (Long) row.get("previous_offset"), value == null ? null : bytesOf(value));
                }
            } catch (IOException | RuntimeException e) {
                throw new IOException("Object " + object.key() + " is not a raw archive Parquet file: " + e.getMessage(), e);
            }
        });
    }

    /**
     * Receives one archived record: its offset, the offset of the record before it on the partition (-1 for the first
     * the archive saw: archive-streams/README.md, "Verify") and its value bytes (null for a tombstone).
     */
    @FunctionalInterface
    public interface OffsetValueConsumer {
        void accept(long offset, long previousOffset, byte[] value);
    }

    private interface ObjectBody {
        void read(InputFile file) throws IOException;
    }

    private OptionalLong fetch(ArchiveObject object, ObjectBody body) {
        String below;
        try {
            byte[] bytes;
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request -> request.bucket(bucket).key(object.key()))) {
                below = in.response().metadata().get(COMPLETE_BELOW_METADATA);
                bytes = readAll(in, in.response().contentLength());
            }
            body.read(new InMemoryInputFile(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the raw archive object s3://" + bucket + "/" + object.key() + ": " + e.getMessage(), e);
        }
        return below == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(below));
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /**
     * The body into one array of its announced length (no growing buffer copied as it doubles); any length if none.
     *
     * @throws EOFException when the body ends before its announced length
     */
    private static byte[] readAll(InputStream in, Long length) throws IOException {
        if (length == null || length < 0 || length > Integer.MAX_VALUE - 8) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[length.intValue()];
        int read = in.readNBytes(bytes, 0, bytes.length);
        if (read < bytes.length) {
            throw new EOFException("The object ended after " + read + " of " + length + " bytes");
        }
        return bytes;
    }

    /** How many objects the last {@link #read} read. */
    public long lastReadObjects() {
        return lastReadObjects;
    }

    /**
     * Reads one fetched object's rows: the hashed columns only, found by name, with Parquet's column readers
     * ({@link RawArchiveColumns}); any parquet-avro writer's file of the documented schema.
     */
    static void readObject(ArchiveObject object, InputFile file, RawRecords records) throws IOException {
        try {
            RawArchiveColumns.read(file, object.partition(), records);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Object " + object.key() + " is not a raw archive Parquet file: " + e.getMessage(), e);
        }
    }
}
