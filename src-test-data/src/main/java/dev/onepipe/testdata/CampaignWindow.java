package dev.onepipe.testdata;

import java.util.Comparator;
import java.util.Objects;

/** A campaign and the start of a tumbling event-time window, epoch milliseconds; ordered by campaign, then start. */
public record CampaignWindow(String campaignId, long windowStartMillis) implements Comparable<CampaignWindow> {

    private static final Comparator<CampaignWindow> ORDER =
        Comparator.comparing(CampaignWindow::campaignId).thenComparingLong(CampaignWindow::windowStartMillis);

    public CampaignWindow {
        Objects.requireNonNull(campaignId, "campaignId");
    }

    /** Start of the epoch-aligned tumbling window of the given size that holds {@code timestampMillis}. */
    public static long windowStart(final long timestampMillis, final long windowSizeMillis) {
        return Math.floorDiv(timestampMillis, windowSizeMillis) * windowSizeMillis;
    }

    @Override
    public int compareTo(final CampaignWindow other) {
        return ORDER.compare(this, other);
    }
}
