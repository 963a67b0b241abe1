package dev.onepipe.archive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.parquet.io.PositionOutputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Streams one object to S3 while it is written: bytes collect in a part-sized buffer, every full buffer goes
 * up as a part of a multipart upload, and {@link #close()} completes it. An object that never fills a part
 * goes up as one plain PUT. So writing a chunk of any size holds one part in memory, never the chunk.
 *
 * <p>Nothing is visible under the key until {@link #close()} returns: a failed write leaves the previous
 * object (if any) in place; call {@link #abort()} to drop the parts already sent.
 */
final class MultipartUploadStream extends PositionOutputStream {

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final Map<String, String> metadata;
    private final byte[] part;
    private final List<CompletedPart> completedParts = new ArrayList<>();
    private int filled;
    private long position;
    private String uploadId;
    private boolean closed;
    private RuntimeException failure;

    MultipartUploadStream(S3Client s3, String bucket, String key, Map<String, String> metadata, int partBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.metadata = metadata;
        this.part = new byte[partBytes];
    }

    @Override
    public long getPos() {
        return position;
    }

    @Override
    public void write(int b) {
        if (filled == part.length) {
            uploadPart();
        }
        part[filled++] = (byte) b;
        position++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        while (length > 0) {
            if (filled == part.length) {
                uploadPart();
            }
            int copied = Math.min(length, part.length - filled);
            System.arraycopy(bytes, offset, part, filled, copied);
            filled += copied;
            offset += copied;
            length -= copied;
            position += copied;
        }
    }

    private void uploadPart() {
        requireNoFailure();
        try {
            sendPart();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    private void sendPart() {
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(request -> request.bucket(bucket).key(key).metadata(metadata)).uploadId();
        }
        int partNumber = completedParts.size() + 1;
        String eTag = s3.uploadPart(request -> request.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                RequestBody.fromBytes(Arrays.copyOf(part, filled))).eTag();
        completedParts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
        filled = 0;
    }

    /** The S3 error that broke this upload, if one did. */
    RuntimeException failure() {
        return failure;
    }

    private void requireNoFailure() {
        if (failure != null) {
            throw new IllegalStateException("An earlier part of " + key + " failed; this upload cannot be published", failure);
        }
    }

    /**
     * Publishes the object: completes the multipart upload, or PUTs a small object in one request. Refuses
     * after any failure, so an object is never published with parts missing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        requireNoFailure();
        try {
            publish();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
        closed = true;
    }

    private void publish() {
        if (uploadId == null) {
            s3.putObject(request -> request.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(Arrays.copyOf(part, filled)));
        } else {
            if (filled > 0) {
                uploadPart();
            }
            s3.completeMultipartUpload(request -> request.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(completedParts).build()));
        }
    }

    /** Drops the parts sent so far; best effort, as S3 lifecycle rules clean up abandoned uploads too. */
    void abort() {
        closed = true;
        failure = failure == null ? new IllegalStateException("aborted") : failure;
        if (uploadId != null) {
            try {
                s3.abortMultipartUpload(request -> request.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException e) {
                // S3 is likely unreachable, which is why we abort; the upload id simply expires.
            }
        }
    }
}
