package dev.onepipe.metadata;

import java.util.Locale;

/**
 * Whether and how the clean archive of a dataset is written. Defaults to enabled, Parquet.
 *
 * @param enabled whether the clean archive is written
 * @param format  the file format, trimmed and lower case (e.g. {@code parquet})
 */
public record ArchiveSettings(boolean enabled, String format) {

    public static final String DEFAULT_FORMAT = "parquet";
    public static final ArchiveSettings DEFAULT = new ArchiveSettings(true, DEFAULT_FORMAT);

    /** @throws IllegalArgumentException if {@code format} is null or blank */
    public ArchiveSettings {
        if (format == null || format.isBlank()) {
            throw new IllegalArgumentException("archive format must not be blank");
        }
        format = format.trim().toLowerCase(Locale.ROOT);
    }

    /** The same as the constructor: settings with {@code format} normalized. */
    public static ArchiveSettings of(boolean enabled, String format) {
        return new ArchiveSettings(enabled, format);
    }

    @Override
    public String toString() {
        return (enabled ? "enabled" : "disabled") + " " + format;
    }
}
