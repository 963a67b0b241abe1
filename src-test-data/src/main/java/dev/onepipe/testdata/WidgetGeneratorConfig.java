package dev.onepipe.testdata;

/**
 * Knobs of {@link WidgetGenerator}. Build with {@link #builder()}; every knob has a default.
 *
 * <p>Rates are expected shares, reached on average over many records: {@code duplicateRate} and
 * {@code corruptRate} are shares of all emitted records, {@code outOfOrderRate} and {@code lateRate} are
 * shares of first sends (valid records that are not duplicates).
 */
public final class WidgetGeneratorConfig {

    /** 2024-01-01T00:00:00Z. */
    public static final long DEFAULT_START_TIME_MILLIS = 1_704_067_200_000L;
    public static final long HOUR_MILLIS = 3_600_000L;

    private final long seed;
    private final long recordCount;
    private final int widgetCount;
    private final double zipfExponent;
    private final double duplicateRate;
    private final double outOfOrderRate;
    private final double lateRate;
    private final long lateByMillis;
    private final double corruptRate;
    private final long startTimeMillis;
    private final long timeSpanMillis;
    private final long gracePeriodMillis;

    private WidgetGeneratorConfig(final Builder builder) {
        seed = builder.seed;
        recordCount = builder.recordCount;
        widgetCount = builder.widgetCount;
        zipfExponent = builder.zipfExponent;
        duplicateRate = builder.duplicateRate;
        outOfOrderRate = builder.outOfOrderRate;
        lateRate = builder.lateRate;
        lateByMillis = builder.lateByMillis;
        corruptRate = builder.corruptRate;
        startTimeMillis = builder.startTimeMillis;
        timeSpanMillis = builder.timeSpanMillis;
        gracePeriodMillis = builder.gracePeriodMillis;
        validate();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Seed of all random choices: the same configuration gives the same records. Default 1. */
    public long seed() {
        return seed;
    }

    /** Number of records emitted, corrupt ones and duplicates included. Default 10,000. */
    public long recordCount() {
        return recordCount;
    }

    /** Key cardinality: number of distinct widgets that may be updated. Default 1,000. */
    public int widgetCount() {
        return widgetCount;
    }

    /**
     * Hot-key skew: widget of rank r (id {@code widget-<r+1>}) is picked for an update with probability
     * proportional to 1 / (r + 1)^exponent; 0 is uniform. Default 1.0.
     */
    public double zipfExponent() {
        return zipfExponent;
    }

    /** Share of emitted records that are exact re-sends of a recent first send. Default 0.01. */
    public double duplicateRate() {
        return duplicateRate;
    }

    /** Share of first sends emitted right after the next version of the same widget. At most 0.5. Default 0.01. */
    public double outOfOrderRate() {
        return outOfOrderRate;
    }

    /** Share of first sends whose {@code updated_at} lies {@code lateByMillis/2 .. lateByMillis} in the past. Default 0.01. */
    public double lateRate() {
        return lateRate;
    }

    /** Largest delay of a late record, in milliseconds. Default 30 minutes. */
    public long lateByMillis() {
        return lateByMillis;
    }

    /** Share of emitted records that are corrupt copies of the valid record that follows them. Default 0.001. */
    public double corruptRate() {
        return corruptRate;
    }

    /** Event time of the first record, epoch milliseconds. Default 2024-01-01T00:00:00Z. */
    public long startTimeMillis() {
        return startTimeMillis;
    }

    /** Records are spread evenly over this much event time. Default 24 hours. */
    public long timeSpanMillis() {
        return timeSpanMillis;
    }

    /** Grace period of the tally's lateness count, see {@link WidgetTally#lateCount()}. Default 1 minute. */
    public long gracePeriodMillis() {
        return gracePeriodMillis;
    }

    private void validate() {
        requireAtLeast("recordCount", recordCount, 0);
        requireAtLeast("widgetCount", widgetCount, 1);
        requireRate("duplicateRate", duplicateRate);
        requireRate("lateRate", lateRate);
        requireRate("corruptRate", corruptRate);
        requireRate("outOfOrderRate", outOfOrderRate);
        if (outOfOrderRate > 0.5) {
            throw new IllegalArgumentException("outOfOrderRate must be at most 0.5 (each out-of-order record needs a first send that overtakes it), was " + outOfOrderRate);
        }
        if (duplicateRate + corruptRate >= 1.0) {
            throw new IllegalArgumentException("duplicateRate + corruptRate must be below 1, was " + (duplicateRate + corruptRate));
        }
        if (zipfExponent < 0 || Double.isNaN(zipfExponent) || Double.isInfinite(zipfExponent)) {
            throw new IllegalArgumentException("zipfExponent must be a finite number >= 0, was " + zipfExponent);
        }
        requireAtLeast("lateByMillis", lateByMillis, 0);
        requireAtLeast("startTimeMillis", startTimeMillis, 0);
        requireAtLeast("timeSpanMillis", timeSpanMillis, 1);
        requireAtLeast("gracePeriodMillis", gracePeriodMillis, 0);
    }

    static void requireRate(final String name, final double rate) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, was " + rate);
        }
    }

    static void requireAtLeast(final String name, final long value, final long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(name + " must be at least " + minimum + ", was " + value);
        }
    }

    /** Builder of {@link WidgetGeneratorConfig}; see the getters of that class for meaning and defaults. */
    public static final class Builder {

        private long seed = 1L;
        private long recordCount = 10_000L;
        private int widgetCount = 1_000;
        private double zipfExponent = 1.0;
        private double duplicateRate = 0.01;
        private double outOfOrderRate = 0.01;
        private double lateRate = 0.01;
        private long lateByMillis = 30 * 60_000L;
        private double corruptRate = 0.001;
        private long startTimeMillis = DEFAULT_START_TIME_MILLIS;
        private long timeSpanMillis = 24 * HOUR_MILLIS;
        private long gracePeriodMillis = 60_000L;

        private Builder() {
        }

        public Builder seed(final long seed) {
            this.seed = seed;
            return this;
        }

        public Builder recordCount(final long recordCount) {
            this.recordCount = recordCount;
            return this;
        }

        public Builder widgetCount(final int widgetCount) {
            this.widgetCount = widgetCount;
            return this;
        }

        public Builder zipfExponent(final double zipfExponent) {
            this.zipfExponent = zipfExponent;
            return this;
        }

        public Builder duplicateRate(final double duplicateRate) {
            this.duplicateRate = duplicateRate;
            return this;
        }

        public Builder outOfOrderRate(final double outOfOrderRate) {
            this.outOfOrderRate = outOfOrderRate;
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

        public Builder startTimeMillis(final long startTimeMillis) {
            this.startTimeMillis = startTimeMillis;
            return this;
        }

        public Builder timeSpanMillis(final long timeSpanMillis) {
            this.timeSpanMillis = timeSpanMillis;
            return this;
        }

        public Builder gracePeriodMillis(final long gracePeriodMillis) {
            this.gracePeriodMillis = gracePeriodMillis;
            return this;
        }

        /** Clean data: no duplicates, disorder, lateness or corruption. */
        public Builder noDefects() {
            duplicateRate = 0;
            outOfOrderRate = 0;
            lateRate = 0;
            corruptRate = 0;
            return this;
        }

        public WidgetGeneratorConfig build() {
            return new WidgetGeneratorConfig(this);
        }
    }
}
