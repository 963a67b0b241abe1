package dev.onepipe.core.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The embedded default for the demo, {@code onepipe dev} and integration tests: a real Kafka broker and a
 * real S3 endpoint in this JVM, started side by side, with the default bucket created.
 */
public final class EmbeddedRuntime implements AutoCloseable {

    public static final String DEFAULT_BUCKET = "onepipe";

    private final EmbeddedKafkaBroker broker;
    private final EmbeddedS3Endpoint s3;
    private final String bucket;
    private final Optional<Path> dataDirectory;
    private final Duration startupTime;

    private EmbeddedRuntime(EmbeddedKafkaBroker broker, EmbeddedS3Endpoint s3, String bucket,
                            Optional<Path> dataDirectory, Duration startupTime) {
        this.broker = broker;
        this.s3 = s3;
        this.bucket = bucket;
        this.dataDirectory = dataDirectory;
        this.startupTime = startupTime;
    }

    /** Starts both on temporary folders, removed on close. */
    public static EmbeddedRuntime start() {
        return start(Optional.empty(), DEFAULT_BUCKET);
    }

    /** Starts both on {@code dataDirectory}, kept on close so a later start finds the same topics and objects. */
    public static EmbeddedRuntime start(Path dataDirectory) {
        return start(Optional.of(dataDirectory), DEFAULT_BUCKET);
    }

    public static EmbeddedRuntime start(Optional<Path> dataDirectory, String bucket) {
        long started = System.nanoTime();
        dataDirectory.ifPresent(EmbeddedRuntime::createDirectories);
        CompletableFuture<EmbeddedS3Endpoint> s3Start = CompletableFuture.supplyAsync(
                () -> dataDirectory.map(EmbeddedS3Endpoint::start).orElseGet(EmbeddedS3Endpoint::start));
        EmbeddedKafkaBroker broker;
        try {
            broker = dataDirectory.map(EmbeddedKafkaBroker::start).orElseGet(EmbeddedKafkaBroker::start);
        } catch (RuntimeException e) {
            s3Start.thenAccept(EmbeddedS3Endpoint::close);
            throw e;
        }
        EmbeddedS3Endpoint s3;
        try {
            s3 = s3Start.join();
            try (S3Client client = S3ClientFactory.create(s3.settings(bucket))) {
                S3ClientFactory.ensureBucket(client, bucket);
            }
        } catch (RuntimeException e) {
            broker.close();
            throw e instanceof CompletionException && e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        return new EmbeddedRuntime(broker, s3, bucket, dataDirectory, Duration.ofNanos(System.nanoTime() - started));
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data folder " + directory, e);
        }
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public EmbeddedS3Endpoint s3() {
        return s3;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String bucket() {
        return bucket;
    }

    /** Settings for clients of the embedded S3 endpoint and the default bucket. */
    public S3Settings s3Settings() {
        return s3.settings(bucket);
    }

    /** A new client of the embedded S3 endpoint; the caller closes it. */
    public S3Client newS3Client() {
        return S3ClientFactory.create(s3Settings());
    }

    /** The data folder given at start, empty when both run on temporary folders. */
    public Optional<Path> dataDirectory() {
        return dataDirectory;
    }

    /** Wall-clock time from the start call until both were ready and the bucket existed. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The configuration a onepipe client needs to reach this runtime: bootstrap servers and S3 settings. */
    public Map<String, String> clientConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("bootstrap.servers", bootstrapServers());
        config.putAll(s3Settings().toConfig());
        return config;
    }

    @Override
    public void close() {
        try {
            s3.close();
        } finally {
            broker.close();
        }
    }
}
