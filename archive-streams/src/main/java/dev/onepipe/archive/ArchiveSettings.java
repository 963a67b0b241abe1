package dev.onepipe.archive;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.MissingConfigurationException;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.s3.S3Settings;

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

    public static final List<TopologySetting> SETTINGS = List.of(
            TopologySetting.of(CHUNK_MAX_RECORDS, 250_000, "A chunk closes when it holds this many records."),
            TopologySetting.of(CHUNK_MAX_BYTES, 64L * 1024 * 1024, "A chunk closes before its records would exceed this many bytes."),
            TopologySetting.of(CHUNK_MAX_SPAN_MS, 3_600_000, "A chunk closes once its partition's record time is this far past the record time it opened at."),
            TopologySetting.of(MAX_OPEN_CHUNKS, 4, "Open chunks (one per record-time hour) per partition; beyond, the least recently written closes."),
            TopologySetting.of(IDLE_FLUSH_MS, 60_000, "An open chunk not written to for this long (wall clock) is put in S3 as it is, and stays open."),
            TopologySetting.of(BUFFER_MAX_BYTES, 1024L * 1024 * 1024,
                    "Bytes of open chunks' records held on the heap across all partitions; each partition's share is this divided by the partition count."),
            TopologySetting.of(PREFIX, "raw", "S3 key prefix of the archive."),
            TopologySetting.of(FORMAT, PARQUET, "Chunk file format: parquet."),
            TopologySetting.of(TRANSACTION_TIMEOUT_MS, DEFAULT_TRANSACTION_TIMEOUT_MS,
                    "The stream thread may wait for an upload inside the processing transaction: it must outlive an upload's retries; also the longest an upload retries."),
            TopologySetting.of(MAX_POLL_INTERVAL_MS, 300_000, "Longer than the transaction timeout, so a thread waiting for S3 keeps its partitions."),
            TopologySetting.of(COMMIT_INTERVAL_MS, 1_000, "Commits once a second: each commit writes only the chunk states that changed since the last."));

    public ArchiveSettings {
        new ChunkLimits(chunkMaxRecords, chunkMaxBytes, chunkMaxSpanMillis, maxOpenChunks, bufferMaxBytes);
        if (idleFlushMillis <= 0) {
            throw new IllegalArgumentException(IDLE_FLUSH_MS + " must be positive, but is " + idleFlushMillis);
        }
    }

    /** Reads the settings; fails with a clear message when no bucket is configured or the format is unknown. */
    public static ArchiveSettings from(OnepipeConfig config) {
        S3Settings s3 = S3Settings.fromConfig(config.asMap()).orElseThrow(() -> new MissingConfigurationException(
                "The archive needs an S3 bucket: set " + S3Settings.BUCKET + " in a --config file, as "
                        + OnepipeConfig.environmentVariable(S3Settings.BUCKET) + " or with --s3-bucket"));
        String format = config.get(FORMAT, PARQUET).trim().toLowerCase(Locale.ROOT);
        if (!format.equals(PARQUET)) {
            throw new IllegalArgumentException(FORMAT + " '" + format + "' is not supported: the archive writes " + PARQUET);
        }
        return new ArchiveSettings(
                config.getLong(CHUNK_MAX_RECORDS, longDefault(CHUNK_MAX_RECORDS)),
                config.getLong(CHUNK_MAX_BYTES, longDefault(CHUNK_MAX_BYTES)),
                config.getLong(CHUNK_MAX_SPAN_MS, longDefault(CHUNK_MAX_SPAN_MS)),
                config.getInt(MAX_OPEN_CHUNKS, (int) longDefault(MAX_OPEN_CHUNKS)),
                config.getLong(IDLE_FLUSH_MS, longDefault(IDLE_FLUSH_MS)),
                config.getLong(BUFFER_MAX_BYTES, longDefault(BUFFER_MAX_BYTES)),
                config.get(PREFIX, "raw"),
                s3,
                Duration.ofMillis(config.getLong(TRANSACTION_TIMEOUT_MS,
                        config.getLong("transaction.timeout.ms", DEFAULT_TRANSACTION_TIMEOUT_MS))));
    }

    private static long longDefault(String key) {
        return SETTINGS.stream().filter(setting -> setting.key().equals(key)).findFirst().orElseThrow()
                .defaultValue().map(Long::parseLong).orElseThrow();
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
