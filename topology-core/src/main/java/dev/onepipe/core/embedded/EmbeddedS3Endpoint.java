package dev.onepipe.core.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.onepipe.core.s3.S3Settings;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3 HTTP endpoint running in this JVM (S3Proxy over a local folder), on a free loopback port,
 * with AWS signature v2/v4 credentials.
 *
 * <p>Objects are plain files under the data folder, so stopping the endpoint and starting another one on
 * the same folder (and port) brings the same objects back: that is how outage tests simulate S3 going away.
 */
public final class EmbeddedS3Endpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3Endpoint.class);
    public static final String ACCESS_KEY = "onepipe";
    public static final String SECRET_KEY = "onepipe-secret";
    public static final String REGION = "us-east-1";

    private final Path dataDirectory;
    private final boolean temporary;
    private final S3Proxy proxy;
    private final URI endpoint;

    private EmbeddedS3Endpoint(Path dataDirectory, boolean temporary, S3Proxy proxy, URI endpoint) {
        this.dataDirectory = dataDirectory;
        this.temporary = temporary;
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    /** Starts an endpoint whose objects live in a new temporary folder, removed on close. */
    public static EmbeddedS3Endpoint start() {
        try {
            return start(Files.createTempDirectory("onepipe-s3-"), true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for the embedded S3 endpoint", e);
        }
    }

    /** Starts an endpoint on a free port whose objects live in {@code dataDirectory}, kept on close. */
    public static EmbeddedS3Endpoint start(Path dataDirectory) {
        return start(dataDirectory, false, 0);
    }

    /**
     * Starts an endpoint on {@code port} (0 for a free one) over {@code dataDirectory}, kept on close:
     * restarting on the same folder and port is an S3 outage that ends.
     */
    public static EmbeddedS3Endpoint start(Path dataDirectory, int port) {
        return start(dataDirectory, false, port);
    }

    private static EmbeddedS3Endpoint start(Path dataDirectory, boolean temporary, int port) {
        Path blobDirectory = dataDirectory.resolve("s3");
        try {
            Files.createDirectories(blobDirectory);
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(new FilesystemNio2BlobStore(blobDirectory.toString()))
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .stopTimeout(0)
                    .build();
            proxy.start();
            URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
            LOG.debug("Embedded S3 endpoint listening on {} with data in {}", endpoint, blobDirectory);
            return new EmbeddedS3Endpoint(dataDirectory, temporary, proxy, endpoint);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the embedded S3 endpoint on " + blobDirectory, e);
        }
    }

    /** The HTTP endpoint, e.g. {@code http://127.0.0.1:41235}. */
    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.getPort();
    }

    /** The folder holding the endpoint's objects. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Settings for an S3 client of this endpoint, for objects in {@code bucket}. */
    public S3Settings settings(String bucket) {
        return S3Settings.forEndpoint(endpoint, bucket, ACCESS_KEY, SECRET_KEY);
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            LOG.warn("Embedded S3 endpoint {} did not stop cleanly: {}", endpoint, e.toString());
        }
        if (temporary) {
            FileTrees.deleteQuietly(dataDirectory);
        }
        LOG.debug("Embedded S3 endpoint {} stopped", endpoint);
    }
}
