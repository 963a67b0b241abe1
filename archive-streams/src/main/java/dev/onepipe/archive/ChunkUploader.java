package dev.onepipe.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Puts chunks in S3, retrying until they are there. A failed attempt is thrown away whole (its multipart
 * upload aborted) and the chunk is written again from the buffer: the bytes are the same every time, so a
 * retry, like a re-upload after a crash, cannot change what ends up under the key.
 *
 * <p>Retries back off exponentially with jitter. Errors that retrying cannot fix (access denied, no such
 * bucket) fail at once; an outage longer than {@code giveUpAfter} fails too, so the open transaction is
 * aborted rather than left to time out: the stream thread is then replaced and starts again from the last
 * committed offsets.
 */
final class ChunkUploader {

    /** Parts of 8 MiB: above S3's 5 MiB minimum, and what one upload holds in memory. */
    static final int PART_BYTES = 8 * 1024 * 1024;
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final S3Client s3;
    private final String bucket;
    private final S3Availability availability;
    private final Duration giveUpAfter;

    /** Writes one chunk's whole file; called again, it must write the same bytes. */
    @FunctionalInterface
    interface ChunkWriter {
        void writeTo(OutputFile file) throws IOException;
    }

    ChunkUploader(S3Client s3, String bucket, S3Availability availability, Duration giveUpAfter) {
        this.s3 = s3;
        this.bucket = bucket;
        this.availability = availability;
        this.giveUpAfter = giveUpAfter;
    }

    /** Writes and uploads one object; returns once it is durable in S3. */
    void upload(String key, Map<String, String> metadata, ChunkWriter writer) {
        long started = System.nanoTime();
        long backoffMillis = FIRST_BACKOFF_MILLIS;
        while (true) {
            MultipartUploadStream stream = new MultipartUploadStream(s3, bucket, key, metadata, PART_BYTES);
            try {
                writer.writeTo(new StreamOutputFile(stream, key));
                availability.succeeded();
                return;
            } catch (IOException | RuntimeException e) {
                stream.abort();
                Exception s3Failure = s3FailureOf(e, stream);
                if (s3Failure instanceof S3Exception refused && !isRetriable(refused)) {
                    throw new IllegalStateException("S3 refused " + key + " in bucket " + bucket + ": " + refused.getMessage(), refused);
                }
                availability.failed(s3Failure);
            }
            if (System.nanoTime() - started > giveUpAfter.toNanos()) {
                throw new IllegalStateException("S3 has been unavailable for over " + giveUpAfter.toSeconds() + " s while uploading "
                        + key + "; aborting the transaction and starting again from the last committed offsets");
            }
            sleepWithJitter(backoffMillis);
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        }
    }

    /**
     * The S3 error behind a failed attempt. The Parquet writer may wrap what the stream threw, so the
     * stream's own record of its failure is asked first; an error that is not S3's is rethrown.
     */
    private static Exception s3FailureOf(Exception e, MultipartUploadStream stream) {
        if (stream.failure() instanceof SdkException sdkFailure) {
            return sdkFailure;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SdkException sdkFailure) {
                return sdkFailure;
            }
        }
        if (e instanceof UncheckedIOException unchecked) {
            throw unchecked;
        }
        if (e instanceof IOException io) {
            throw new UncheckedIOException("Cannot write a chunk file", io);
        }
        throw (RuntimeException) e;
    }

    private static boolean isRetriable(S3Exception e) {
        int status = e.statusCode();
        return status >= 500 || status == 408 || status == 429 || status == 0;
    }

    private static void sleepWithJitter(long backoffMillis) {
        long sleep = backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
        try {
            Thread.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to retry an S3 upload", e);
        }
    }

    /** The Parquet writer's view of one upload: a single stream that publishes the object when closed. */
    private static final class StreamOutputFile implements OutputFile {

        private final MultipartUploadStream stream;
        private final String key;

        private StreamOutputFile(MultipartUploadStream stream, String key) {
            this.stream = stream;
            this.key = key;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return stream;
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return stream;
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
            return key;
        }
    }
}
