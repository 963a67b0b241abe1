package dev.onepipe.core.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.s3.S3Settings;
import picocli.CommandLine.Option;

/** The configuration options every command that talks to Kafka or S3 shares (a picocli mixin). */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "<file.properties>", converter = ReadableFile.class,
            description = "Kafka Streams / client properties and onepipe.* settings. Overridden by ONEPIPE_* environment variables, then by flags. A missing or unreadable file is a usage error (exit 2).")
    Path configFile;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "<host:port,...>",
            description = "Kafka bootstrap servers (bootstrap.servers; environment ONEPIPE_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--s3-endpoint", paramLabel = "<url>",
            description = "S3-compatible endpoint; leave out for AWS S3 (onepipe.s3.endpoint).")
    String s3Endpoint;

    @Option(names = "--s3-bucket", paramLabel = "<bucket>", description = "S3 bucket (onepipe.s3.bucket).")
    String s3Bucket;

    @Option(names = {"-s", "--set"}, paramLabel = "<key=value>", description = "Any setting, e.g. --set num.stream.threads=2. Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The file layer: the --config file's properties, empty without one. */
    public Map<String, String> fileLayer() {
        return configFile == null ? Map.of() : OnepipeConfig.readPropertiesFile(configFile);
    }

    /** The environment layer: the ONEPIPE_* variables of this process. */
    public Map<String, String> environmentLayer() {
        return OnepipeConfig.fromEnvironment(System.getenv());
    }

    /** The flag layer: the dedicated flags, then --set. */
    public Map<String, String> flagLayer() {
        Map<String, String> flags = new LinkedHashMap<>();
        if (bootstrapServers != null) {
            flags.put(OnepipeConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (s3Endpoint != null) {
            flags.put(S3Settings.ENDPOINT, s3Endpoint);
        }
        if (s3Bucket != null) {
            flags.put(S3Settings.BUCKET, s3Bucket);
        }
        flags.putAll(settings);
        return flags;
    }

    /** File, environment and flag layers over {@code defaults}. */
    public OnepipeConfig config(Map<String, String> defaults) {
        return OnepipeConfig.builder()
                .layer("default", defaults)
                .layer(Optional.ofNullable(configFile).map(Path::toString).orElse("file"), fileLayer())
                .layer("environment", environmentLayer())
                .layer("flag", flagLayer())
                .build();
    }
}
