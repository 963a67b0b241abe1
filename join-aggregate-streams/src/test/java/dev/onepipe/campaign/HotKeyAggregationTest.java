package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import dev.onepipe.testdata.AdTrafficGenerator;
import dev.onepipe.testdata.AdTrafficGeneratorConfig;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.CampaignWindowCounts;
import dev.onepipe.testdata.GeneratedRecord;
import org.junit.jupiter.api.Test;

/**
 * Traffic where one campaign gets 60% of the serves, aggregated in one stage and in two salted stages, emitting
 * final results and every update: salted results equal the plain ones record for record, and all give the tally's
 * numbers, distinct users included.
 */
class HotKeyAggregationTest {

    private static final AdTrafficGenerator GENERATOR = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder()
            .seed(11).servedCount(500).userCount(40).hotCampaignShare(0.6).campaignCount(5).lateRate(0).corruptRate(0).build());
    private static final List<GeneratedRecord> RECORDS = GENERATOR.generateAll();
    private static final SortedMap<CampaignWindow, CampaignWindowCounts> EXPECTED = GENERATOR.tally().windowCounts();

    @Test
    void saltedFinalResultsEqualThePlainOnesAndTheTally() throws Exception {
        List<CampaignMetrics> salted = run(Map.of(CampaignMetricsSettings.HOT_KEYS_SALTED, "true", CampaignMetricsSettings.HOT_KEYS_SALTS, "4"));
        List<CampaignMetrics> plain = run(Map.of());
        assertEquals(CampaignMetricsDriver.latest(plain), CampaignMetricsDriver.latest(salted));
        assertEquals(List.of(), CampaignMetricsTallyTest.differences(EXPECTED, CampaignMetricsTallyTest.counts(CampaignMetricsDriver.latest(salted))));
        assertEquals(EXPECTED.size(), salted.size(), "one final result per campaign window");
    }

    @Test
    void saltedUpdatesEndAtTheTallyAndSoDoPlainUpdates() throws Exception {
        for (Map<String, String> settings : List.of(
                Map.of(CampaignMetricsSettings.EMIT, "updates", CampaignMetricsSettings.HOT_KEYS_SALTED, "true", CampaignMetricsSettings.HOT_KEYS_SALTS, "4"),
                Map.of(CampaignMetricsSettings.EMIT, "updates"))) {
            List<CampaignMetrics> output = run(settings);
            assertEquals(List.of(), CampaignMetricsTallyTest.differences(EXPECTED, CampaignMetricsTallyTest.counts(CampaignMetricsDriver.latest(output))),
                    settings.toString());
            assertTrue(output.size() > EXPECTED.size(), "updates as they change: " + output.size());
        }
    }

    private static List<CampaignMetrics> run(Map<String, String> settings) throws Exception {
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(settings)) {
            driver.blockStandardBots();
            driver.pipeAll(RECORDS);
            driver.closeAllWindows();
            return driver.outputRecords();
        }
    }
}
