package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.onepipe.testdata.AdTrafficGenerator;
import dev.onepipe.testdata.AdTrafficGeneratorConfig;
import dev.onepipe.testdata.AdTrafficTally;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.CampaignWindowCounts;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import org.junit.jupiter.api.Test;

/**
 * Generated ad traffic (duplicates, bots, unjoinable views and clicks, corrupt records; nothing late) through the
 * topology in a test driver: the output equals the generator's independent tally window by window, and every dropped
 * event is counted under the reason the tally gives it.
 */
class CampaignMetricsTallyTest {

    private static final Map<AdStream, String> DATASETS =
            Map.of(AdStream.SERVED, SampleDatasets.AD_SERVED, AdStream.VIEWS, SampleDatasets.AD_VIEWS, AdStream.CLICKS, SampleDatasets.AD_CLICKS);

    @Test
    void finalMetricsEqualTheTally() throws Exception {
        AdTrafficGenerator generator = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder().seed(7).servedCount(1_500).lateRate(0).build());
        List<GeneratedRecord> records = generator.generateAll();
        AdTrafficTally tally = generator.tally();
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            driver.blockStandardBots();
            driver.pipeAll(records);
            driver.closeAllWindows();
            List<CampaignMetrics> output = driver.outputRecords();
            assertEquals(List.of(), differences(tally.windowCounts(), counts(CampaignMetricsDriver.latest(output))));
            assertEquals(tally.windowCounts().size(), output.size(), "one final result per campaign window");
            for (AdStream stream : AdStream.values()) {
                String dataset = DATASETS.get(stream);
                Map<String, Long> expectedDrops = Map.of(
                        "corrupt", tally.corruptCount(dataset),
                        "duplicate", tally.duplicateCount(dataset),
                        "bot", tally.droppedCount(dataset, dev.onepipe.testdata.DropReason.BOT_IP),
                        "no serve", tally.droppedCount(dataset, dev.onepipe.testdata.DropReason.NO_MATCHING_SERVE),
                        "outside window", tally.droppedCount(dataset, dev.onepipe.testdata.DropReason.OUTSIDE_JOIN_WINDOW),
                        "late", 0L);
                Map<String, Long> actualDrops = Map.of(
                        "corrupt", driver.dropped(stream, DropReason.CORRUPT),
                        "duplicate", driver.dropped(stream, DropReason.DUPLICATE),
                        "bot", driver.dropped(stream, DropReason.BOT_IP),
                        "no serve", driver.dropped(stream, DropReason.NO_MATCHING_SERVE),
                        "outside window", driver.dropped(stream, DropReason.OUTSIDE_JOIN_WINDOW),
                        "late", driver.dropped(stream, DropReason.LATE));
                assertEquals(expectedDrops, actualDrops, stream.label());
            }
        }
    }


    /** Each window whose counts differ, as text, for a readable failure. */
    static List<String> differences(SortedMap<CampaignWindow, CampaignWindowCounts> expected, SortedMap<CampaignWindow, CampaignWindowCounts> actual) {
        java.util.SortedSet<CampaignWindow> windows = new java.util.TreeSet<>(expected.keySet());
        windows.addAll(actual.keySet());
        return windows.stream()
                .filter(window -> !java.util.Objects.equals(expected.get(window), actual.get(window)))
                .map(window -> window + ": expected " + expected.get(window) + " but was " + actual.get(window))
                .limit(20)
                .toList();
    }

    static SortedMap<CampaignWindow, CampaignWindowCounts> counts(SortedMap<CampaignWindow, CampaignMetrics> metrics) {
        SortedMap<CampaignWindow, CampaignWindowCounts> counts = new TreeMap<>();
        metrics.forEach((window, result) -> counts.put(window,
                new CampaignWindowCounts(result.adsServed(), result.views(), result.clicks(), result.distinctUsers())));
        return counts;
    }
}
