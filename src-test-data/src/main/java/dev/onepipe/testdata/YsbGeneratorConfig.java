package dev.onepipe.testdata;

import static dev.onepipe.testdata.WidgetGeneratorConfig.requireAtLeast;
import static dev.onepipe.testdata.WidgetGeneratorConfig.requireRate;

/**
 * Knobs of {@link YsbGenerator}. Build with {@link #builder()}; the defaults are the Yahoo Streaming
 * Benchmark's workload (100 campaigns of 10 ads, 100 users, 100 pages, 10-second windows) with clean data.
 */
public final class YsbGeneratorConfig {

    private final long seed;
    private final long eventCount;
    private final int campaignCount;
    private final int adsPerCampaign;
    private final int userCount;
    private final int pageCount;
    private final long startTimeMillis;
    private final long timeSpanMillis;
    private final double lateRate;
    private final long lateByMillis;
    private final double corruptRate;
    private final long windowSizeMillis;
    private final long gracePeriodMillis;

    private YsbGeneratorConfig(final Builder builder) {
        seed = builder.seed;
        eventCount = builder.eventCount;
        campaignCount = builder.campaignCount;
        adsPerCampaign = builder.adsPerCampaign;
        userCount = builder.userCount;
        pageCount = builder.pageCount;
        startTimeMillis = builder.startTimeMillis;
        timeSpanMillis = builder.timeSpanMillis;
        lateRate = builder.lateRate;
        lateByMillis = builder.lateByMillis;
        corruptRate = builder.corruptRate;
        windowSizeMillis = builder.windowSizeMillis;
        gracePeriodMillis = builder.gracePeriodMillis;
        validate();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Seed of all random choices, the ad-to-campaign mapping included. Default 1. */
    public long seed() {
        return seed;
    }

    /** Number of records emitted, corrupt ones included. Default 100,000. */
    public long eventCount() {
        return eventCount;
    }

    /** Default 100. */
    public int campaignCount() {
        return campaignCount;
    }

    /** Default 10. */
    public int adsPerCampaign() {
        return adsPerCampaign;
    }

    /** Default 100. */
    public int userCount() {
        return userCount;
    }

    /** Default 100. */
    public int pageCount() {
        return pageCount;
    }

    /** Event time of the first event, epoch milliseconds. Default 2024-01-01T00:00:00Z. */
    public long startTimeMillis() {
        return startTimeMillis;
    }

    /** Events are spread evenly over this much event time. Default 100 seconds (1,000 events a second). */
    public long timeSpanMillis() {
        return timeSpanMillis;
    }

    /** Share of valid events whose {@code event_time} is {@code lateByMillis/2 .. lateByMillis} in the past. Default 0. */
    public double lateRate() {
        return lateRate;
    }

    /** Largest delay of a late event. Default 30 seconds. */
    public long lateByMillis() {
        return lateByMillis;
    }

    /** Share of emitted records that are corrupt copies of the valid record that follows them. Default 0. */
    public double corruptRate() {
        return corruptRate;
    }

    /** Size of the tally's tumbling windows. Default 10 seconds. */
    public long windowSizeMillis() {
        return windowSizeMillis;
    }

    /** Grace period of the tally's lateness count. Default 0. */
    public long gracePeriodMillis() {
        return gracePeriodMillis;
    }

    private void validate() {
        requireAtLeast("eventCount", eventCount, 0);
        requireAtLeast("campaignCount", campaignCount, 1);
        requireAtLeast("adsPerCampaign", adsPerCampaign, 1);
        requireAtLeast("userCount", userCount, 1);
        if (userCount > AdTrafficGeneratorConfig.MAXIMUM_USER_COUNT) {
            throw new IllegalArgumentException("userCount must be at most " + AdTrafficGeneratorConfig.MAXIMUM_USER_COUNT);
        }
        requireAtLeast("pageCount", pageCount, 1);
        requireAtLeast("startTimeMillis", startTimeMillis, 0);
        requireAtLeast("timeSpanMillis", timeSpanMillis, 1);
        requireRate("lateRate", lateRate);
        requireAtLeast("lateByMillis", lateByMillis, 0);
        requireRate("corruptRate", corruptRate);
        if (corruptRate >= 1.0) {
            throw new IllegalArgumentException("corruptRate must be below 1, was " + corruptRate);
        }
        requireAtLeast("windowSizeMillis", windowSizeMillis, 1);
        requireAtLeast("gracePeriodMillis", gracePeriodMillis, 0);
    }

    /** Builder of {@link YsbGeneratorConfig}; see the getters of that class for meaning and defaults. */
    public static final class Builder {

        private long seed = 1L;
        private long eventCount = 100_000L;
        private int campaignCount = 100;
        private int adsPerCampaign = 10;
        private int userCount = 100;
        private int pageCount = 100;
        private long startTimeMillis = WidgetGeneratorConfig.DEFAULT_START_TIME_MILLIS;
        private long timeSpanMillis = 100_000L;
        private double lateRate;
        private long lateByMillis = 30_000L;
        private double corruptRate;
        private long windowSizeMillis = 10_000L;
        private long gracePeriodMillis;

        private Builder() {
        }

        public Builder seed(final long seed) {
            this.seed = seed;
            return this;
        }

        public Builder eventCount(final long eventCount) {
            this.eventCount = eventCount;
            return this;
        }

        public Builder campaignCount(final int campaignCount) {
            this.campaignCount = campaignCount;
            return this;
        }

        public Builder adsPerCampaign(final int adsPerCampaign) {
            this.adsPerCampaign = adsPerCampaign;
            return this;
        }

        public Builder userCount(final int userCount) {
            this.userCount = userCount;
            return this;
        }

        public Builder pageCount(final int pageCount) {
            this.pageCount = pageCount;
            return this;
        }

        public Builder startTimeMillis(final long startTimeMillis) {
            this.startTimeMillis = startTimeMillis;
            return this;
        }

        public Builder timeSpanMillis(final long timeSpanMillis) {
            this.timeSpanMillis = timeSpanMillis;
            return this;
        }

        public Builder lateRate(final double lateRate) {
            this.lateRate = lateRate;
            return this;
        }

        public Builder lateByMillis(final long lateByMillis) {
            this.lateByMillis = lateByMillis;
            return this;
        }

        public Builder corruptRate(final double corruptRate) {
            this.corruptRate = corruptRate;
            return this;
        }

        public Builder windowSizeMillis(final long windowSizeMillis) {
            this.windowSizeMillis = windowSizeMillis;
            return this;
        }

        public Builder gracePeriodMillis(final long gracePeriodMillis) {
            this.gracePeriodMillis = gracePeriodMillis;
            return this;
        }

        public YsbGeneratorConfig build() {
            return new YsbGeneratorConfig(this);
        }
    }
}
