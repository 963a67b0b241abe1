package dev.onepipe.campaign;

import static dev.onepipe.campaign.AdRecords.click;
import static dev.onepipe.campaign.AdRecords.served;
import static dev.onepipe.campaign.AdRecords.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The campaign-metrics topology in a test driver with hand-checked fixtures: every record at an explicit instant,
 * windows of one minute with one minute of grace, views joining within an hour and clicks within a day.
 */
class CampaignMetricsTopologyTest {

    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final String CAMPAIGN = "campaign-0001";
    private static final String LATE_TOPIC = "campaign-metrics-late";
    private static final String UNJOINED_TOPIC = "campaign-metrics-unjoined";

    @Test
    void viewsAndClicksCountOnlyWithinTheirJoinWindowBothBoundsIncluded() throws Exception {
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            driver.pipe(served("served-1", "ad-1", CAMPAIGN, T0));
            driver.pipe(served("served-2", "ad-2", CAMPAIGN, T0));
            driver.pipe(served("served-3", "ad-3", CAMPAIGN, T0));
            driver.pipe(view("view-1", "ad-1", T0));                                          // at the serve: joins
            driver.pipe(click("click-3", "ad-3", T0.plusSeconds(5)));                         // five seconds after: joins
            driver.pipe(view("view-4", "ad-4", T0.plusSeconds(10)));                          // before its serve: never joins
            driver.pipe(served("served-4", "ad-4", CAMPAIGN, T0.plusSeconds(20)));
            driver.pipe(view("view-5", "ad-unknown", T0.plusSeconds(30)));                    // no serve at all
            driver.pipe(view("view-2", "ad-2", T0.plus(Duration.ofHours(1))));                // exactly one hour later: joins
            driver.pipe(view("view-3", "ad-3", T0.plus(Duration.ofHours(1)).plusMillis(1)));  // one ms too late for the join
            driver.pipe(click("click-1", "ad-1", T0.plus(Duration.ofHours(24))));             // exactly one day later: joins
            driver.pipe(click("click-2", "ad-2", T0.plus(Duration.ofHours(24)).plusMillis(1)));
            driver.closeAllWindows();

            SortedMap<CampaignWindow, CampaignMetrics> metrics = CampaignMetricsDriver.latest(driver.outputRecords());
            assertEquals(Map.of(
                    window(T0), counts(4, 1, 1, 4),
                    window(T0.plus(Duration.ofHours(1))), counts(0, 1, 0, 0),
                    window(T0.plus(Duration.ofHours(24))), counts(0, 0, 1, 0)), countsOf(metrics));
            assertEquals(1.0, metrics.get(window(T0)).clickThroughRate(), 1e-9);
            assertEquals(0.0, metrics.get(window(T0.plus(Duration.ofHours(24)))).clickThroughRate(), 1e-9, "no views: 0 by definition");
            assertEquals(Map.of("view-3", "OUTSIDE_JOIN_WINDOW", "view-4", "OUTSIDE_JOIN_WINDOW", "view-5", "NO_MATCHING_SERVE",
                    "click-2", "OUTSIDE_JOIN_WINDOW"), reasonsByEvent(driver.routed(UNJOINED_TOPIC)));
            assertEquals(2, driver.dropped(AdStream.VIEWS, DropReason.OUTSIDE_JOIN_WINDOW));
            assertEquals(1, driver.dropped(AdStream.VIEWS, DropReason.NO_MATCHING_SERVE));
            assertEquals(1, driver.dropped(AdStream.CLICKS, DropReason.OUTSIDE_JOIN_WINDOW));
        }
    }

    @Test
    void aViewThatArrivesBeforeItsServeJoinsWhenTheServeArrives() throws Exception {
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            driver.pipe(view("view-1", "ad-1", T0.plusSeconds(10)));
            driver.pipe(click("click-1", "ad-1", T0.plusSeconds(20)));
            driver.pipe(served("served-1", "ad-1", CAMPAIGN, T0));                 // arrives last, served first
            driver.closeAllWindows();

            assertEquals(counts(1, 1, 1, 1), countsOf(CampaignMetricsDriver.latest(driver.outputRecords())).get(window(T0)));
            assertEquals(List.of(), driver.routed(UNJOINED_TOPIC));
        }
    }

    @Test
    void aWindowAcceptsEventsUntilTheLastMillisecondOfItsGraceAndRoutesLaterOnesToTheLateTopic() throws Exception {
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            // window [T0, T0+60s) with 60 s of grace: open while stream time < T0+120s
            driver.pipe(served("served-1", "ad-1", CAMPAIGN, T0.plusSeconds(10)));
            driver.pipe(served("served-2", "ad-2", CAMPAIGN, T0.plusMillis(119_999)));   // stream time: the last ms of grace
            driver.pipe(served("served-3", "ad-3", CAMPAIGN, T0.plusSeconds(30)));       // exactly at the edge: counted
            driver.pipe(view("view-3", "ad-3", T0.plusSeconds(40)));                     // counted
            driver.pipe(served("served-4", "ad-4", CAMPAIGN, T0.plusSeconds(120)));      // stream time: one ms past the grace
            driver.pipe(served("served-5", "ad-5", CAMPAIGN, T0.plusSeconds(30)));       // late
            driver.pipe(view("view-1", "ad-1", T0.plusSeconds(50)));                     // late
            driver.closeAllWindows();

            SortedMap<CampaignWindow, CampaignMetrics> metrics = CampaignMetricsDriver.latest(driver.outputRecords());
            assertEquals(counts(2, 1, 0, 2), countsOf(metrics).get(window(T0)));
            List<Map<String, Object>> late = driver.routed(LATE_TOPIC);
            assertEquals(Map.of("served-5", "LATE", "view-1", "LATE"), reasonsByEvent(late));
            assertEquals(T0.plusSeconds(30).toEpochMilli(), ((Number) late.get(0).get("event_time")).longValue());
            assertEquals(1, driver.dropped(AdStream.SERVED, DropReason.LATE));
            assertEquals(1, driver.dropped(AdStream.VIEWS, DropReason.LATE));
        }
    }

    @Test
    void botAddressesAreDroppedAndABlocklistUpdateTakesEffectMidStream() throws Exception {
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            String bot = "198.51.100.9";
            driver.block("198.51.100.0/24");
            driver.pipe(served("served-1", "ad-1", CAMPAIGN, "user-1", bot, T0));                   // blocked by the CIDR block
            driver.pipe(view("view-1", "ad-1", bot, T0.plusSeconds(1)));                             // blocked too
            driver.pipe(served("served-2", "ad-2", CAMPAIGN, "user-2", "10.0.0.1", T0.plusSeconds(2)));
            driver.unblock("198.51.100.0/24");
            driver.pipe(served("served-3", "ad-3", CAMPAIGN, "user-3", bot, T0.plusSeconds(3)));     // no longer blocked
            driver.block("10.0.0.1");
            driver.pipe(served("served-4", "ad-4", CAMPAIGN, "user-1", "10.0.0.1", T0.plusSeconds(4))); // blocked as an address
            driver.pipe(view("view-2", "ad-2", "10.0.0.1", T0.plusSeconds(5)));                      // blocked
            driver.pipe(view("view-3", "ad-3", bot, T0.plusSeconds(6)));
            driver.closeAllWindows();

            assertEquals(counts(2, 1, 0, 2), countsOf(CampaignMetricsDriver.latest(driver.outputRecords())).get(window(T0)));
            assertEquals(2, driver.dropped(AdStream.SERVED, DropReason.BOT_IP));
            assertEquals(2, driver.dropped(AdStream.VIEWS, DropReason.BOT_IP));
            assertEquals(List.of(), driver.routed(UNJOINED_TOPIC));
        }
    }

    @Test
    void aReSentServeCountsOnceAndItsViewJoinsOnce() throws Exception {
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            driver.pipe(served("served-1", "ad-1", CAMPAIGN, T0));
            driver.pipe(served("served-2", "ad-2", CAMPAIGN, T0.plusSeconds(1)));
            driver.pipe(served("served-1", "ad-1", CAMPAIGN, T0));                 // re-sent 3 s later, same event id and time
            driver.pipe(view("view-1", "ad-1", T0.plusSeconds(4)));
            driver.pipe(served("served-2", "ad-2", CAMPAIGN, T0.plusSeconds(1)));
            driver.closeAllWindows();

            assertEquals(counts(2, 1, 0, 2), countsOf(CampaignMetricsDriver.latest(driver.outputRecords())).get(window(T0)));
            assertEquals(2, driver.dropped(AdStream.SERVED, DropReason.DUPLICATE));
        }
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicAndTheRestIsCounted() throws Exception {
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
            driver.pipe(served("served-1", "ad-1", CAMPAIGN, T0));
            driver.testKit().input(SampleDatasets.AD_VIEWS).pipeBytes("view-0".getBytes(StandardCharsets.UTF_8), garbage, T0.plusSeconds(1));
            driver.pipe(view("view-1", "ad-1", T0.plusSeconds(2)));
            driver.closeAllWindows();

            assertEquals(counts(1, 1, 0, 1), countsOf(CampaignMetricsDriver.latest(driver.outputRecords())).get(window(T0)));
            List<DeadLetter> deadLetters = driver.testKit().deadLetters(SampleDatasets.AD_VIEWS);
            assertEquals(1, deadLetters.size());
            assertEquals("view-0", new String(deadLetters.get(0).key(), StandardCharsets.UTF_8));
            assertArrayEquals(garbage, deadLetters.get(0).value());
            assertEquals("WRONG_MAGIC_BYTE", deadLetters.get(0).reason());
            assertEquals(1, driver.dropped(AdStream.VIEWS, DropReason.CORRUPT));
        }
    }

    private static CampaignWindow window(Instant start) {
        return new CampaignWindow(CAMPAIGN, start.toEpochMilli());
    }

    private static List<Long> counts(long served, long views, long clicks, long distinctUsers) {
        return List.of(served, views, clicks, distinctUsers);
    }

    private static Map<CampaignWindow, List<Long>> countsOf(Map<CampaignWindow, CampaignMetrics> metrics) {
        Map<CampaignWindow, List<Long>> counts = new java.util.HashMap<>();
        metrics.forEach((window, result) -> counts.put(window, counts(result.adsServed(), result.views(), result.clicks(), result.distinctUsers())));
        return counts;
    }

    private static Map<String, String> reasonsByEvent(List<Map<String, Object>> routed) {
        Map<String, String> reasons = new java.util.HashMap<>();
        routed.forEach(event -> reasons.put((String) event.get("event_id"), (String) event.get("reason")));
        return reasons;
    }
}
