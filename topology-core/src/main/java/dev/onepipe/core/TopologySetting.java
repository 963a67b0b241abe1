package dev.onepipe.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.onepipe.core.config.OnepipeConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A configuration key a topology reads, its default and what it means, as {@code onepipe topologies} prints it and the
 * runner applies its default. A topology declares its settings once, as a Kafka {@link ConfigDef} (type, default,
 * valid values, documentation), lists them with {@link #all(ConfigDef)} and reads typed values with
 * {@link #values(ConfigDef, OnepipeConfig)}:
 *
 * <pre>{@code
 * static final ConfigDef DEFINITION = new ConfigDef()
 *         .define("onepipe.widget-prices.maximum.price", Type.DOUBLE, 100.0, Range.atLeast(0), Importance.HIGH, "Highest price kept.");
 *
 * public List<TopologySetting> settings() { return TopologySetting.all(DEFINITION); }
 * double maximum = TopologySetting.values(DEFINITION, context.config()).getDouble("onepipe.widget-prices.maximum.price");
 * }</pre>
 *
 * @param key           the key, e.g. {@code onepipe.archive.chunk.max.records}
 * @param defaultValue  the value used when no layer sets the key, empty when the key is required
 * @param documentation one or two sentences for {@code onepipe topologies}
 */
public record TopologySetting(String key, Optional<String> defaultValue, String documentation) {

    public TopologySetting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(documentation, "documentation");
    }

    public static TopologySetting of(String key, Object defaultValue, String documentation) {
        return new TopologySetting(key, Optional.of(String.valueOf(defaultValue)), documentation);
    }

    public static TopologySetting required(String key, String documentation) {
        return new TopologySetting(key, Optional.empty(), documentation);
    }

    /**
     * The settings {@code definition} declares, in declaration order: each default as Kafka writes it
     * ({@link ConfigDef#convertToString}), a key without default as required, and the valid values (the validator's
     * own text) after the documentation.
     */
    public static List<TopologySetting> all(ConfigDef definition) {
        List<TopologySetting> settings = new ArrayList<>();
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            String documentation = key.documentation + (key.validator == null ? "" : " Valid values: " + key.validator + ".");
            Optional<String> defaultValue = key.hasDefault() ? Optional.ofNullable(ConfigDef.convertToString(key.defaultValue, key.type))
                    : Optional.empty();
            settings.add(new TopologySetting(key.name, defaultValue, documentation));
        }
        return List.copyOf(settings);
    }

    /**
     * The typed values of {@code definition}'s settings in {@code config} (every layer applied), defaults for the ones
     * no layer sets; read them with {@link AbstractConfig#getLong}, {@code getString}, ... Other keys are ignored.
     *
     * @throws IllegalArgumentException when a value is not of its setting's type or not valid for it, or a required
     *                                  setting is missing: Kafka's message, which names the setting and the value
     */
    public static AbstractConfig values(ConfigDef definition, OnepipeConfig config) {
        Map<String, String> declared = new HashMap<>();
        config.asMap().forEach((key, value) -> {
            if (definition.configKeys().containsKey(key)) {
                declared.put(key, value);
            }
        });
        try {
            return new AbstractConfig(definition, declared, Map.of(), false);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
