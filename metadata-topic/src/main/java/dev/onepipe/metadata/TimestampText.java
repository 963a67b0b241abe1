package dev.onepipe.metadata;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * The one reading of a point in time written as text, shared by every onepipe input that takes one (JSON values of a
 * {@code timestamp-*} field, {@code replay --from/--to}, {@code campaign-metrics query --from/--to}), so the same
 * text means the same instant everywhere.
 *
 * <p>Accepted forms (ISO-8601, RFC 3339 section 5.6, with the space separator RFC 3339 allows and SQL writes):
 * <ul>
 *   <li>{@code 2026-11-29T10:00:00Z}, {@code 2026-11-29T10:00:00.250+01:00}: the instant the offset gives;</li>
 *   <li>{@code 2026-11-29T10:00:00}, {@code 2026-11-29T10:00}, {@code 2026-11-29 10:00:00.250}: no offset, read as
 *       UTC;</li>
 *   <li>{@code 2026-11-29}: midnight UTC of that day.</li>
 * </ul>
 * Seconds and a fraction of up to nine digits are optional; {@code T} and a space are both separators.
 */
public final class TimestampText {

    /** The forms, for error messages and help texts. */
    public static final String FORMS = "2026-11-29T10:00:00Z, 2026-11-29T10:00:00.250+01:00, "
        + "2026-11-29T10:00:00 or 2026-11-29 10:00 (UTC), 2026-11-29 (midnight UTC)";

    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .appendLiteral('T')
        .append(DateTimeFormatter.ISO_LOCAL_TIME)
        .optionalStart().appendOffsetId().optionalEnd()
        .toFormatter();

    private TimestampText() {
    }

    /**
     * @param text a time in one of the {@link #FORMS}
     * @return the instant it names, a text without offset read as UTC
     * @throws DateTimeParseException when the text is none of the forms
     */
    public static Instant parseInstant(String text) {
        String trimmed = text.trim();
        if (trimmed.length() == 10) {
            return LocalDate.parse(trimmed).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        TemporalAccessor parsed = parseDateTime(trimmed);
        if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
            return OffsetDateTime.from(parsed).toInstant();
        }
        return LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC);
    }

    /**
     * A wall-clock time with no zone, for {@code local-timestamp-*}: the forms above without an offset.
     *
     * @throws DateTimeParseException when the text is not one of those forms or carries an offset
     */
    public static LocalDateTime parseLocal(String text) {
        String trimmed = text.trim();
        if (trimmed.length() == 10) {
            return LocalDate.parse(trimmed).atStartOfDay();
        }
        TemporalAccessor parsed = parseDateTime(trimmed);
        if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
            throw new DateTimeParseException("a local timestamp has no offset", trimmed, 0);
        }
        return LocalDateTime.from(parsed);
    }

    private static TemporalAccessor parseDateTime(String text) {
        int separator = 10;
        if (text.length() > separator && text.charAt(separator) == ' ') {
            return DATE_TIME.parse(text.substring(0, separator) + 'T' + text.substring(separator + 1));
        }
        return DATE_TIME.parse(text);
    }
}
