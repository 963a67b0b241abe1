package dev.onepipe.launcher;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import dev.onepipe.metadata.TimestampText;
import dev.onepipe.testdata.AdTrafficGenerator;
import dev.onepipe.testdata.AdTrafficGeneratorConfig;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.WidgetGenerator;
import dev.onepipe.testdata.WidgetGeneratorConfig;
import dev.onepipe.testdata.YsbGenerator;
import dev.onepipe.testdata.YsbGeneratorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The seeded generators of {@code src-test-data}, chosen by dataset, with the knobs the command line exposes
 * (a picocli mixin). A knob left out keeps the generator's default.
 */
final class SampleTraffic {

    /** Datasets a generator exists for; ad traffic also publishes its views, clicks and campaigns. */
    static final List<String> GENERATED_DATASETS = List.of(SampleDatasets.WIDGETS, SampleDatasets.AD_SERVED, SampleDatasets.YSB_EVENTS);

    @Option(names = "--seed", defaultValue = "1", paramLabel = "<seed>",
            description = "Generator seed: the same seed and --start give the same records (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--start", paramLabel = "<time>", converter = StartTime.class,
            description = "Event time of the first record, ISO-8601 as JSON timestamps and replay --from take it: 2026-11-29T10:00:00Z,"
                + " 2026-11-29T10:00 (UTC), 2026-11-29 (default: midnight UTC two days ago).")
    Instant start;

    /** {@code --start} read by {@link TimestampText}, as every other time on the command line. */
    static final class StartTime implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(final String value) {
            try {
                return TimestampText.parseInstant(value);
            } catch (final java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a time: use " + TimestampText.FORMS);
            }
        }
    }

    @Option(names = "--duplicate-rate", paramLabel = "<0..1>", description = "Share of records sent twice (widgets, ad traffic).")
    Double duplicateRate;

    @Option(names = "--corrupt-rate", paramLabel = "<0..1>", description = "Share of records followed by a corrupt copy: garbage, unknown schema id or truncated bytes.")
    Double corruptRate;

    @Option(names = "--late-rate", paramLabel = "<0..1>", description = "Share of records sent late.")
    Double lateRate;

    @Option(names = "--bot-share", paramLabel = "<0..1>", description = "Share of ad traffic from bot IPs.")
    Double botShare;

    @Option(names = "--hot-campaign-share", paramLabel = "<0..1>", description = "Share of ad traffic for one hot campaign.")
    Double hotCampaignShare;

    /** The datasets generating for {@code dataset} writes to: ad traffic and YSB events come with their reference data. */
    static List<String> datasetsWritten(String dataset) {
        return switch (dataset) {
            case SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS ->
                    List.of(SampleDatasets.CAMPAIGNS, SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS);
            case SampleDatasets.YSB_EVENTS -> List.of(SampleDatasets.YSB_CAMPAIGNS, SampleDatasets.YSB_EVENTS);
            default -> List.of(dataset);
        };
    }

    /**
     * Midnight UTC two days ago: recent, because a broker deletes records by their timestamps from topics with a
     * time-based retention, and Kafka Streams gives window-store changelogs one (the store's retention plus a day); yet
     * far enough back that every generated event time, a day's span and late copies included, is in the past.
     */
    static Instant defaultStart() {
        return Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
    }

    private Instant startTime() {
        return start != null ? start : defaultStart();
    }

    /**
     * {@code count} generated records for {@code dataset} (ad traffic: {@code count} ads served, with their views,
     * clicks and campaign records), in publishing order.
     */
    Iterator<GeneratedRecord> generate(String dataset, long count) {
        switch (dataset) {
            case SampleDatasets.WIDGETS -> {
                WidgetGeneratorConfig.Builder config = WidgetGeneratorConfig.builder().seed(seed).recordCount(count)
                        .startTimeMillis(startTime().toEpochMilli());
                if (duplicateRate != null) {
                    config.duplicateRate(duplicateRate);
                }
                if (corruptRate != null) {
                    config.corruptRate(corruptRate);
                }
                if (lateRate != null) {
                    config.lateRate(lateRate);
                }
                return new WidgetGenerator(config.build());
            }
            case SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS -> {
                AdTrafficGenerator generator = new AdTrafficGenerator(adTrafficConfig(Math.toIntExact(count)));
                return concatenate(generator.campaignRecords().iterator(), generator);
            }
            case SampleDatasets.YSB_EVENTS -> {
                YsbGeneratorConfig.Builder config = YsbGeneratorConfig.builder().seed(seed).eventCount(count)
                        .startTimeMillis(startTime().toEpochMilli());
                if (corruptRate != null) {
                    config.corruptRate(corruptRate);
                }
                if (lateRate != null) {
                    config.lateRate(lateRate);
                }
                YsbGenerator generator = new YsbGenerator(config.build());
                return concatenate(generator.campaignMappingRecords().iterator(), generator);
            }
            default -> throw new IllegalArgumentException("No generator for dataset '" + dataset + "'; generators exist for "
                    + String.join(", ", GENERATED_DATASETS));
        }
    }

    AdTrafficGeneratorConfig adTrafficConfig(int servedCount) {
        AdTrafficGeneratorConfig.Builder config = AdTrafficGeneratorConfig.builder().seed(seed).servedCount(servedCount)
                .startTimeMillis(startTime().toEpochMilli());
        if (duplicateRate != null) {
            config.duplicateRate(duplicateRate);
        }
        if (corruptRate != null) {
            config.corruptRate(corruptRate);
        }
        if (lateRate != null) {
            config.lateRate(lateRate);
        }
        if (botShare != null) {
            config.botShare(botShare);
        }
        if (hotCampaignShare != null) {
            config.hotCampaignShare(hotCampaignShare);
        }
        return config.build();
    }

    @SafeVarargs
    static Iterator<GeneratedRecord> concatenate(Iterator<GeneratedRecord>... parts) {
        return Stream.of(parts).flatMap(part -> Stream.iterate(part, Iterator::hasNext, same -> same).map(Iterator::next)).iterator();
    }
}
