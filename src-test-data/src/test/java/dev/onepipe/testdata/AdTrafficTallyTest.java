package dev.onepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The tally's rules, one hand-built case each, so that a topology author can read them as examples. */
class AdTrafficTallyTest {

    private static final long MINUTE = 60_000L;
    private static final long VIEW_WINDOW = 10 * MINUTE;
    private static final long CLICK_WINDOW = 30 * MINUTE;
    private static final String HUMAN = "10.0.0.1";
    private static final String BOT = "203.0.113.9";

    private final AdTrafficTally tally = new AdTrafficTally(MINUTE, 0L, VIEW_WINDOW, CLICK_WINDOW, BotIpBlocklist.standard());

    @Test
    void viewsAndClicksCountInTheWindowOfTheirOwnTimeForTheCampaignOfTheirServe() {
        tally.add(served("s1", "ad-1", "campaign-a", "user-1", HUMAN, 30_000L));
        tally.add(view("v1", "ad-1", HUMAN, 3 * MINUTE + 5));
        tally.add(click("c1", "ad-1", HUMAN, 7 * MINUTE));

        assertEquals(Map.of(
                new CampaignWindow("campaign-a", 0L), new CampaignWindowCounts(1, 0, 0, 1),
                new CampaignWindow("campaign-a", 3 * MINUTE), new CampaignWindowCounts(0, 1, 0, 0),
                new CampaignWindow("campaign-a", 7 * MINUTE), new CampaignWindowCounts(0, 0, 1, 0)),
            tally.windowCounts());
    }

    @Test
    void joinWindowIncludesBothBoundsAndNothingBeforeTheServe() {
        tally.add(served("s1", "ad-1", "campaign-a", "user-1", HUMAN, MINUTE));
        tally.add(view("v-at-serve", "ad-1", HUMAN, MINUTE));
        tally.add(view("v-at-end", "ad-1", HUMAN, MINUTE + VIEW_WINDOW));
        tally.add(view("v-after-end", "ad-1", HUMAN, MINUTE + VIEW_WINDOW + 1));
        tally.add(view("v-before-serve", "ad-1", HUMAN, MINUTE - 1));
        tally.add(click("c-at-end", "ad-1", HUMAN, MINUTE + CLICK_WINDOW));
        tally.add(click("c-after-end", "ad-1", HUMAN, MINUTE + CLICK_WINDOW + 1));

        assertEquals(2, tally.countedCount(SampleDatasets.AD_VIEWS));
        assertEquals(2, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.OUTSIDE_JOIN_WINDOW));
        assertEquals(1, tally.countedCount(SampleDatasets.AD_CLICKS));
        assertEquals(1, tally.droppedCount(SampleDatasets.AD_CLICKS, DropReason.OUTSIDE_JOIN_WINDOW));
    }

    @Test
    void aViewThatArrivesBeforeItsServeJoinsWhenTheServeArrives() {
        tally.add(view("v1", "ad-1", HUMAN, 2 * MINUTE));
        assertEquals(1, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.NO_MATCHING_SERVE));

        tally.add(served("s1", "ad-1", "campaign-a", "user-1", HUMAN, MINUTE));
        assertEquals(0, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.NO_MATCHING_SERVE));
        assertEquals(new CampaignWindowCounts(0, 1, 0, 0), tally.windowCounts("campaign-a", 2 * MINUTE));
    }

    @Test
    void botsAreDroppedOnEveryStreamAndAServeDroppedAsBotJoinsNothing() {
        tally.add(served("s1", "ad-1", "campaign-a", "user-1", BOT, MINUTE));
        tally.add(view("v1", "ad-1", BOT, MINUTE));
        tally.add(click("c1", "ad-1", "198.51.100.42", MINUTE));
        tally.add(view("v2", "ad-1", HUMAN, MINUTE));

        assertEquals(1, tally.droppedCount(SampleDatasets.AD_SERVED, DropReason.BOT_IP));
        assertEquals(1, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.BOT_IP));
        assertEquals(1, tally.droppedCount(SampleDatasets.AD_CLICKS, DropReason.BOT_IP));
        assertEquals(1, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.NO_MATCHING_SERVE));
        assertEquals(Map.of(), tally.windowCounts());
    }

    @Test
    void reSentServesCountOnceAndDistinctUsersAreExact() {
        tally.add(served("s1", "ad-1", "campaign-a", "user-1", HUMAN, 1_000L));
        tally.add(served("s1", "ad-1", "campaign-a", "user-1", HUMAN, 1_000L));
        tally.add(served("s2", "ad-2", "campaign-a", "user-1", HUMAN, 2_000L));
        tally.add(served("s3", "ad-3", "campaign-a", "user-2", HUMAN, 3_000L));
        tally.add(served("s4", "ad-4", "campaign-b", "user-1", HUMAN, 4_000L));

        assertEquals(1, tally.duplicateCount(SampleDatasets.AD_SERVED));
        assertEquals(new CampaignWindowCounts(3, 0, 0, 2), tally.windowCounts("campaign-a", 0L));
        assertEquals(new CampaignWindowCounts(1, 0, 0, 1), tally.windowCounts("campaign-b", 0L));
    }

    @Test
    void aRecordIsLateWhenItsWindowClosedBeforeItArrived() {
        final AdTrafficTally withGrace = new AdTrafficTally(MINUTE, 10_000L, VIEW_WINDOW, CLICK_WINDOW, BotIpBlocklist.standard());
        withGrace.add(served("s1", "ad-1", "campaign-a", "user-1", HUMAN, 5 * MINUTE + 9_999L));
        withGrace.add(served("s2", "ad-2", "campaign-a", "user-1", HUMAN, 4 * MINUTE + 59_999L));
        assertEquals(0, withGrace.lateCount(SampleDatasets.AD_SERVED), "window [4, 5) min is open while its end > stream time - grace");
        withGrace.add(served("s3", "ad-3", "campaign-a", "user-1", HUMAN, 5 * MINUTE + 10_000L));
        withGrace.add(served("s4", "ad-4", "campaign-a", "user-1", HUMAN, 4 * MINUTE));
        assertEquals(1, withGrace.lateCount(SampleDatasets.AD_SERVED), "window [4, 5) min closed when its end = stream time - grace");
        assertEquals(new CampaignWindowCounts(2, 0, 0, 1), withGrace.windowCounts("campaign-a", 4 * MINUTE),
            "late records still count: the metrics are the complete answer");
    }

    @Test
    void oneAdServedByTwoEventsIsRejected() {
        tally.add(served("s1", "ad-1", "campaign-a", "user-1", HUMAN, MINUTE));
        assertThrows(IllegalArgumentException.class,
            () -> tally.add(served("s2", "ad-1", "campaign-a", "user-1", HUMAN, MINUTE)));
    }

    @Test
    void corruptRecordsOnlyCount() {
        tally.add(GeneratedRecord.corrupt(SampleDatasets.AD_VIEWS, "v1", MINUTE, CorruptionKind.GARBAGE_BYTES, new byte[] {1}));
        assertEquals(1, tally.corruptCount(SampleDatasets.AD_VIEWS));
        assertEquals(1, tally.recordCount(SampleDatasets.AD_VIEWS));
        assertEquals(0, tally.droppedCount(SampleDatasets.AD_VIEWS, DropReason.NO_MATCHING_SERVE));
        assertThrows(IllegalArgumentException.class, () -> tally.add(
            GeneratedRecord.corrupt(SampleDatasets.CAMPAIGNS, "c", 0L, CorruptionKind.GARBAGE_BYTES, new byte[] {1})));
    }

    private static GeneratedRecord served(final String eventId, final String adId, final String campaignId,
                                          final String userId, final String ip, final long servedAt) {
        final GenericRecord value = new GenericData.Record(SampleDatasets.schema(SampleDatasets.AD_SERVED));
        value.put("event_id", eventId);
        value.put("ad_id", adId);
        value.put("campaign_id", campaignId);
        value.put("business_id", "business-1");
        value.put("user_id", userId);
        value.put("ip", ip);
        value.put("bid_micros", 1_000L);
        value.put("relevance_score", 0.5);
        value.put("placement", "search_top");
        value.put("served_at", servedAt);
        return GeneratedRecord.valid(SampleDatasets.AD_SERVED, eventId, servedAt, value);
    }

    private static GeneratedRecord view(final String eventId, final String adId, final String ip, final long viewedAt) {
        return reaction(SampleDatasets.AD_VIEWS, "viewed_at", eventId, adId, ip, viewedAt);
    }

    private static GeneratedRecord click(final String eventId, final String adId, final String ip, final long clickedAt) {
        return reaction(SampleDatasets.AD_CLICKS, "clicked_at", eventId, adId, ip, clickedAt);
    }

    private static GeneratedRecord reaction(final String dataset, final String timeField, final String eventId,
                                            final String adId, final String ip, final long time) {
        final GenericRecord value = new GenericData.Record(SampleDatasets.schema(dataset));
        value.put("event_id", eventId);
        value.put("ad_id", adId);
        value.put("user_id", "user-1");
        value.put("ip", ip);
        value.put(timeField, time);
        return GeneratedRecord.valid(dataset, eventId, time, value);
    }
}
