package dev.onepipe.metadata;

import java.util.Locale;
import java.util.Objects;

/** Whether and how the clean archive of a dataset is written. Defaults to enabled, Parquet. */
public final class ArchiveSettings {

    public static final String DEFAULT_FORMAT = "parquet";
    public static final ArchiveSettings DEFAULT = new ArchiveSettings(true, DEFAULT_FORMAT);

    private final boolean enabled;
    private final String format;

    private ArchiveSettings(final boolean enabled, final String format) {
        this.enabled = enabled;
        this.format = format;
    }

    public static ArchiveSettings of(final boolean enabled, final String format) {
        if (format == null || format.isBlank()) {
            throw new IllegalArgumentException("archive format must not be blank");
        }
        return new ArchiveSettings(enabled, format.trim().toLowerCase(Locale.ROOT));
    }

    public boolean enabled() {
        return enabled;
    }

    public String format() {
        return format;
    }

    @Override
    public boolean equals(final Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ArchiveSettings)) {
            return false;
        }
        final ArchiveSettings that = (ArchiveSettings) other;
        return enabled == that.enabled && format.equals(that.format);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, format);
    }

    @Override
    public String toString() {
        return (enabled ? "enabled" : "disabled") + " " + format;
    }
}
