package dev.onepipe.campaign;

import static dev.onepipe.campaign.AdRecords.click;
import static dev.onepipe.campaign.AdRecords.served;
import static dev.onepipe.campaign.AdRecords.view;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.onepipe.testdata.GeneratedRecord;
import org.junit.jupiter.api.Test;

/**
 * When an unjoined view or click reaches {@code campaign-metrics-unjoined}, with the default settings (window 60 s,
 * grace 60 s, so a join grace of 2 min; views join within 1 h, clicks within 24 h), on one partition, as the settings
 * document it: once the join's stream time passes the reaction's time + 2 × join grace through a later view or click,
 * or its time + join window + join grace through serves alone. Times hand-checked.
 */
class UnjoinedReportTimingTest {

    private static final Instant DAY = Instant.parse("2024-01-01T00:00:00Z");
    private static final String CAMPAIGN = "campaign-0001";
    private static final String UNJOINED_TOPIC = "campaign-metrics-unjoined";

    private final Map<String, String> reported = new HashMap<>();

    private void pipe(CampaignMetricsDriver driver, GeneratedRecord record) {
        driver.advanceWallClock();
        driver.pipe(record);
        driver.routed(UNJOINED_TOPIC).forEach(event -> reported.put((String) event.get("event_id"), (String) event.get("reason")));
    }

    /** The example: a view 1 ms outside its hour. */
    @Test
    void aViewOneMillisecondOutsideItsWindowIsReportedWhenServesAloneMoveTimeAJoinWindowAndGraceLater() throws Exception {
        Instant servedAt = DAY.plus(Duration.ofMinutes(60)).plusSeconds(30);                // 01:00:30
        Instant viewedAt = servedAt.plus(Duration.ofHours(1)).plusMillis(1);                 // 02:00:30.001
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            pipe(driver, served("served-ab", "ad-ab", CAMPAIGN, servedAt));
            pipe(driver, view("view-ab", "ad-ab", viewedAt));
            pipe(driver, served("served-cd", "ad-cd", CAMPAIGN, DAY.plus(Duration.ofMinutes(130))));   // 02:10:00
            assertEquals(Map.of(), reported, "serves alone: not before the view's time + 1 h + 2 min");
            pipe(driver, served("served-ef", "ad-ef", CAMPAIGN, viewedAt.plus(Duration.ofMinutes(62))));  // 03:02:30.001: not past it
            assertEquals(Map.of(), reported);
            pipe(driver, served("served-gh", "ad-gh", CAMPAIGN, viewedAt.plus(Duration.ofMinutes(62)).plusMillis(1)));
            assertEquals(Map.of("view-ab", "OUTSIDE_JOIN_WINDOW"), reported);
        }
    }

    @Test
    void aLaterViewMovesTimeForTheJoinAndTheViewIsReportedTwiceTheJoinGraceAfterIt() throws Exception {
        Instant servedAt = DAY.plus(Duration.ofMinutes(60)).plusSeconds(30);
        Instant viewedAt = servedAt.plus(Duration.ofHours(1)).plusMillis(1);                 // 02:00:30.001
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            pipe(driver, served("served-ab", "ad-ab", CAMPAIGN, servedAt));
            pipe(driver, view("view-ab", "ad-ab", viewedAt));
            pipe(driver, view("view-x1", "ad-x", viewedAt.plus(Duration.ofMinutes(4))));      // 02:04:30.001: not past it
            assertEquals(Map.of(), reported);
            pipe(driver, view("view-x2", "ad-x", viewedAt.plus(Duration.ofMinutes(4)).plusMillis(1)));
            assertEquals("OUTSIDE_JOIN_WINDOW", reported.get("view-ab"));
        }
    }

    /**
     * The latest possible click: one day and 1 ms after its serve, reported only a day and two minutes later still, when
     * serves alone move time. Its serve must still be remembered then, or it would be reported as NO_MATCHING_SERVE.
     */
    @Test
    void theLatestPossibleClickIsClassifiedOutsideItsWindowNotWithoutAServe() throws Exception {
        Instant servedAt = DAY;
        Instant lastJoined = servedAt.plus(Duration.ofHours(24));
        Instant tooLate = lastJoined.plusMillis(1);
        Instant reportedBy = tooLate.plus(Duration.ofHours(24)).plus(Duration.ofMinutes(2)).plusMillis(1);
        try (CampaignMetricsDriver driver = new CampaignMetricsDriver(Map.of())) {
            pipe(driver, served("served-1", "ad-1", CAMPAIGN, servedAt));
            pipe(driver, served("served-2", "ad-2", CAMPAIGN, servedAt));
            pipe(driver, click("click-1", "ad-1", lastJoined));
            pipe(driver, click("click-2", "ad-2", tooLate));
            pipe(driver, served("served-3", "ad-3", CAMPAIGN, reportedBy.minusMillis(1)));
            assertEquals(Map.of(), reported);
            pipe(driver, served("served-4", "ad-4", CAMPAIGN, reportedBy));
            assertEquals(Map.of("click-2", "OUTSIDE_JOIN_WINDOW"), reported);
            assertEquals(1, driver.dropped(AdStream.CLICKS, DropReason.OUTSIDE_JOIN_WINDOW));
            assertEquals(0, driver.dropped(AdStream.CLICKS, DropReason.NO_MATCHING_SERVE));
        }
    }
}
