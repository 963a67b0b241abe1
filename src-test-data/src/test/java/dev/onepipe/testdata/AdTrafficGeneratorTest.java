package dev.onepipe.testdata;

import static dev.onepipe.testdata.ShareAssertions.assertShare;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AdTrafficGeneratorTest {

    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final List<String> STREAMS =
        List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS);
    private static final Map<String, String> TIME_FIELDS = Map.of(
        SampleDatasets.AD_SERVED, "served_at", SampleDatasets.AD_VIEWS, "viewed_at", SampleDatasets.AD_CLICKS, "clicked_at");

    /** Small and full of every defect, with short join windows so that some events fall outside them. */
    private static final AdTrafficGeneratorConfig MESSY = AdTrafficGeneratorConfig.builder()
        .seed(5)
        .servedCount(400)
        .campaignCount(5)
        .userCount(30)
        .hotCampaignShare(0.4)
        .timeSpanMillis(10 * MINUTE)
        .viewProbability(0.6)
        .clickProbability(0.3)
        .viewDelayMaxMillis(2 * MINUTE)
        .clickDelayMaxMillis(5 * MINUTE)
        .viewJoinWindowMillis(3 * MINUTE)
        .clickJoinWindowMillis(10 * MINUTE)
        .unjoinedRate(0.2)
        .duplicateRate(0.1)
        .duplicateDelayMaxMillis(3 * SECOND)
        .botShare(0.15)
        .lateRate(0.1)
        .lateByMillis(4 * MINUTE)
        .corruptRate(0.05)
        .windowSizeMillis(30 * SECOND)
        .gracePeriodMillis(10 * SECOND)
        .build();

    @Test
    void sameSeedGivesTheSameRecordsAndAnotherSeedDoesNot() {
        final AdTrafficGenerator first = new AdTrafficGenerator(MESSY);
        final AdTrafficGenerator second = new AdTrafficGenerator(MESSY);
        final AdTrafficGenerator otherSeed = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder().seed(6).servedCount(400).build());
        final List<GeneratedRecord> records = first.generateAll();
        assertEquals(records, second.generateAll());
        assertEquals(first.campaignRecords(), second.campaignRecords());
        assertNotEquals(records, otherSeed.generateAll());
        assertNotEquals(new AdTrafficGenerator(AdTrafficGeneratorConfig.builder().seed(5).build()).campaignRecords(),
            new AdTrafficGenerator(AdTrafficGeneratorConfig.builder().seed(6).build()).campaignRecords());
    }

    @Test
    void everyValidRecordMatchesItsSchemaKeyAndTimestamp() {
        final List<GeneratedRecord> records = new AdTrafficGenerator(MESSY).generateAll();
        for (final GeneratedRecord record : records) {
            assertTrue(STREAMS.contains(record.dataset()), record.dataset());
            if (!record.isCorrupt()) {
                final Schema schema = SampleDatasets.schema(record.dataset());
                assertSame(schema, record.value().getSchema());
                assertTrue(GenericData.get().validate(schema, record.value()), record.toString());
                assertEquals(record.key(), record.value().get("event_id"));
                assertEquals(record.timestampMillis(), record.value().get(TIME_FIELDS.get(record.dataset())));
            }
        }
        final Set<String> servedEvents = new HashSet<>();
        records.stream().filter(record -> record.dataset().equals(SampleDatasets.AD_SERVED) && !record.isCorrupt())
            .forEach(record -> servedEvents.add(record.key()));
        assertEquals(MESSY.servedCount(), servedEvents.size(), "volume is the number of distinct serves");
    }

    @Test
    void campaignRecordsAreValidReferenceData() {
        final List<GeneratedRecord> campaigns = new AdTrafficGenerator(MESSY).campaignRecords();
        assertEquals(5, campaigns.size());
        final Schema schema = SampleDatasets.schema(SampleDatasets.CAMPAIGNS);
        for (int index = 0; index < campaigns.size(); index++) {
            final GenericRecord value = campaigns.get(index).value();
            assertTrue(GenericData.get().validate(schema, value));
            assertEquals(String.format("campaign-%04d", index + 1), value.get("campaign_id"));
            assertEquals(String.format("business-%04d", index / 2 + 1), value.get("business_id"));
            assertEquals(SampleDatasets.CAMPAIGNS, campaigns.get(index).dataset());
        }
    }

    @Test
    void tallyMatchesABruteForceRecomputation() {
        final AdTrafficGenerator generator = new AdTrafficGenerator(MESSY);
        final List<GeneratedRecord> records = generator.generateAll();
        final AdTrafficTally tally = generator.tally();
        final long window = MESSY.windowSizeMillis();

        final List<GeneratedRecord> valid = records.stream().filter(record -> !record.isCorrupt()).toList();
        final List<GeneratedRecord> firstSends = new ArrayList<>();
        final Map<String, Long> duplicates = new HashMap<>();
        for (int index = 0; index < valid.size(); index++) {
            final GeneratedRecord record = valid.get(index);
            boolean seen = false;
            for (int earlier = 0; earlier < index; earlier++) {
                seen |= valid.get(earlier).dataset().equals(record.dataset())
                    && valid.get(earlier).value().get("event_id").equals(record.value().get("event_id"));
            }
            if (seen) {
                duplicates.merge(record.dataset(), 1L, Long::sum);
            } else {
                firstSends.add(record);
            }
        }

        final Map<String, Map<DropReason, Long>> drops = new HashMap<>();
        final Map<CampaignWindow, long[]> counts = new HashMap<>();
        final Map<CampaignWindow, Set<Object>> users = new HashMap<>();
        final List<GenericRecord> countedServes = new ArrayList<>();
        for (final GeneratedRecord record : firstSends) {
            final GenericRecord value = record.value();
            if (isBotAddress(value.get("ip").toString())) {
                drops.computeIfAbsent(record.dataset(), stream -> new HashMap<>()).merge(DropReason.BOT_IP, 1L, Long::sum);
            } else if (record.dataset().equals(SampleDatasets.AD_SERVED)) {
                countedServes.add(value);
                final long servedAt = (Long) value.get("served_at");
                final CampaignWindow key = new CampaignWindow(value.get("campaign_id").toString(), servedAt - servedAt % window);
                counts.computeIfAbsent(key, campaignWindow -> new long[3])[0]++;
                users.computeIfAbsent(key, campaignWindow -> new HashSet<>()).add(value.get("user_id"));
            }
        }
        for (final GeneratedRecord record : firstSends) {
            final GenericRecord value = record.value();
            if (record.dataset().equals(SampleDatasets.AD_SERVED) || isBotAddress(value.get("ip").toString())) {
                continue;
            }
            final boolean view = record.dataset().equals(SampleDatasets.AD_VIEWS);
            final long time = (Long) value.get(view ? "viewed_at" : "clicked_at");
            final long joinWindow = view ? MESSY.viewJoinWindowMillis() : MESSY.clickJoinWindowMillis();
            final List<GenericRecord> matches = countedServes.stream().filter(serve -> serve.get("ad_id").equals(value.get("ad_id"))).toList();
            final DropReason reason;
            if (matches.isEmpty()) {
                reason = DropReason.NO_MATCHING_SERVE;
            } else {
                final long servedAt = (Long) matches.get(0).get("served_at");
                if (time >= servedAt && time - servedAt <= joinWindow) {
                    final CampaignWindow key = new CampaignWindow(matches.get(0).get("campaign_id").toString(), time - time % window);
                    counts.computeIfAbsent(key, campaignWindow -> new long[3])[view ? 1 : 2]++;
                    continue;
                }
                reason = DropReason.OUTSIDE_JOIN_WINDOW;
            }
            drops.computeIfAbsent(record.dataset(), stream -> new HashMap<>()).merge(reason, 1L, Long::sum);
        }
        final SortedMap<CampaignWindow, CampaignWindowCounts> expected = new TreeMap<>();
        counts.forEach((key, values) -> expected.put(key,
            new CampaignWindowCounts(values[0], values[1], values[2], users.getOrDefault(key, Set.of()).size())));

        assertEquals(expected, tally.windowCounts());
        for (final String stream : STREAMS) {
            for (final DropReason reason : DropReason.values()) {
                final long count = drops.getOrDefault(stream, Map.of()).getOrDefault(reason, 0L);
                assertEquals(count, tally.droppedCount(stream, reason), stream + " " + reason);
                if (!(stream.equals(SampleDatasets.AD_SERVED) && reason != DropReason.BOT_IP)) {
                    assertTrue(count > 0, "the messy configuration must produce " + reason + " on " + stream);
                }
            }
            assertEquals(duplicates.getOrDefault(stream, 0L), tally.duplicateCount(stream), stream);
            assertEquals(records.stream().filter(record -> record.dataset().equals(stream)).count(), tally.recordCount(stream));
            assertEquals(records.stream().filter(record -> record.dataset().equals(stream) && record.isCorrupt()).count(),
                tally.corruptCount(stream));
            assertEquals(bruteForceLateCount(valid, stream), tally.lateCount(stream), stream);
            assertTrue(tally.lateCount(stream) > 0, "the messy configuration must produce late " + stream);
        }
        assertTrue(duplicates.get(SampleDatasets.AD_SERVED) > 0);
    }

    @Test
    void metricsDoNotDependOnTheOrderOfRecords() {
        final AdTrafficGenerator generator = new AdTrafficGenerator(MESSY);
        final List<GeneratedRecord> shuffled = new ArrayList<>(generator.generateAll());
        Collections.shuffle(shuffled, new Random(99));
        final AdTrafficTally shuffledTally = AdTrafficTally.of(MESSY);
        shuffled.forEach(shuffledTally::add);
        assertEquals(generator.tally().windowCounts(), shuffledTally.windowCounts());
        for (final String stream : STREAMS) {
            assertEquals(generator.tally().droppedCounts(stream), shuffledTally.droppedCounts(stream));
            assertEquals(generator.tally().duplicateCount(stream), shuffledTally.duplicateCount(stream));
        }
    }

    @Test
    void withoutLatenessEachStreamGoesBackInTimeOnlyForReSentServesAndOnlyByTheirDelay() {
        final List<GeneratedRecord> records = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder()
            .servedCount(3_000).duplicateRate(0.2).lateRate(0).build()).generateAll();
        final Map<String, Long> streamTime = new HashMap<>();
        final Set<String> eventIds = new HashSet<>();
        int backwards = 0;
        for (final GeneratedRecord record : records) {
            final long time = record.timestampMillis();
            final long before = streamTime.getOrDefault(record.dataset(), Long.MIN_VALUE);
            final boolean reSent = !eventIds.add(record.dataset() + "/" + record.key());
            if (time < before && !record.isCorrupt()) {
                backwards++;
                assertTrue(reSent && record.dataset().equals(SampleDatasets.AD_SERVED), "only re-sent serves go back: " + record);
                assertTrue(before - time <= 5 * SECOND, "by at most duplicateDelayMaxMillis: " + record);
            }
            streamTime.put(record.dataset(), Math.max(before, time));
        }
        assertTrue(backwards > 0, "re-sends come after newer serves");
    }

    @Test
    void cleanConfigurationJoinsEverythingAndHasNothingLate() {
        final AdTrafficGenerator generator = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder()
            .noDefects().gracePeriodMillis(0).build());
        final List<GeneratedRecord> records = generator.generateAll();
        final AdTrafficTally tally = generator.tally();
        for (final String stream : STREAMS) {
            assertEquals(tally.recordCount(stream), tally.countedCount(stream), stream + " all counted");
            assertEquals(0, tally.lateCount(stream), stream);
        }
        assertEquals(10_000, tally.countedCount(SampleDatasets.AD_SERVED));
        assertEquals(records.size(), STREAMS.stream().mapToLong(tally::countedCount).sum());
        assertEquals(10_000, tally.windowCounts().values().stream().mapToLong(CampaignWindowCounts::served).sum());
        assertShare("views per serve", 0.5, tally.countedCount(SampleDatasets.AD_VIEWS), 10_000);
        assertShare("clicks per serve", 0.05, tally.countedCount(SampleDatasets.AD_CLICKS), 10_000);
    }

    @Test
    void duplicateRateIsTheShareOfServesReSent() {
        final AdTrafficTally tally = tallyOf(AdTrafficGeneratorConfig.builder().noDefects().duplicateRate(0.1));
        assertShare("re-sent serves", 0.1, tally.duplicateCount(SampleDatasets.AD_SERVED), 10_000);
        assertEquals(10_000, tally.countedCount(SampleDatasets.AD_SERVED), "re-sends count once");
    }

    @Test
    void botShareIsTheShareOfServesFromBotAddresses() {
        final AdTrafficTally tally = tallyOf(AdTrafficGeneratorConfig.builder().noDefects().botShare(0.2));
        final long botServes = tally.droppedCount(SampleDatasets.AD_SERVED, DropReason.BOT_IP);
        assertShare("bot serves", 0.2, botServes, 10_000);
        assertEquals(botServes, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.BOT_IP), "bots view every ad served to them");
        assertShare("bot clicks per bot serve", AdTrafficGenerator.BOT_CLICK_PROBABILITY,
            tally.droppedCount(SampleDatasets.AD_CLICKS, DropReason.BOT_IP), botServes);
        assertEquals(0, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.NO_MATCHING_SERVE),
            "bot events never reach the join");
    }

    @Test
    void corruptRateIsTheShareOfAllRecords() {
        final AdTrafficGenerator generator = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder().noDefects().corruptRate(0.05).build());
        final List<GeneratedRecord> records = generator.generateAll();
        assertShare("corrupt records", 0.05, records.stream().filter(GeneratedRecord::isCorrupt).count(), records.size());
        assertEquals(10_000, generator.tally().countedCount(SampleDatasets.AD_SERVED), "corrupt copies replace nothing");
    }

    @Test
    void unjoinedRateIsTheShareOfHumanViewsAndClicksThatCannotJoin() {
        final AdTrafficTally tally = tallyOf(AdTrafficGeneratorConfig.builder().noDefects().unjoinedRate(0.1));
        for (final String stream : List.of(SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS)) {
            final long total = tally.recordCount(stream);
            assertShare(stream + " with an unknown ad", 0.05, tally.droppedCount(stream, DropReason.NO_MATCHING_SERVE), total);
            assertShare(stream + " outside the join window", 0.05, tally.droppedCount(stream, DropReason.OUTSIDE_JOIN_WINDOW), total);
        }
    }

    @Test
    void hotCampaignShareIsTheShareOfServesOfTheFirstCampaign() {
        final AdTrafficTally tally = tallyOf(AdTrafficGeneratorConfig.builder().noDefects().hotCampaignShare(0.3));
        final Map<String, Long> servesPerCampaign = new TreeMap<>();
        tally.windowCounts().forEach((key, counts) -> servesPerCampaign.merge(key.campaignId(), counts.served(), Long::sum));
        assertShare("serves of the hot campaign", 0.3, servesPerCampaign.get("campaign-0001"), 10_000);
        assertShare("serves of another campaign", 0.7 / 19, servesPerCampaign.get("campaign-0002"), 10_000);
        assertEquals(20, servesPerCampaign.size());
    }

    @Test
    void lateRateIsTheShareOfEventsArrivingAfterTheirWindowClosed() {
        final AdTrafficTally tally = tallyOf(AdTrafficGeneratorConfig.builder().noDefects().lateRate(0.05));
        assertShare("late serves", 0.05, tally.lateCount(SampleDatasets.AD_SERVED), 10_000);
        assertShare("late views", 0.05, tally.lateCount(SampleDatasets.AD_VIEWS), tally.recordCount(SampleDatasets.AD_VIEWS));
    }

    @Test
    void delaysWithinTheGracePeriodMakeEventsOutOfOrderButNeverLate() {
        final AdTrafficGeneratorConfig.Builder builder = AdTrafficGeneratorConfig.builder().noDefects()
            .servedCount(3_000).lateRate(0.2).lateByMillis(55 * SECOND).duplicateRate(0.1).duplicateDelayMaxMillis(5 * SECOND);
        final AdTrafficTally withinGrace = tallyOf(builder.gracePeriodMillis(60 * SECOND), 3_000);
        final AdTrafficTally withoutGrace = tallyOf(builder.gracePeriodMillis(0), 3_000);
        for (final String stream : STREAMS) {
            assertEquals(0, withinGrace.lateCount(stream), stream);
            assertTrue(withoutGrace.lateCount(stream) > 0, stream + " is out of order");
        }
    }

    private static long bruteForceLateCount(final List<GeneratedRecord> valid, final String stream) {
        final List<GeneratedRecord> records = valid.stream().filter(record -> record.dataset().equals(stream)).toList();
        final long window = MESSY.windowSizeMillis();
        long late = 0;
        for (int index = 0; index < records.size(); index++) {
            long streamTime = Long.MIN_VALUE;
            for (int earlier = 0; earlier <= index; earlier++) {
                streamTime = Math.max(streamTime, records.get(earlier).timestampMillis());
            }
            final long time = records.get(index).timestampMillis();
            if (time - time % window + window <= streamTime - MESSY.gracePeriodMillis()) {
                late++;
            }
        }
        return late;
    }

    private static boolean isBotAddress(final String ip) {
        return ip.startsWith("203.0.113.") || Set.of("198.51.100.7", "198.51.100.42", "192.0.2.66").contains(ip);
    }

    private static AdTrafficTally tallyOf(final AdTrafficGeneratorConfig.Builder builder) {
        return tallyOf(builder, 10_000);
    }

    private static AdTrafficTally tallyOf(final AdTrafficGeneratorConfig.Builder builder, final int servedCount) {
        final AdTrafficGenerator generator = new AdTrafficGenerator(builder.servedCount(servedCount).build());
        while (generator.hasNext()) {
            generator.next();
        }
        return generator.tally();
    }
}
