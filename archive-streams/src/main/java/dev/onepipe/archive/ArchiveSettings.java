package dev.onepipe.archive;

import java.time.Duration;
import java.util.List;

import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.MissingConfigurationException;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.s3.S3Settings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The archive's settings ({@code onepipe.archive.*}) and the S3 settings it writes with.
 *
 * @param chunkMaxRecords       a chunk closes at this many records
 * @param chunkMaxBytes         a chunk closes before it would exceed this many bytes
 * @param chunkMaxSpanMillis    a chunk closes once its partition's record time has moved this far past its opening
 * @param maxOpenChunks         open chunks (record-time hours) per partition
 * @param idleFlushMillis       an open chunk not written to for this long is put in S3 as it is
 * @param bufferMaxBytes        bytes of open chunks' records held on the heap across all partitions of the topic
 * @param prefix                the S3 key prefix
 * @param s3                    where the chunks go
 * @param transactionTimeout    the stream producer's transaction timeout, which bounds how long one upload may retry
 */
public record ArchiveSettings(long chunkMaxRecords, long chunkMaxBytes, long chunkMaxSpanMillis, int maxOpenChunks,
                              long idleFlushMillis, long bufferMaxBytes, String prefix, S3Settings s3,
                              Duration transactionTimeout) {

    public static final String CHUNK_MAX_RECORDS = "onepipe.archive.chunk.max.records";
    public static final String CHUNK_MAX_BYTES = "onepipe.archive.chunk.max.bytes";
    public static final String CHUNK_MAX_SPAN_MS = "onepipe.archive.chunk.max.span.ms";
    public static final String MAX_OPEN_CHUNKS = "onepipe.archive.max.open.chunks";
    public static final String IDLE_FLUSH_MS = "onepipe.archive.idle.flush.ms";
    public static final String BUFFER_MAX_BYTES = "onepipe.archive.buffer.max.bytes";
    public static final String PREFIX = "onepipe.archive.s3.prefix";
    public static final String FORMAT = "onepipe.archive.format";
    public static final String PARQUET = "parquet";

    /** The stream thread may wait for an upload inside a transaction: it must outlive an upload's retries through a short S3 outage. */
    public static final String TRANSACTION_TIMEOUT_MS = "producer.transaction.timeout.ms";
    public static final String MAX_POLL_INTERVAL_MS = "consumer.max.poll.interval.ms";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    private static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 120_000;

    /** Every archive setting: type, default, valid values and documentation, declared once. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(CHUNK_MAX_RECORDS, Type.LONG, 250_000L, Range.atLeast(1), Importance.MEDIUM, "A chunk closes when it holds this many records.")
            .define(CHUNK_MAX_BYTES, Type.LONG, 64L * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM, "A chunk closes before its records would exceed this many bytes.")
            .define(CHUNK_MAX_SPAN_MS, Type.LONG, 3_600_000L, Range.atLeast(1), Importance.MEDIUM,
                    "A chunk closes once its partition's record time is this far past the record time it opened at.")
            .define(MAX_OPEN_CHUNKS, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM,
                    "Open chunks (one per record-time hour) per partition; beyond, the least recently written closes.")
            .define(IDLE_FLUSH_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "An open chunk not written to for this long (wall clock) is put in S3 as it is, and stays open.")
            .define(BUFFER_MAX_BYTES, Type.LONG, 1024L * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM,
                    "Bytes of open chunks' records held on the heap across all partitions; each partition's share is this divided by the partition count.")
            .define(PREFIX, Type.STRING, "raw", Importance.MEDIUM, "S3 key prefix of the archive.")
            .define(FORMAT, Type.STRING, PARQUET, ConfigDef.CaseInsensitiveValidString.in(PARQUET), Importance.LOW, "Chunk file format: parquet.")
            .define(TRANSACTION_TIMEOUT_MS, Type.LONG, DEFAULT_TRANSACTION_TIMEOUT_MS, Range.atLeast(1), Importance.MEDIUM,
                    "The stream thread may wait for an upload inside the processing transaction: it must outlive an upload's retries; also the longest an upload retries.")
            .define(MAX_POLL_INTERVAL_MS, Type.INT, 300_000, Range.atLeast(1), Importance.LOW,
                    "Longer than the transaction timeout, so a thread waiting for S3 keeps its partitions.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW,
                    "Commits once a second: each commit writes only the chunk states that changed since the last.");

    public static final List<TopologySetting> SETTINGS = TopologySetting.all(DEFINITION);

    public ArchiveSettings {
        new ChunkLimits(chunkMaxRecords, chunkMaxBytes, chunkMaxSpanMillis, maxOpenChunks, bufferMaxBytes);
        if (idleFlushMillis <= 0) {
            throw new IllegalArgumentException(IDLE_FLUSH_MS + " must be positive, but is " + idleFlushMillis);
        }
    }

    /**
     * Reads the settings.
     *
     * @throws MissingConfigurationException when no bucket is configured
     * @throws org.apache.kafka.common.config.ConfigException when a setting is not of its type or out of its range
     *                                                       (e.g. an unknown format), naming the setting
     */
    public static ArchiveSettings from(OnepipeConfig config) {
        S3Settings s3 = S3Settings.fromConfig(config.asMap()).orElseThrow(() -> new MissingConfigurationException(
                "The archive needs an S3 bucket: set " + S3Settings.BUCKET + " in a --config file, as "
                        + OnepipeConfig.environmentVariable(S3Settings.BUCKET) + " or with --s3-bucket"));
        AbstractConfig values = TopologySetting.values(DEFINITION, config);
        return new ArchiveSettings(
                values.getLong(CHUNK_MAX_RECORDS),
                values.getLong(CHUNK_MAX_BYTES),
                values.getLong(CHUNK_MAX_SPAN_MS),
                values.getInt(MAX_OPEN_CHUNKS),
                values.getLong(IDLE_FLUSH_MS),
                values.getLong(BUFFER_MAX_BYTES),
                values.getString(PREFIX),
                s3,
                Duration.ofMillis(values.getLong(TRANSACTION_TIMEOUT_MS)));
    }

    public ArchiveLayout layout() {
        return new ArchiveLayout(prefix);
    }

    /** The chunk limits of one partition of a topic with {@code partitionCount} partitions. */
    public ChunkLimits limits(int partitionCount) {
        return new ChunkLimits(chunkMaxRecords, chunkMaxBytes, chunkMaxSpanMillis, maxOpenChunks,
                Math.max(1, bufferMaxBytes / Math.max(1, partitionCount)));
    }

    /** How long one upload retries before the transaction is given up: well inside the transaction timeout. */
    public Duration uploadRetryLimit() {
        return transactionTimeout.multipliedBy(3).dividedBy(4);
    }
}
