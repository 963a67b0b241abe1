package dev.onepipe.testdata;

import static dev.onepipe.testdata.WidgetGeneratorConfig.requireAtLeast;
import static dev.onepipe.testdata.WidgetGeneratorConfig.requireRate;

import java.util.Objects;

/**
 * Knobs of {@link AdTrafficGenerator}. Build with {@link #builder()}; every knob has a default.
 * Rates are expected shares, reached on average over many records.
 */
public final class AdTrafficGeneratorConfig {

    public static final long MINUTE_MILLIS = 60_000L;
    public static final long HOUR_MILLIS = 60 * MINUTE_MILLIS;
    /** Human users get addresses in 10.0.0.0/8, one per user, from 10.0.0.1. */
    public static final int MAXIMUM_USER_COUNT = (1 << 24) - 1;

    private final long seed;
    private final int servedCount;
    private final int campaignCount;
    private final int userCount;
    private final double hotCampaignShare;
    private final long startTimeMillis;
    private final long timeSpanMillis;
    private final double viewProbability;
    private final double clickProbability;
    private final long viewDelayMaxMillis;
    private final long clickDelayMaxMillis;
    private final long viewJoinWindowMillis;
    private final long clickJoinWindowMillis;
    private final double unjoinedRate;
    private final double duplicateRate;
    private final long duplicateDelayMaxMillis;
    private final double botShare;
    private final BotIpBlocklist botIpBlocklist;
    private final double lateRate;
    private final long lateByMillis;
    private final double corruptRate;
    private final long windowSizeMillis;
    private final long gracePeriodMillis;

    private AdTrafficGeneratorConfig(final Builder builder) {
        seed = builder.seed;
        servedCount = builder.servedCount;
        campaignCount = builder.campaignCount;
        userCount = builder.userCount;
        hotCampaignShare = builder.hotCampaignShare;
        startTimeMillis = builder.startTimeMillis;
        timeSpanMillis = builder.timeSpanMillis;
        viewProbability = builder.viewProbability;
        clickProbability = builder.clickProbability;
        viewDelayMaxMillis = builder.viewDelayMaxMillis;
        clickDelayMaxMillis = builder.clickDelayMaxMillis;
        viewJoinWindowMillis = builder.viewJoinWindowMillis;
        clickJoinWindowMillis = builder.clickJoinWindowMillis;
        unjoinedRate = builder.unjoinedRate;
        duplicateRate = builder.duplicateRate;
        duplicateDelayMaxMillis = builder.duplicateDelayMaxMillis;
        botShare = builder.botShare;
        botIpBlocklist = Objects.requireNonNull(builder.botIpBlocklist, "botIpBlocklist");
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

    /** Seed of all random choices. Default 1. */
    public long seed() {
        return seed;
    }

    /** Volume: number of distinct ad-served events (re-sends not counted). Default 10,000. */
    public int servedCount() {
        return servedCount;
    }

    /** Number of campaigns ({@code campaign-0001} ...); two campaigns per business. Default 20. */
    public int campaignCount() {
        return campaignCount;
    }

    /** Key cardinality of human users ({@code user-0000001} ...). Default 5,000. */
    public int userCount() {
        return userCount;
    }

    /**
     * Hot-key skew: share of serves that go to {@code campaign-0001}; the rest are spread evenly over the
     * other campaigns. {@code 1 / campaignCount} is no skew. Default 0.2.
     */
    public double hotCampaignShare() {
        return hotCampaignShare;
    }

    /** {@code served_at} of the first serve, epoch milliseconds. Default 2024-01-01T00:00:00Z. */
    public long startTimeMillis() {
        return startTimeMillis;
    }

    /** Serves are spread evenly over this much event time; views and clicks may come after it. Default 1 hour. */
    public long timeSpanMillis() {
        return timeSpanMillis;
    }

    /** Probability that a human's serve gets a view. Default 0.5. Bots view every ad served to them. */
    public double viewProbability() {
        return viewProbability;
    }

    /** Probability that a human's serve gets a click. Default 0.05. Bots click half the ads served to them. */
    public double clickProbability() {
        return clickProbability;
    }

    /** A view comes 0 .. this many milliseconds after its serve. Default 5 minutes. */
    public long viewDelayMaxMillis() {
        return viewDelayMaxMillis;
    }

    /** A click comes 0 .. this many milliseconds after its serve. Default 30 minutes. */
    public long clickDelayMaxMillis() {
        return clickDelayMaxMillis;
    }

    /** A view joins its serve when {@code served_at <= viewed_at <= served_at + this}. Default 1 hour. */
    public long viewJoinWindowMillis() {
        return viewJoinWindowMillis;
    }

    /** A click joins its serve when {@code served_at <= clicked_at <= served_at + this}. Default 24 hours. */
    public long clickJoinWindowMillis() {
        return clickJoinWindowMillis;
    }

    /**
     * Share of human views and clicks that cannot join: half of them name an ad id that was never served
     * ({@code ad-orphan-...}), half come after the join window. Default 0.02.
     */
    public double unjoinedRate() {
        return unjoinedRate;
    }

    /** Share of serves that are re-sent once with the same event_id. Default 0.01. */
    public double duplicateRate() {
        return duplicateRate;
    }

    /** A re-send is emitted 1 .. this many milliseconds (of event time) after its original. Default 5 seconds. */
    public long duplicateDelayMaxMillis() {
        return duplicateDelayMaxMillis;
    }

    /** Share of serves that go to bots, whose ip is on {@link #botIpBlocklist()}. Default 0.05. */
    public double botShare() {
        return botShare;
    }

    /** Where bots get their addresses. Default {@link BotIpBlocklist#standard()}. */
    public BotIpBlocklist botIpBlocklist() {
        return botIpBlocklist;
    }

    /** Share of serves, views and clicks emitted {@code lateByMillis/2 .. lateByMillis} after their event time. Default 0.01. */
    public double lateRate() {
        return lateRate;
    }

    /** Largest delay of a late event, in milliseconds. Default 10 minutes. */
    public long lateByMillis() {
        return lateByMillis;
    }

    /** Share of all emitted records that are corrupt copies of the valid record that follows them. Default 0.001. */
    public double corruptRate() {
        return corruptRate;
    }

    /** Size of the tally's tumbling windows. Default 1 minute. */
    public long windowSizeMillis() {
        return windowSizeMillis;
    }

    /** Grace period of the tally's lateness counts. Default 1 minute. */
    public long gracePeriodMillis() {
        return gracePeriodMillis;
    }

    private void validate() {
        requireAtLeast("servedCount", servedCount, 0);
        requireAtLeast("campaignCount", campaignCount, 1);
        requireAtLeast("userCount", userCount, 1);
        if (userCount > MAXIMUM_USER_COUNT) {
            throw new IllegalArgumentException("userCount must be at most " + MAXIMUM_USER_COUNT + ", was " + userCount);
        }
        requireRate("hotCampaignShare", hotCampaignShare);
        requireRate("viewProbability", viewProbability);
        requireRate("clickProbability", clickProbability);
        requireRate("unjoinedRate", unjoinedRate);
        requireRate("duplicateRate", duplicateRate);
        requireRate("botShare", botShare);
        requireRate("lateRate", lateRate);
        requireRate("corruptRate", corruptRate);
        if (corruptRate >= 1.0) {
            throw new IllegalArgumentException("corruptRate must be below 1, was " + corruptRate);
        }
        requireAtLeast("startTimeMillis", startTimeMillis, 0);
        requireAtLeast("timeSpanMillis", timeSpanMillis, 1);
        requireAtLeast("viewDelayMaxMillis", viewDelayMaxMillis, 0);
        requireAtLeast("clickDelayMaxMillis", clickDelayMaxMillis, 0);
        requireAtLeast("viewJoinWindowMillis", viewJoinWindowMillis, viewDelayMaxMillis);
        requireAtLeast("clickJoinWindowMillis", clickJoinWindowMillis, clickDelayMaxMillis);
        requireAtLeast("duplicateDelayMaxMillis", duplicateDelayMaxMillis, 1);
        requireAtLeast("lateByMillis", lateByMillis, 0);
        requireAtLeast("windowSizeMillis", windowSizeMillis, 1);
        requireAtLeast("gracePeriodMillis", gracePeriodMillis, 0);
        if (botShare > 0 && botIpBlocklist.entries().isEmpty()) {
            throw new IllegalArgumentException("botShare > 0 needs a bot IP blocklist with at least one entry");
        }
    }

    /** Builder of {@link AdTrafficGeneratorConfig}; see the getters of that class for meaning and defaults. */
    public static final class Builder {

        private long seed = 1L;
        private int servedCount = 10_000;
        private int campaignCount = 20;
        private int userCount = 5_000;
        private double hotCampaignShare = 0.2;
        private long startTimeMillis = WidgetGeneratorConfig.DEFAULT_START_TIME_MILLIS;
        private long timeSpanMillis = HOUR_MILLIS;
        private double viewProbability = 0.5;
        private double clickProbability = 0.05;
        private long viewDelayMaxMillis = 5 * MINUTE_MILLIS;
        private long clickDelayMaxMillis = 30 * MINUTE_MILLIS;
        private long viewJoinWindowMillis = HOUR_MILLIS;
        private long clickJoinWindowMillis = 24 * HOUR_MILLIS;
        private double unjoinedRate = 0.02;
        private double duplicateRate = 0.01;
        private long duplicateDelayMaxMillis = 5_000L;
        private double botShare = 0.05;
        private BotIpBlocklist botIpBlocklist = BotIpBlocklist.standard();
        private double lateRate = 0.01;
        private long lateByMillis = 10 * MINUTE_MILLIS;
        private double corruptRate = 0.001;
        private long windowSizeMillis = MINUTE_MILLIS;
        private long gracePeriodMillis = MINUTE_MILLIS;

        private Builder() {
        }

        public Builder seed(final long seed) {
            this.seed = seed;
            return this;
        }

        public Builder servedCount(final int servedCount) {
            this.servedCount = servedCount;
            return this;
        }

        public Builder campaignCount(final int campaignCount) {
            this.campaignCount = campaignCount;
            return this;
        }

        public Builder userCount(final int userCount) {
            this.userCount = userCount;
            return this;
        }

        public Builder hotCampaignShare(final double hotCampaignShare) {
            this.hotCampaignShare = hotCampaignShare;
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

        public Builder viewProbability(final double viewProbability) {
            this.viewProbability = viewProbability;
            return this;
        }

        public Builder clickProbability(final double clickProbability) {
            this.clickProbability = clickProbability;
            return this;
        }

        public Builder viewDelayMaxMillis(final long viewDelayMaxMillis) {
            this.viewDelayMaxMillis = viewDelayMaxMillis;
            return this;
        }

        public Builder clickDelayMaxMillis(final long clickDelayMaxMillis) {
            this.clickDelayMaxMillis = clickDelayMaxMillis;
            return this;
        }

        public Builder viewJoinWindowMillis(final long viewJoinWindowMillis) {
            this.viewJoinWindowMillis = viewJoinWindowMillis;
            return this;
        }

        public Builder clickJoinWindowMillis(final long clickJoinWindowMillis) {
            this.clickJoinWindowMillis = clickJoinWindowMillis;
            return this;
        }

        public Builder unjoinedRate(final double unjoinedRate) {
            this.unjoinedRate = unjoinedRate;
            return this;
        }

        public Builder duplicateRate(final double duplicateRate) {
            this.duplicateRate = duplicateRate;
            return this;
        }

        public Builder duplicateDelayMaxMillis(final long duplicateDelayMaxMillis) {
            this.duplicateDelayMaxMillis = duplicateDelayMaxMillis;
            return this;
        }

        public Builder botShare(final double botShare) {
            this.botShare = botShare;
            return this;
        }

        public Builder botIpBlocklist(final BotIpBlocklist botIpBlocklist) {
            this.botIpBlocklist = botIpBlocklist;
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

        /** Clean data: no duplicates, bots, unjoinable events, lateness or corruption. */
        public Builder noDefects() {
            unjoinedRate = 0;
            duplicateRate = 0;
            botShare = 0;
            lateRate = 0;
            corruptRate = 0;
            return this;
        }

        public AdTrafficGeneratorConfig build() {
            return new AdTrafficGeneratorConfig(this);
        }
    }
}
