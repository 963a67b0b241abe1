package dev.onepipe.core;

import java.util.Objects;
import java.util.Optional;

/**
 * A configuration key a topology reads, its default and what it means.
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
}
