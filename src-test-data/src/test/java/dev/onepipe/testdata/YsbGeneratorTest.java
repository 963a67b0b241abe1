package dev.onepipe.testdata;

import static dev.onepipe.testdata.ShareAssertions.assertShare;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class YsbGeneratorTest {

    private static final YsbGeneratorConfig SMALL = YsbGeneratorConfig.builder()
        .seed(3)
        .eventCount(3_000)
        .timeSpanMillis(60_000L)
        .lateRate(0.1)
        .lateByMillis(25_000L)
        .corruptRate(0.05)
        .gracePeriodMillis(2_000L)
        .build();

    @Test
    void sameSeedGivesTheSameEventsAndMappingAndAnotherSeedDoesNot() {
        final YsbGenerator first = new YsbGenerator(SMALL);
        final YsbGenerator second = new YsbGenerator(SMALL);
        final YsbGenerator otherSeed = new YsbGenerator(YsbGeneratorConfig.builder().seed(4).eventCount(3_000).build());
        assertEquals(first.generateAll(), second.generateAll());
        assertEquals(first.campaignMappingRecords(), second.campaignMappingRecords());
        assertNotEquals(first.campaignByAd(), otherSeed.campaignByAd());
        assertNotEquals(new YsbGenerator(SMALL).generateAll(), otherSeed.generateAll());
    }

    @Test
    void mappingHasTheBenchmarkShape() {
        final YsbGenerator generator = new YsbGenerator(YsbGeneratorConfig.builder().build());
        final Map<String, String> campaignByAd = generator.campaignByAd();
        assertEquals(1_000, campaignByAd.size());
        final Map<String, Long> adsPerCampaign = campaignByAd.values().stream()
            .collect(Collectors.groupingBy(campaign -> campaign, Collectors.counting()));
        assertEquals(100, adsPerCampaign.size());
        assertEquals(Set.of(10L), new HashSet<>(adsPerCampaign.values()));

        final Schema schema = SampleDatasets.schema(SampleDatasets.YSB_CAMPAIGNS);
        final Map<String, String> fromRecords = new HashMap<>();
        for (final GeneratedRecord record : generator.campaignMappingRecords()) {
            assertTrue(GenericData.get().validate(schema, record.value()));
            assertEquals(record.key(), record.value().get("ad_id"));
            fromRecords.put(record.key(), record.value().get("campaign_id").toString());
        }
        assertEquals(campaignByAd, fromRecords);
        assertEquals(4, UUID.fromString(campaignByAd.keySet().iterator().next()).version());
    }

    @Test
    void eventsAreValidAndExactlyTheEventCount() {
        final List<GeneratedRecord> records = new YsbGenerator(SMALL).generateAll();
        assertEquals(3_000, records.size());
        final Schema schema = SampleDatasets.schema(SampleDatasets.YSB_EVENTS);
        for (final GeneratedRecord record : records) {
            if (!record.isCorrupt()) {
                assertSame(schema, record.value().getSchema());
                assertTrue(GenericData.get().validate(schema, record.value()), record.toString());
                assertEquals(record.key(), record.value().get("event_id"));
                assertEquals(record.timestampMillis(), record.value().get("event_time"));
                assertTrue(YsbGenerator.EVENT_TYPES.contains(record.value().get("event_type").toString()));
                assertTrue(YsbGenerator.AD_TYPES.contains(record.value().get("ad_type").toString()));
            }
        }
    }

    @Test
    void tallyMatchesABruteForceRecomputation() {
        final YsbGenerator generator = new YsbGenerator(SMALL);
        final List<GeneratedRecord> records = generator.generateAll();
        final List<GeneratedRecord> mapping = generator.campaignMappingRecords();
        final long window = SMALL.windowSizeMillis();

        final Map<CampaignWindow, Long> views = new TreeMap<>();
        long late = 0;
        long streamTime = Long.MIN_VALUE;
        for (final GeneratedRecord record : records) {
            if (record.isCorrupt()) {
                continue;
            }
            final GenericRecord value = record.value();
            final long time = (Long) value.get("event_time");
            streamTime = Math.max(streamTime, time);
            if (time - time % window + window <= streamTime - SMALL.gracePeriodMillis()) {
                late++;
            }
            if (!"view".equals(value.get("event_type").toString())) {
                continue;
            }
            final String campaign = mapping.stream()
                .filter(entry -> entry.value().get("ad_id").equals(value.get("ad_id")))
                .map(entry -> entry.value().get("campaign_id").toString())
                .findFirst().orElseThrow();
            views.merge(new CampaignWindow(campaign, time - time % window), 1L, Long::sum);
        }

        final YsbTally tally = generator.tally();
        assertEquals(views, tally.viewsPerCampaignWindow());
        assertEquals(late, tally.lateCount());
        assertTrue(late > 0, "the configuration must produce late events");
        assertEquals(records.stream().filter(GeneratedRecord::isCorrupt).count(), tally.corruptCount());
        assertEquals(0, tally.unmappedViewCount());
    }

    @Test
    void eventTypesAreUniformAndRatesHold() {
        final YsbGenerator generator = new YsbGenerator(YsbGeneratorConfig.builder().eventCount(30_000).lateRate(0.05).corruptRate(0.02).build());
        final List<GeneratedRecord> records = generator.generateAll();
        final YsbTally tally = generator.tally();
        final long valid = records.size() - tally.corruptCount();
        assertShare("corrupt events", 0.02, tally.corruptCount(), records.size());
        for (final String eventType : YsbGenerator.EVENT_TYPES) {
            assertShare(eventType + " events", 1.0 / 3, tally.eventsPerType().get(eventType), valid);
        }
        // Event time runs evenly over the default 100 s; a late event is stamped well behind that clock.
        long lateEvents = 0;
        for (int index = 0; index < records.size(); index++) {
            final long clock = WidgetGeneratorConfig.DEFAULT_START_TIME_MILLIS + index * 100_000L / 30_000L;
            if (!records.get(index).isCorrupt() && records.get(index).timestampMillis() < clock - 1_000L) {
                lateEvents++;
            }
        }
        assertShare("events stamped in the past", 0.05, lateEvents, valid);
        final Collection<Long> viewsPerWindow = tally.viewsPerCampaignWindow().values();
        assertEquals(tally.eventsPerType().get("view"), viewsPerWindow.stream().mapToLong(Long::longValue).sum());
    }
}
