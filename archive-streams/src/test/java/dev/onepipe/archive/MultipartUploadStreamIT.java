package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import dev.onepipe.core.embedded.EmbeddedS3Endpoint;
import dev.onepipe.core.embedded.LoopbackPorts;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/** Large chunks go up as multipart uploads, and an upload that lost a part is never published. */
class MultipartUploadStreamIT {

    private static final String BUCKET = "multipart";

    @TempDir
    Path temporary;

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(5).nextBytes(bytes);
        return bytes;
    }

    @Test
    void uploadsAnObjectLargerThanAPartInParts() {
        byte[] content = randomBytes(2 * ChunkUploader.PART_BYTES + 12_345);
        try (EmbeddedS3Endpoint endpoint = EmbeddedS3Endpoint.start(temporary, 0);
             S3Client s3 = S3ClientFactory.create(endpoint.settings(BUCKET))) {
            S3ClientFactory.ensureBucket(s3, BUCKET);
            MultipartUploadStream stream = new MultipartUploadStream(s3, BUCKET, "large", Map.of("onepipe-record-count", "3"), ChunkUploader.PART_BYTES);
            stream.write(content, 0, 1000);
            stream.write(content[1000]);
            stream.write(content, 1001, content.length - 1001);
            stream.close();
            assertArrayEquals(content, s3.getObjectAsBytes(request -> request.bucket(BUCKET).key("large")).asByteArray());
            assertFalse(s3.headObject(request -> request.bucket(BUCKET).key("large")).eTag().isEmpty());
        }
    }

    @Test
    void neverPublishesAnUploadThatLostAPart() {
        byte[] content = randomBytes(ChunkUploader.PART_BYTES + 1);
        // Restarted on the same port: one below the ephemeral range, which the clients' reconnections cannot take.
        int port = LoopbackPorts.freePort();
        EmbeddedS3Endpoint endpoint = EmbeddedS3Endpoint.start(temporary, port);
        S3Settings settings = endpoint.settings(BUCKET);
        try (S3Client s3 = S3ClientFactory.create(settings)) {
            S3ClientFactory.ensureBucket(s3, BUCKET);
            MultipartUploadStream stream = new MultipartUploadStream(s3, BUCKET, "broken", Map.of(), ChunkUploader.PART_BYTES);
            stream.write(content, 0, content.length);
            endpoint.close();
            assertThrows(SdkException.class, () -> stream.write(content, 0, ChunkUploader.PART_BYTES));
            endpoint = EmbeddedS3Endpoint.start(temporary, port);
            assertThrows(IllegalStateException.class, stream::close);
            stream.abort();
            assertFalse(s3.listObjectsV2(request -> request.bucket(BUCKET)).contents().stream().anyMatch(object -> object.key().equals("broken")));
        } finally {
            endpoint.close();
        }
    }
}
