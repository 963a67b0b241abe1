package dev.onepipe.testdata;

import static dev.onepipe.testdata.ShareAssertions.assertShare;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class WidgetGeneratorTest {

    private static final long HOUR = 3_600_000L;

    /** Small and full of every defect, for recomputing the tally by brute force. */
    private static final WidgetGeneratorConfig MESSY = WidgetGeneratorConfig.builder()
        .seed(11)
        .recordCount(1_500)
        .widgetCount(40)
        .duplicateRate(0.1)
        .outOfOrderRate(0.1)
        .lateRate(0.1)
        .lateByMillis(3 * HOUR)
        .corruptRate(0.05)
        .timeSpanMillis(12 * HOUR)
        .gracePeriodMillis(30 * 60_000L)
        .build();

    @Test
    void sameSeedGivesTheSameRecordsAndAnotherSeedDoesNot() {
        final List<GeneratedRecord> first = new WidgetGenerator(MESSY).generateAll();
        final List<GeneratedRecord> second = new WidgetGenerator(MESSY).generateAll();
        final List<GeneratedRecord> otherSeed = new WidgetGenerator(
            WidgetGeneratorConfig.builder().seed(12).recordCount(1_500).widgetCount(40).build()).generateAll();
        assertEquals(first, second);
        assertNotEquals(first, otherSeed);
        assertNotEquals(first.subList(0, 10), otherSeed.subList(0, 10));
    }

    @Test
    void emitsExactlyTheRecordCountOfValidWidgets() {
        for (final long count : new long[] {0, 1, 2, 3, 1_500}) {
            final WidgetGenerator generator = new WidgetGenerator(WidgetGeneratorConfig.builder()
                .recordCount(count).duplicateRate(0.3).outOfOrderRate(0.5).corruptRate(0.3).build());
            final List<GeneratedRecord> records = generator.generateAll();
            assertEquals(count, records.size());
            assertEquals(count, generator.tally().recordCount());
        }
        final Schema schema = SampleDatasets.schema(SampleDatasets.WIDGETS);
        for (final GeneratedRecord record : new WidgetGenerator(MESSY).generateAll()) {
            assertEquals(SampleDatasets.WIDGETS, record.dataset());
            if (!record.isCorrupt()) {
                assertSame(schema, record.value().getSchema());
                assertTrue(GenericData.get().validate(schema, record.value()), record.toString());
                assertEquals(record.key(), record.value().get("widget_id"));
                assertEquals(record.timestampMillis(), record.value().get("updated_at"));
            }
        }
    }

    @Test
    void versionsOfEachWidgetRunFromOneWithoutGapsAndCorruptRecordsPrecedeTheirValidCopy() {
        final List<GeneratedRecord> records = new WidgetGenerator(MESSY).generateAll();
        final Map<String, Set<Long>> versions = new HashMap<>();
        for (int index = 0; index < records.size(); index++) {
            final GeneratedRecord record = records.get(index);
            if (record.isCorrupt()) {
                final GeneratedRecord following = records.get(index + 1);
                assertTrue(!following.isCorrupt() && following.key().equals(record.key())
                    && following.timestampMillis() == record.timestampMillis(), "corrupt copy at " + index);
            } else {
                versions.computeIfAbsent(record.key(), key -> new HashSet<>()).add((Long) record.value().get("version"));
            }
        }
        versions.forEach((widgetId, seen) -> assertEquals(
            LongStream.rangeClosed(1, seen.size()).boxed().collect(Collectors.toSet()), seen, widgetId));
    }

    @Test
    void tallyMatchesABruteForceRecomputation() {
        final WidgetGenerator generator = new WidgetGenerator(MESSY);
        final List<GeneratedRecord> records = generator.generateAll();
        final WidgetTally tally = generator.tally();
        final long grace = MESSY.gracePeriodMillis();

        final List<GeneratedRecord> valid = records.stream().filter(record -> !record.isCorrupt()).toList();
        long duplicates = 0;
        long outOfOrder = 0;
        long late = 0;
        final List<GeneratedRecord> firstSends = new ArrayList<>();
        for (int index = 0; index < valid.size(); index++) {
            final GenericRecord value = valid.get(index).value();
            boolean seenBefore = false;
            for (int earlier = 0; earlier < index; earlier++) {
                final GenericRecord other = valid.get(earlier).value();
                seenBefore |= other.get("widget_id").equals(value.get("widget_id")) && other.get("version").equals(value.get("version"));
            }
            if (seenBefore) {
                duplicates++;
                continue;
            }
            final long version = (Long) value.get("version");
            final long updatedAt = (Long) value.get("updated_at");
            boolean higherVersionBefore = false;
            boolean muchNewerBefore = false;
            for (final GeneratedRecord earlier : firstSends) {
                higherVersionBefore |= earlier.value().get("widget_id").equals(value.get("widget_id"))
                    && (Long) earlier.value().get("version") > version;
                muchNewerBefore |= (Long) earlier.value().get("updated_at") - grace > updatedAt;
            }
            outOfOrder += higherVersionBefore ? 1 : 0;
            late += muchNewerBefore ? 1 : 0;
            firstSends.add(valid.get(index));
        }

        final Map<String, GenericRecord> latest = new TreeMap<>();
        for (final GeneratedRecord record : valid) {
            latest.merge(record.key(), record.value(),
                (current, candidate) -> (Long) candidate.get("version") > (Long) current.get("version") ? candidate : current);
        }
        final Map<Long, Long> recordsPerHour = new TreeMap<>();
        final Map<Long, Long> validPerHour = new TreeMap<>();
        final Map<Long, Set<String>> keysPerHour = new TreeMap<>();
        for (final GeneratedRecord record : records) {
            final long hour = record.timestampMillis() - record.timestampMillis() % HOUR;
            recordsPerHour.merge(hour, 1L, Long::sum);
            if (!record.isCorrupt()) {
                validPerHour.merge(hour, 1L, Long::sum);
                keysPerHour.computeIfAbsent(hour, key -> new HashSet<>()).add(record.key());
            }
        }
        final Map<Long, Integer> distinctPerHour = new TreeMap<>();
        keysPerHour.forEach((hour, keys) -> distinctPerHour.put(hour, keys.size()));

        assertEquals(records.size(), tally.recordCount());
        assertEquals(records.size() - valid.size(), tally.corruptCount());
        assertEquals(duplicates, tally.duplicateCount());
        assertEquals(firstSends.size(), tally.firstSendCount());
        assertEquals(outOfOrder, tally.outOfOrderCount());
        assertEquals(late, tally.lateCount());
        assertEquals(latest, tally.latestRecords());
        assertEquals(latest.size(), tally.distinctKeyCount());
        assertEquals(recordsPerHour, tally.recordsPerHour());
        assertEquals(validPerHour, tally.validRecordsPerHour());
        assertEquals(distinctPerHour, tally.distinctKeysPerHour());
        assertTrue(duplicates > 0 && outOfOrder > 0 && late > 0 && tally.corruptCount() > 0,
            "the messy configuration must exercise every count");
    }

    @Test
    void duplicateRateIsTheShareOfAllRecords() {
        final WidgetTally tally = tallyOf(WidgetGeneratorConfig.builder().noDefects().duplicateRate(0.1));
        assertShare("duplicates", 0.1, tally.duplicateCount(), 10_000);
    }

    @Test
    void corruptRateIsTheShareOfAllRecordsAndEveryKindOccurs() {
        final WidgetTally tally = tallyOf(WidgetGeneratorConfig.builder().noDefects().corruptRate(0.05).duplicateRate(0.1));
        assertShare("corrupt records", 0.05, tally.corruptCount(), 10_000);
        assertShare("duplicates next to corrupt records", 0.1, tally.duplicateCount(), 10_000);
        assertEquals(Set.of(CorruptionKind.values()), tally.corruptCountsByKind().keySet());
    }

    @Test
    void outOfOrderAndLateRatesAreSharesOfFirstSends() {
        final WidgetTally tally = tallyOf(WidgetGeneratorConfig.builder().noDefects()
            .outOfOrderRate(0.1).lateRate(0.05).lateByMillis(HOUR).gracePeriodMillis(60_000L));
        assertShare("out-of-order first sends", 0.1, tally.outOfOrderCount(), tally.firstSendCount());
        assertShare("late first sends", 0.05, tally.lateCount(), tally.firstSendCount());
    }

    @Test
    void cleanConfigurationHasNoDefects() {
        final WidgetTally tally = tallyOf(WidgetGeneratorConfig.builder().noDefects());
        assertEquals(0, tally.duplicateCount() + tally.outOfOrderCount() + tally.lateCount() + tally.corruptCount());
        final long start = WidgetGeneratorConfig.DEFAULT_START_TIME_MILLIS;
        assertEquals(start, tally.recordsPerHour().firstKey());
        assertEquals(start + 23 * HOUR, tally.recordsPerHour().lastKey(), "10,000 records spread over the default 24 hours");
    }

    @Test
    void zipfExponentSkewsTrafficOntoTheFirstWidgets() {
        final Map<String, Long> uniform = updatesPerWidget(0.0);
        final Map<String, Long> skewed = updatesPerWidget(1.2);
        final double hottestShare = new ZipfDistribution(100, 1.2).probability(0);
        assertShare("updates of the hottest widget", hottestShare, skewed.get(WidgetGenerator.widgetId(0)), 10_000);
        assertShare("updates of widget 1 without skew", 0.01, uniform.get(WidgetGenerator.widgetId(0)), 10_000);
        assertEquals(100, uniform.size(), "key cardinality is the widget count");
    }

    private static Map<String, Long> updatesPerWidget(final double exponent) {
        return new WidgetGenerator(WidgetGeneratorConfig.builder().noDefects().widgetCount(100).zipfExponent(exponent).build())
            .generateAll().stream()
            .collect(Collectors.groupingBy(GeneratedRecord::key, Collectors.counting()));
    }

    private static WidgetTally tallyOf(final WidgetGeneratorConfig.Builder builder) {
        final WidgetGenerator generator = new WidgetGenerator(builder.recordCount(10_000).build());
        while (generator.hasNext()) {
            generator.next();
        }
        return generator.tally();
    }
}
