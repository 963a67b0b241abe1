package dev.onepipe.archive.format;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where chunks live in the bucket, Hive-style so query engines see {@code partition}, {@code dt} and
 * {@code hour} columns: {@code <prefix>/<topic>/partition=3/dt=2026-11-22/hour=07/<topic>+3+00000000000000012345.parquet},
 * the last number being the chunk's start offset, zero-padded so names sort in offset order.
 *
 * @param prefix the key prefix, e.g. {@code raw}
 */
public record ArchiveLayout(String prefix) {

    public static final String PARQUET_EXTENSION = ".parquet";
    /** S3 object metadata: every record of the partition below this offset was in S3 once this object was. */
    public static final String COMPLETE_BELOW_METADATA = "onepipe-complete-below";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);
    private static final Pattern OBJECT_KEY = Pattern.compile(
            "(?<topic>[^/]+)/partition=(?<partition>\\d+)/dt=(?<date>\\d{4}-\\d{2}-\\d{2})/hour=(?<hour>\\d{2})/"
                    + "(?<fileTopic>[^/]+)\\+(?<filePartition>\\d+)\\+(?<offset>\\d{20})" + Pattern.quote(PARQUET_EXTENSION));

    public ArchiveLayout {
        prefix = prefix.replaceAll("^/+|/+$", "");
    }

    /**
     * An archived object, as its key names it.
     *
     * @param key         the object key
     * @param topic       the archived topic
     * @param partition   the partition its records come from
     * @param hour        their record-time hour, in hours since the epoch (UTC)
     * @param startOffset the offset of its first record
     */
    public record ChunkObject(String key, String topic, int partition, long hour, long startOffset) {
    }

    public String objectKey(String topic, int partition, long hour, long startOffset) {
        Instant hourStart = Instant.ofEpochSecond(hour * 3600);
        return topicPrefix(topic) + "partition=" + partition + "/dt=" + DATE.format(hourStart) + "/hour=" + HOUR.format(hourStart)
                + "/" + topic + "+" + partition + "+" + String.format("%020d", startOffset) + PARQUET_EXTENSION;
    }

    /** The prefix of every object of {@code topic}, ending with a slash. */
    public String topicPrefix(String topic) {
        return (prefix.isEmpty() ? "" : prefix + "/") + topic + "/";
    }

    /** The prefix of every object of one partition of {@code topic}. */
    public String partitionPrefix(String topic, int partition) {
        return topicPrefix(topic) + "partition=" + partition + "/";
    }

    /** Reads an object key back; empty for keys that are not chunks of this layout. */
    public Optional<ChunkObject> parse(String key) {
        String topicPart = prefix.isEmpty() ? key : key.startsWith(prefix + "/") ? key.substring(prefix.length() + 1) : null;
        if (topicPart == null) {
            return Optional.empty();
        }
        Matcher matcher = OBJECT_KEY.matcher(topicPart);
        if (!matcher.matches() || !matcher.group("topic").equals(matcher.group("fileTopic"))
                || !matcher.group("partition").equals(matcher.group("filePartition"))) {
            return Optional.empty();
        }
        try {
            Instant hourStart = Instant.parse(matcher.group("date") + "T" + matcher.group("hour") + ":00:00Z");
            return Optional.of(new ChunkObject(key, matcher.group("topic"), Integer.parseInt(matcher.group("partition")),
                    hourStart.getEpochSecond() / 3600, Long.parseLong(matcher.group("offset"))));
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
