package dev.onepipe.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a dataset's topic needs, so registering the dataset can create it (and its dead-letter topic {@code <topic>.dlq})
 * or check an existing one: partitions, replication factor, retention and cleanup policy.
 *
 * <p>Defaults: {@value #DEFAULT_PARTITIONS} partitions; replication factor min(3, brokers) when not given (as for the
 * metadata topic); retention {@value #DEFAULT_RETENTION_MS} ms, seven days, Kafka's own default
 * ({@code retention.ms}); cleanup policy {@code delete} (Kafka's default; {@code compact} or {@code compact,delete} for
 * a changelog-like dataset keyed by its unique key). A retention of {@code -1} keeps records forever.
 */
public final class TopicSettings {

    public static final int DEFAULT_PARTITIONS = 4;
    public static final long DEFAULT_RETENTION_MS = 604_800_000L;
    public static final String DEFAULT_CLEANUP_POLICY = "delete";
    public static final TopicSettings DEFAULT =
        new TopicSettings(DEFAULT_PARTITIONS, 0, DEFAULT_RETENTION_MS, DEFAULT_CLEANUP_POLICY);
    private static final List<String> CLEANUP_POLICIES = List.of("delete", "compact", "compact,delete");

    private final int partitions;
    /** 0 when not given: min(3, brokers) at creation. */
    private final int replicationFactor;
    private final long retentionMs;
    private final String cleanupPolicy;

    private TopicSettings(int partitions, int replicationFactor, long retentionMs,
                          String cleanupPolicy) {
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.retentionMs = retentionMs;
        this.cleanupPolicy = cleanupPolicy;
    }

    /**
     * @param partitions        1 or more
     * @param replicationFactor 1 or more, or {@code null} for min(3, brokers)
     * @param retentionMs       1 or more, or -1 (forever); {@code null} for the default
     * @param cleanupPolicy     {@code delete}, {@code compact} or {@code compact,delete} (in any order); {@code null}
     *                          for the default
     * @throws IllegalArgumentException listing every problem
     */
    public static TopicSettings of(Integer partitions, Integer replicationFactor, Long retentionMs,
                                   String cleanupPolicy) {
        List<String> problems = new ArrayList<>();
        int partitionCount = partitions == null ? DEFAULT_PARTITIONS : partitions;
        if (partitionCount < 1) {
            problems.add("partitions must be 1 or more, got " + partitionCount);
        }
        if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
            problems.add("replicationFactor must be 1 or more, got " + replicationFactor);
        }
        long retention = retentionMs == null ? DEFAULT_RETENTION_MS : retentionMs;
        if (retention < 1 && retention != -1) {
            problems.add("retentionMs must be 1 or more, or -1 for forever, got " + retention);
        }
        String policy = cleanupPolicy == null ? DEFAULT_CLEANUP_POLICY : normalizePolicy(cleanupPolicy);
        if (!CLEANUP_POLICIES.contains(policy)) {
            problems.add("cleanupPolicy must be one of " + CLEANUP_POLICIES + ", got '" + cleanupPolicy + "'");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new TopicSettings(partitionCount, replicationFactor == null ? 0 : replicationFactor, retention, policy);
    }

    /** {@code "delete, compact"} and {@code "compact,delete"} are one policy: Kafka reads it as a list. */
    static String normalizePolicy(String policy) {
        List<String> parts = new ArrayList<>();
        for (String part : policy.toLowerCase(Locale.ROOT).split(",")) {
            if (!part.isBlank()) {
                parts.add(part.trim());
            }
        }
        parts.sort(null);
        return String.join(",", parts);
    }

    public int partitions() {
        return partitions;
    }

    /** The replication factor asked for; empty means min(3, brokers) at creation. */
    public OptionalInt replicationFactor() {
        return replicationFactor == 0 ? OptionalInt.empty() : OptionalInt.of(replicationFactor);
    }

    /** {@code retention.ms}; -1 keeps records forever. */
    public long retentionMs() {
        return retentionMs;
    }

    /** {@code cleanup.policy}: {@code delete}, {@code compact} or {@code compact,delete}. */
    public String cleanupPolicy() {
        return cleanupPolicy;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof TopicSettings)) {
            return false;
        }
        TopicSettings that = (TopicSettings) other;
        return partitions == that.partitions && replicationFactor == that.replicationFactor
            && retentionMs == that.retentionMs && cleanupPolicy.equals(that.cleanupPolicy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(partitions, replicationFactor, retentionMs, cleanupPolicy);
    }

    @Override
    public String toString() {
        return partitions + " partitions, replication factor "
            + (replicationFactor == 0 ? "min(3, brokers)" : Integer.toString(replicationFactor))
            + ", retention.ms " + retentionMs + ", cleanup.policy " + cleanupPolicy;
    }
}
