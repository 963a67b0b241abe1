package dev.onepipe.testdata;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.avro.generic.GenericRecord;

/**
 * Expected results of the Yahoo Streaming Benchmark query for {@code ysb-events} records: keep events whose
 * {@code event_type} is {@code view}, look up the campaign of their {@code ad_id}, count per campaign per
 * epoch-aligned tumbling window of {@code event_time}. Every valid view counts (no deduplication, no lateness
 * drop: the benchmark generator makes no duplicates). A view whose ad has no campaign counts as unmapped.
 *
 * <p>The late count uses the rule of {@link AdTrafficTally}: a valid event is late when the end of its window
 * is at or below the stream time (largest {@code event_time} of valid events up to and including it) minus the
 * grace period.
 */
public final class YsbTally {

    private final long windowSizeMillis;
    private final long gracePeriodMillis;
    private final Map<String, String> campaignByAd;
    private final SortedMap<CampaignWindow, Long> viewsPerWindow = new TreeMap<>();
    private final SortedMap<String, Long> eventsPerType = new TreeMap<>();
    private long recordCount;
    private long corruptCount;
    private long lateCount;
    private long unmappedViewCount;
    private long streamTimeMillis = Long.MIN_VALUE;

    public YsbTally(final long windowSizeMillis, final long gracePeriodMillis, final Map<String, String> campaignByAd) {
        if (windowSizeMillis < 1) {
            throw new IllegalArgumentException("windowSizeMillis must be at least 1, was " + windowSizeMillis);
        }
        this.windowSizeMillis = windowSizeMillis;
        this.gracePeriodMillis = gracePeriodMillis;
        this.campaignByAd = Map.copyOf(campaignByAd);
    }

    public void add(final GeneratedRecord record) {
        if (!SampleDatasets.YSB_EVENTS.equals(record.dataset())) {
            throw new IllegalArgumentException("Not a ysb-events record: " + record);
        }
        recordCount++;
        if (record.isCorrupt()) {
            corruptCount++;
            return;
        }
        final GenericRecord value = record.value();
        final long eventTime = (Long) value.get("event_time");
        final long windowStart = CampaignWindow.windowStart(eventTime, windowSizeMillis);
        if (streamTimeMillis != Long.MIN_VALUE && windowStart + windowSizeMillis <= streamTimeMillis - gracePeriodMillis) {
            lateCount++;
        }
        streamTimeMillis = Math.max(streamTimeMillis, eventTime);
        final String eventType = value.get("event_type").toString();
        eventsPerType.merge(eventType, 1L, Long::sum);
        if (!YsbGenerator.VIEW.equals(eventType)) {
            return;
        }
        final String campaignId = campaignByAd.get(value.get("ad_id").toString());
        if (campaignId == null) {
            unmappedViewCount++;
            return;
        }
        viewsPerWindow.merge(new CampaignWindow(campaignId, windowStart), 1L, Long::sum);
    }

    /** Views per campaign window, windows without views absent; sorted by campaign, then window start. */
    public SortedMap<CampaignWindow, Long> viewsPerCampaignWindow() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(viewsPerWindow));
    }

    /** Valid events per {@code event_type}. */
    public SortedMap<String, Long> eventsPerType() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(eventsPerType));
    }

    public long recordCount() {
        return recordCount;
    }

    public long corruptCount() {
        return corruptCount;
    }

    public long lateCount() {
        return lateCount;
    }

    public long unmappedViewCount() {
        return unmappedViewCount;
    }

    public long windowSizeMillis() {
        return windowSizeMillis;
    }
}
