package dev.onepipe.testdata;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Seeded, deterministic ad traffic of the Yelp ad-campaign example: {@code ad-served}, {@code ad-views} and
 * {@code ad-clicks} records interleaved in one sequence (each record names its dataset), plus the
 * {@code campaigns} reference records from {@link #campaignRecords()}.
 *
 * <p>Serve number n (from 1) has {@code event_id} {@code served-<n>} and {@code ad_id} {@code ad-<n>}, is
 * served at {@code start + (n-1) * span / servedCount}, to a campaign chosen with hot-key skew, to a human
 * user (address in 10.0.0.0/8) or, with {@code botShare}, to a bot (address from the bot blocklist).
 * A serve may get a view and a click, each with its own {@code event_id} ({@code view-<n>},
 * {@code click-<n>}), from the same user and address, within the configured delays.
 *
 * <p>Records are emitted in order of emission time, which is the event time except for late events (emitted
 * {@code lateByMillis/2 .. lateByMillis} after it) and re-sends of serves (emitted up to
 * {@code duplicateDelayMaxMillis} after the original). Ties keep scheduling order. So with {@code lateRate} 0
 * the event times of each stream never go backwards by more than {@code duplicateDelayMaxMillis}, and only on
 * re-sends. Corrupt records are copies emitted just before the valid record they were made from.
 * Each record is added to {@link #tally()} as it is emitted.
 */
public final class AdTrafficGenerator implements Iterator<GeneratedRecord> {

    static final double BOT_CLICK_PROBABILITY = 0.5;

    private static final String[] PLACEMENTS = {"search_top", "search_sidebar", "business_page", "mobile_feed"};
    private static final String[] CAMPAIGN_THEMES =
        {"Spring Promo", "Lunch Rush", "Grand Opening", "Weekend Deals", "Holiday Special", "Happy Hour"};

    private final AdTrafficGeneratorConfig config;
    private final Schema servedSchema;
    private final Schema viewSchema;
    private final Schema clickSchema;
    private final SplittableRandom random;
    private final List<GeneratedRecord> campaignRecords;
    private final double corruptCopyProbability;
    private final PriorityQueue<ScheduledRecord> schedule = new PriorityQueue<>(
        Comparator.comparingLong(ScheduledRecord::emitAtMillis).thenComparingLong(ScheduledRecord::sequence));
    private final AdTrafficTally tally;
    private GeneratedRecord validAfterCorruptCopy;
    private int nextServe;
    private long scheduledCount;
    private long viewCount;
    private long clickCount;
    private long orphanCount;

    public AdTrafficGenerator(final AdTrafficGeneratorConfig config) {
        this.config = config;
        this.servedSchema = SampleDatasets.schema(SampleDatasets.AD_SERVED);
        this.viewSchema = SampleDatasets.schema(SampleDatasets.AD_VIEWS);
        this.clickSchema = SampleDatasets.schema(SampleDatasets.AD_CLICKS);
        this.random = new SplittableRandom(config.seed());
        // Campaigns come from their own split stream, so they depend on the seed and campaign count only.
        this.campaignRecords = List.copyOf(makeCampaigns(random.split()));
        this.corruptCopyProbability = CorruptRecordFactory.copyProbability(config.corruptRate());
        this.tally = AdTrafficTally.of(config);
    }

    public static String campaignId(final int index) {
        return String.format("campaign-%04d", index + 1);
    }

    public static String businessId(final int campaignIndex) {
        return String.format("business-%04d", campaignIndex / 2 + 1);
    }

    /** Address of human user {@code index} (from 0): {@code 10.0.0.1 + index}, never on the bot blocklist. */
    public static String humanAddress(final int index) {
        return BotIpBlocklist.formatAddress((10 << 24) + index + 1);
    }

    public AdTrafficGeneratorConfig config() {
        return config;
    }

    /** The {@code campaigns} reference records, one per campaign, {@code updated_at} = start time. */
    public List<GeneratedRecord> campaignRecords() {
        return campaignRecords;
    }

    /** Expected results over the records emitted so far. */
    public AdTrafficTally tally() {
        return tally;
    }

    @Override
    public boolean hasNext() {
        return validAfterCorruptCopy != null || nextServe < config.servedCount() || !schedule.isEmpty();
    }

    @Override
    public GeneratedRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("All ad traffic was emitted");
        }
        GeneratedRecord record;
        if (validAfterCorruptCopy != null) {
            record = validAfterCorruptCopy;
            validAfterCorruptCopy = null;
        } else {
            while (nextServe < config.servedCount()
                && (schedule.isEmpty() || servedAt(nextServe) <= schedule.peek().emitAtMillis())) {
                scheduleServe(nextServe++);
            }
            final GeneratedRecord valid = schedule.poll().record();
            if (random.nextDouble() < corruptCopyProbability) {
                validAfterCorruptCopy = valid;
                record = CorruptRecordFactory.corruptCopyOf(valid, random);
            } else {
                record = valid;
            }
        }
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

    private long servedAt(final int serveIndex) {
        return config.startTimeMillis()
            + Math.round((double) serveIndex * config.timeSpanMillis() / config.servedCount());
    }

    private void scheduleServe(final int serveIndex) {
        final long servedAt = servedAt(serveIndex);
        final boolean bot = random.nextDouble() < config.botShare();
        final String ip;
        final String userId;
        if (bot) {
            ip = config.botIpBlocklist().randomAddress(random);
            userId = "user-" + ip.replace('.', '-');
        } else {
            final int user = random.nextInt(config.userCount());
            ip = humanAddress(user);
            userId = String.format("user-%07d", user + 1);
        }
        final int campaign = pickCampaign();
        final String adId = String.format("ad-%010d", serveIndex + 1);
        final String eventId = String.format("served-%010d", serveIndex + 1);

        final GenericRecord served = new GenericData.Record(servedSchema);
        served.put("event_id", eventId);
        served.put("ad_id", adId);
        served.put("campaign_id", campaignId(campaign));
        served.put("business_id", businessId(campaign));
        served.put("user_id", userId);
        served.put("ip", ip);
        served.put("bid_micros", 10_000L + random.nextLong(4_990_001L));
        served.put("relevance_score", Math.round(random.nextDouble() * 1000.0) / 1000.0);
        served.put("placement", PLACEMENTS[random.nextInt(PLACEMENTS.length)]);
        served.put("served_at", servedAt);
        final long emitAt = servedAt + lateDelay();
        schedule(emitAt, GeneratedRecord.valid(SampleDatasets.AD_SERVED, eventId, servedAt, served));
        if (random.nextDouble() < config.duplicateRate()) {
            final GenericRecord resent = GenericData.get().deepCopy(servedSchema, served);
            schedule(emitAt + 1 + random.nextLong(config.duplicateDelayMaxMillis()),
                GeneratedRecord.valid(SampleDatasets.AD_SERVED, eventId, servedAt, resent));
        }

        if (bot || random.nextDouble() < config.viewProbability()) {
            viewCount++;
            scheduleReaction(viewSchema, SampleDatasets.AD_VIEWS, "viewed_at", String.format("view-%010d", viewCount),
                bot, servedAt, adId, userId, ip, config.viewDelayMaxMillis(), config.viewJoinWindowMillis());
        }
        if (random.nextDouble() < (bot ? BOT_CLICK_PROBABILITY : config.clickProbability())) {
            clickCount++;
            scheduleReaction(clickSchema, SampleDatasets.AD_CLICKS, "clicked_at", String.format("click-%010d", clickCount),
                bot, servedAt, adId, userId, ip, config.clickDelayMaxMillis(), config.clickJoinWindowMillis());
        }
    }

    private void scheduleReaction(final Schema schema,
                                  final String dataset,
                                  final String timeField,
                                  final String eventId,
                                  final boolean bot,
                                  final long servedAt,
                                  final String servedAdId,
                                  final String userId,
                                  final String ip,
                                  final long delayMaxMillis,
                                  final long joinWindowMillis) {
        String adId = servedAdId;
        long eventTime = servedAt + random.nextLong(delayMaxMillis + 1);
        // Bots are dropped by the bot filter first; making their events unjoinable as well would blur the counts.
        if (!bot && random.nextDouble() < config.unjoinedRate()) {
            if (random.nextBoolean()) {
                orphanCount++;
                adId = String.format("ad-orphan-%010d", orphanCount);
            } else {
                eventTime = servedAt + joinWindowMillis + 1 + random.nextLong(delayMaxMillis + 1);
            }
        }
        final GenericRecord value = new GenericData.Record(schema);
        value.put("event_id", eventId);
        value.put("ad_id", adId);
        value.put("user_id", userId);
        value.put("ip", ip);
        value.put(timeField, eventTime);
        schedule(eventTime + lateDelay(), GeneratedRecord.valid(dataset, eventId, eventTime, value));
    }

    private int pickCampaign() {
        if (config.campaignCount() == 1 || random.nextDouble() < config.hotCampaignShare()) {
            return 0;
        }
        return 1 + random.nextInt(config.campaignCount() - 1);
    }

    private long lateDelay() {
        if (random.nextDouble() >= config.lateRate()) {
            return 0L;
        }
        return config.lateByMillis() / 2 + random.nextLong(config.lateByMillis() / 2 + 1);
    }

    private void schedule(final long emitAtMillis, final GeneratedRecord record) {
        schedule.add(new ScheduledRecord(emitAtMillis, scheduledCount++, record));
    }

    private List<GeneratedRecord> makeCampaigns(final SplittableRandom campaignRandom) {
        final Schema schema = SampleDatasets.schema(SampleDatasets.CAMPAIGNS);
        final List<GeneratedRecord> records = new ArrayList<>();
        for (int index = 0; index < config.campaignCount(); index++) {
            final GenericRecord campaign = new GenericData.Record(schema);
            campaign.put("campaign_id", campaignId(index));
            campaign.put("business_id", businessId(index));
            campaign.put("name", CAMPAIGN_THEMES[campaignRandom.nextInt(CAMPAIGN_THEMES.length)] + " " + (index + 1));
            campaign.put("daily_budget_micros", (10L + campaignRandom.nextInt(991)) * 1_000_000L);
            campaign.put("updated_at", config.startTimeMillis());
            records.add(GeneratedRecord.valid(SampleDatasets.CAMPAIGNS, campaignId(index), config.startTimeMillis(), campaign));
        }
        return records;
    }

    private record ScheduledRecord(long emitAtMillis, long sequence, GeneratedRecord record) {
    }
}
