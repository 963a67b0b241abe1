package dev.onepipe.core.s3;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where onepipe keeps objects: a bucket, and how to reach the S3 API that holds it.
 *
 * <p>With no endpoint the client talks to AWS S3 with the SDK's default credential chain and region
 * chain; with an endpoint (S3Proxy, MinIO, ...) it uses path-style addressing and, when given, static
 * credentials.
 *
 * @param endpoint   the S3 API endpoint, empty for AWS S3
 * @param region     the signing region, empty to use the SDK's default region chain
 * @param bucket     the bucket onepipe writes to
 * @param accessKey  a static access key, empty for the default credential chain
 * @param secretKey  the static secret key that goes with {@code accessKey}
 * @param pathStyle  whether to address buckets as {@code endpoint/bucket} rather than {@code bucket.endpoint}
 */
public record S3Settings(Optional<URI> endpoint, Optional<String> region, String bucket,
                         Optional<String> accessKey, Optional<String> secretKey, boolean pathStyle) {

    public static final String ENDPOINT = "onepipe.s3.endpoint";
    public static final String REGION = "onepipe.s3.region";
    public static final String BUCKET = "onepipe.s3.bucket";
    public static final String ACCESS_KEY = "onepipe.s3.access.key";
    public static final String SECRET_KEY = "onepipe.s3.secret.key";
    public static final String PATH_STYLE = "onepipe.s3.path.style";

    private static final String LOCAL_REGION = "us-east-1";

    public S3Settings {
        Objects.requireNonNull(bucket, "bucket");
        if (bucket.length() < 3) {
            throw new IllegalArgumentException("S3 bucket names have at least 3 characters: '" + bucket + "'");
        }
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new IllegalArgumentException(ACCESS_KEY + " and " + SECRET_KEY + " go together: set both or neither");
        }
    }

    /** Settings for an S3-compatible endpoint with static credentials and path-style addressing. */
    public static S3Settings forEndpoint(URI endpoint, String bucket, String accessKey, String secretKey) {
        return new S3Settings(Optional.of(endpoint), Optional.of(LOCAL_REGION), bucket,
                Optional.of(accessKey), Optional.of(secretKey), true);
    }

    /** Settings for AWS S3 with the SDK's default credential and region chains. */
    public static S3Settings forAws(String bucket) {
        return new S3Settings(Optional.empty(), Optional.empty(), bucket, Optional.empty(), Optional.empty(), false);
    }

    /**
     * Reads the {@code onepipe.s3.*} keys of a configuration. Returns empty when no bucket is configured.
     */
    public static Optional<S3Settings> fromConfig(Map<String, ?> config) {
        Optional<String> bucket = text(config, BUCKET);
        if (bucket.isEmpty()) {
            return Optional.empty();
        }
        Optional<URI> endpoint = text(config, ENDPOINT).map(URI::create);
        boolean pathStyle = text(config, PATH_STYLE).map(Boolean::parseBoolean).orElse(endpoint.isPresent());
        Optional<String> region = text(config, REGION).or(() -> endpoint.map(any -> LOCAL_REGION));
        return Optional.of(new S3Settings(endpoint, region, bucket.get(),
                text(config, ACCESS_KEY), text(config, SECRET_KEY), pathStyle));
    }

    /** The same settings as configuration keys, the inverse of {@link #fromConfig(Map)}. */
    public Map<String, String> toConfig() {
        var config = new java.util.LinkedHashMap<String, String>();
        endpoint.ifPresent(uri -> config.put(ENDPOINT, uri.toString()));
        region.ifPresent(value -> config.put(REGION, value));
        config.put(BUCKET, bucket);
        accessKey.ifPresent(value -> config.put(ACCESS_KEY, value));
        secretKey.ifPresent(value -> config.put(SECRET_KEY, value));
        config.put(PATH_STYLE, String.valueOf(pathStyle));
        return config;
    }

    private static Optional<String> text(Map<String, ?> config, String key) {
        return Optional.ofNullable(config.get(key)).map(Object::toString).map(String::trim).filter(value -> !value.isEmpty());
    }

    @Override
    public String toString() {
        // Never print the secret key.
        return "S3Settings[endpoint=" + endpoint.map(URI::toString).orElse("AWS") + ", region=" + region.orElse("default")
                + ", bucket=" + bucket + ", credentials=" + (accessKey.isPresent() ? "static" : "default chain")
                + ", pathStyle=" + pathStyle + "]";
    }
}
