package dev.onepipe.testdata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.UUID;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Seeded, deterministic workload of the Yahoo Streaming Benchmark (github.com/yahoo/streaming-benchmarks):
 * {@code ysb-events} records whose user, page, ad, ad type and event type are drawn uniformly, with event
 * times spread evenly over the time span; and the {@code ysb-campaigns} mapping of
 * {@code campaignCount * adsPerCampaign} ads to their campaigns. All ids are random UUIDs drawn from the seed.
 *
 * <p>Emits exactly {@code eventCount} records, each one added to {@link #tally()} as it is emitted.
 */
public final class YsbGenerator implements Iterator<GeneratedRecord> {

    public static final String VIEW = "view";
    public static final List<String> EVENT_TYPES = List.of(VIEW, "click", "purchase");
    public static final List<String> AD_TYPES = List.of("banner", "modal", "sponsored-search", "mail", "mobile");

    private final YsbGeneratorConfig config;
    private final Schema eventSchema;
    private final SplittableRandom random;
    private final List<String> adIds = new ArrayList<>();
    private final Map<String, String> campaignByAd = new LinkedHashMap<>();
    private final List<String> userIds = new ArrayList<>();
    private final List<String> pageIds = new ArrayList<>();
    private final List<GeneratedRecord> campaignMappingRecords;
    private final double corruptCopyProbability;
    private final YsbTally tally;
    private GeneratedRecord validAfterCorruptCopy;
    private long emitted;

    public YsbGenerator(final YsbGeneratorConfig config) {
        this.config = config;
        this.eventSchema = SampleDatasets.schema(SampleDatasets.YSB_EVENTS);
        this.random = new SplittableRandom(config.seed());
        // Ids come from their own split stream, so the mapping depends on the seed and the counts only.
        final SplittableRandom idRandom = random.split();
        for (int campaign = 0; campaign < config.campaignCount(); campaign++) {
            final String campaignId = randomUuid(idRandom);
            for (int ad = 0; ad < config.adsPerCampaign(); ad++) {
                final String adId = randomUuid(idRandom);
                adIds.add(adId);
                campaignByAd.put(adId, campaignId);
            }
        }
        for (int user = 0; user < config.userCount(); user++) {
            userIds.add(randomUuid(idRandom));
        }
        for (int page = 0; page < config.pageCount(); page++) {
            pageIds.add(randomUuid(idRandom));
        }
        this.campaignMappingRecords = List.copyOf(makeMappingRecords());
        this.corruptCopyProbability = CorruptRecordFactory.copyProbability(config.corruptRate());
        this.tally = new YsbTally(config.windowSizeMillis(), config.gracePeriodMillis(), campaignByAd);
    }

    public YsbGeneratorConfig config() {
        return config;
    }

    /** The campaign of every ad, in generation order. */
    public Map<String, String> campaignByAd() {
        return Collections.unmodifiableMap(campaignByAd);
    }

    /** The {@code ysb-campaigns} records, one per ad, keyed by {@code ad_id}, {@code updated_at} = start time. */
    public List<GeneratedRecord> campaignMappingRecords() {
        return campaignMappingRecords;
    }

    /** Expected results over the records emitted so far. */
    public YsbTally tally() {
        return tally;
    }

    @Override
    public boolean hasNext() {
        return emitted < config.eventCount();
    }

    @Override
    public GeneratedRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("All " + config.eventCount() + " events were emitted");
        }
        GeneratedRecord record;
        if (validAfterCorruptCopy != null) {
            record = validAfterCorruptCopy;
            validAfterCorruptCopy = null;
        } else {
            final GeneratedRecord valid = nextValid();
            if (config.eventCount() - emitted >= 2 && random.nextDouble() < corruptCopyProbability) {
                validAfterCorruptCopy = valid;
                record = CorruptRecordFactory.corruptCopyOf(valid, random);
            } else {
                record = valid;
            }
        }
        emitted++;
        tally.add(record);
        return record;
    }

    /** Emits all remaining records. */
    public List<GeneratedRecord> generateAll() {
        final List<GeneratedRecord> records = new ArrayList<>();
        while (hasNext()) {
            records.add(next());
        }
        return records;
    }

    private GeneratedRecord nextValid() {
        long eventTime = config.startTimeMillis()
            + Math.round((double) emitted * config.timeSpanMillis() / config.eventCount());
        if (random.nextDouble() < config.lateRate()) {
            eventTime = Math.max(0L, eventTime - config.lateByMillis() / 2 - random.nextLong(config.lateByMillis() / 2 + 1));
        }
        final int user = random.nextInt(userIds.size());
        final String eventId = randomUuid(random);
        final GenericRecord value = new GenericData.Record(eventSchema);
        value.put("event_id", eventId);
        value.put("user_id", userIds.get(user));
        value.put("page_id", pageIds.get(random.nextInt(pageIds.size())));
        value.put("ad_id", adIds.get(random.nextInt(adIds.size())));
        value.put("ad_type", AD_TYPES.get(random.nextInt(AD_TYPES.size())));
        value.put("event_type", EVENT_TYPES.get(random.nextInt(EVENT_TYPES.size())));
        value.put("event_time", eventTime);
        value.put("ip_address", AdTrafficGenerator.humanAddress(user));
        return GeneratedRecord.valid(SampleDatasets.YSB_EVENTS, eventId, eventTime, value);
    }

    private List<GeneratedRecord> makeMappingRecords() {
        final Schema schema = SampleDatasets.schema(SampleDatasets.YSB_CAMPAIGNS);
        final List<GeneratedRecord> records = new ArrayList<>();
        campaignByAd.forEach((adId, campaignId) -> {
            final GenericRecord mapping = new GenericData.Record(schema);
            mapping.put("ad_id", adId);
            mapping.put("campaign_id", campaignId);
            mapping.put("updated_at", config.startTimeMillis());
            records.add(GeneratedRecord.valid(SampleDatasets.YSB_CAMPAIGNS, adId, config.startTimeMillis(), mapping));
        });
        return records;
    }

    /** A version 4 UUID whose random bits come from {@code random}. */
    static String randomUuid(final SplittableRandom random) {
        final long mostSignificant = (random.nextLong() & ~0xF000L) | 0x4000L;
        final long leastSignificant = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(mostSignificant, leastSignificant).toString();
    }
}
