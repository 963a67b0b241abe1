package dev.onepipe.campaign;

import java.util.Objects;

/**
 * What ysb's per-input-partition count ({@link PartitionWindowCounter}) sends on: a partial count, a watermark, or a
 * late view. Partial counts and watermarks cross the partial-count repartition topic to {@link PartialCountSum}; late
 * views are split off before it, to the late topic.
 *
 * @param kind          which of the three
 * @param source        the input topic-partition the count or watermark is about, e.g. {@code ysb-events-3}
 * @param campaignId    a count's campaign; null otherwise
 * @param windowStart   a count's window start, epoch ms
 * @param views         a count's number of views: added to what the window already has (a delta)
 * @param closedThrough a watermark's time, epoch ms: every window of {@code source} ending at or before it is closed
 *                      and its counts have been sent
 * @param late          a late view with what the check saw; never serialized
 */
public record PartialCount(Kind kind, String source, String campaignId, long windowStart, long views, long closedThrough,
                           Verdict<AdEvent> late) {

    /** The three things a per-partition count sends on. */
    public enum Kind { COUNT, WATERMARK, LATE_VIEW }

    public PartialCount {
        Objects.requireNonNull(kind, "kind");
    }

    /** {@code views} more views of {@code campaignId} in the window starting at {@code windowStart}, from {@code source}. */
    public static PartialCount count(String source, String campaignId, long windowStart, long views) {
        return new PartialCount(Kind.COUNT, Objects.requireNonNull(source, "source"), Objects.requireNonNull(campaignId, "campaignId"),
                windowStart, views, 0, null);
    }

    /** {@code source} has closed (and sent the counts of) every window ending at or before {@code closedThrough}. */
    public static PartialCount watermark(String source, long closedThrough) {
        return new PartialCount(Kind.WATERMARK, Objects.requireNonNull(source, "source"), null, 0, 0, closedThrough, null);
    }

    /** A view whose window had closed in its own input partition. */
    public static PartialCount lateView(Verdict<AdEvent> late) {
        return new PartialCount(Kind.LATE_VIEW, null, null, 0, 0, 0, Objects.requireNonNull(late, "late"));
    }

    public boolean isLateView() {
        return kind == Kind.LATE_VIEW;
    }
}
