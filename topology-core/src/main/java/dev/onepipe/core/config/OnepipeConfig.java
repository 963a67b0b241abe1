package dev.onepipe.core.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * onepipe's configuration: Kafka Streams / client properties plus onepipe's own {@code onepipe.*} keys,
 * layered so that each layer overrides the one before it:
 * <ol>
 *   <li>defaults (onepipe's and the topology's own),</li>
 *   <li>a properties file ({@code --config}),</li>
 *   <li>environment variables {@code ONEPIPE_*},</li>
 *   <li>command-line flags.</li>
 * </ol>
 *
 * <p>An environment variable {@code ONEPIPE_X_Y} names the key {@code x.y} when that is a Kafka client or
 * Streams setting ({@code ONEPIPE_BOOTSTRAP_SERVERS} is {@code bootstrap.servers}), and {@code onepipe.x.y}
 * otherwise ({@code ONEPIPE_S3_BUCKET} is {@code onepipe.s3.bucket}).
 */
public final class OnepipeConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String ENVIRONMENT_PREFIX = "ONEPIPE_";
    public static final String ONEPIPE_PREFIX = "onepipe.";

    private static final Set<String> KAFKA_KEYS = kafkaKeys();
    private static final String MISSING_CLUSTER = "No Kafka cluster is configured. Set bootstrap.servers in a --config file, "
            + "the ONEPIPE_BOOTSTRAP_SERVERS environment variable or --bootstrap-servers. "
            + "For a local pipeline, start one with 'onepipe dev' and use the address it prints, or try 'onepipe demo'.";

    private final Map<String, String> values;
    private final Map<String, String> sources;

    private OnepipeConfig(Map<String, String> values, Map<String, String> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
    }

    public static OnepipeConfig of(Map<String, String> values) {
        return builder().layer("given", values).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads a properties file for the {@code --config} layer. */
    public static Map<String, String> readPropertiesFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(key -> values.put(key, properties.getProperty(key).trim()));
        return values;
    }

    /** The configuration keys named by {@code ONEPIPE_*} variables of {@code environment}. */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        environment.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith(ENVIRONMENT_PREFIX) && entry.getKey().length() > ENVIRONMENT_PREFIX.length())
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> values.put(environmentKey(entry.getKey()), entry.getValue()));
        return values;
    }

    static String environmentKey(String variable) {
        String key = variable.substring(ENVIRONMENT_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        return KAFKA_KEYS.contains(key) || isPrefixedClientKey(key) ? key : ONEPIPE_PREFIX + key;
    }

    private static boolean isPrefixedClientKey(String key) {
        for (String prefix : new String[] {"producer.", "consumer.", "admin.", "main.consumer.", "restore.consumer.", "global.consumer.", "topic."}) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> kafkaKeys() {
        Set<String> keys = new TreeSet<>();
        keys.addAll(StreamsConfig.configDef().names());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        return keys;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** The value of {@code key}, or an error naming the key and how to set it. */
    public String require(String key) {
        return get(key).orElseThrow(() -> new MissingConfigurationException(key.equals(BOOTSTRAP_SERVERS) ? MISSING_CLUSTER
                : "Setting '" + key + "' is required: set it in a --config file, as " + environmentVariable(key)
                + " or with --set " + key + "=<value>"));
    }

    public long getLong(String key, long defaultValue) {
        return get(key).map(value -> parse(key, value, Long::parseLong)).orElse(defaultValue);
    }

    public int getInt(String key, int defaultValue) {
        return get(key).map(value -> parse(key, value, Integer::parseInt)).orElse(defaultValue);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return get(key).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    private static <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting '" + key + "' must be a number, but is '" + value + "'", e);
        }
    }

    /** The bootstrap servers, or an error suggesting {@code onepipe dev} / {@code onepipe demo}. */
    public String bootstrapServers() {
        return require(BOOTSTRAP_SERVERS);
    }

    public boolean hasBootstrapServers() {
        return get(BOOTSTRAP_SERVERS).filter(value -> !value.isBlank()).isPresent();
    }

    /** Which layer set {@code key}: {@code default}, the file's path, {@code environment}, {@code flag}... */
    public Optional<String> source(String key) {
        return Optional.ofNullable(sources.get(key));
    }

    public Map<String, String> asMap() {
        return values;
    }

    /** Kafka client and Streams settings only: onepipe's own keys are left out so Kafka does not warn about them. */
    public Properties kafkaProperties() {
        Properties properties = new Properties();
        values.forEach((key, value) -> {
            if (!key.startsWith(ONEPIPE_PREFIX)) {
                properties.put(key, value);
            }
        });
        return properties;
    }

    /** A copy with {@code overrides} applied as a further layer. */
    public OnepipeConfig with(String source, Map<String, String> overrides) {
        return builder().layer(this).layer(source, overrides).build();
    }

    public static String environmentVariable(String key) {
        String name = key.startsWith(ONEPIPE_PREFIX) ? key.substring(ONEPIPE_PREFIX.length()) : key;
        return ENVIRONMENT_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        // sasl.jaas.config carries the SCRAM/PLAIN password inside it
        values.forEach((key, value) -> shown.put(key, key.contains("secret") || key.contains("password") || key.contains("jaas")
                ? "********" : value));
        return shown.toString();
    }

    /** Builds a configuration from layers, later layers overriding earlier ones. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Map<String, String> sources = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder layer(String source, Map<String, String> layer) {
            layer.forEach((key, value) -> {
                if (value != null) {
                    values.put(key, value);
                    sources.put(key, source);
                }
            });
            return this;
        }

        public Builder layer(OnepipeConfig config) {
            values.putAll(config.values);
            sources.putAll(config.sources);
            return this;
        }

        public OnepipeConfig build() {
            return new OnepipeConfig(new LinkedHashMap<>(values), new LinkedHashMap<>(sources));
        }
    }
}
