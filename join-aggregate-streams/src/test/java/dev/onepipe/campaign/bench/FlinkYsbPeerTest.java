package dev.onepipe.campaign.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.onepipe.testdata.CampaignWindow;
import org.junit.jupiter.api.Test;

/** The benchmark's check that two engines did the same work: hand-made tallies and results. */
class FlinkYsbPeerTest {

    private static final long WINDOW = 10_000;

    @Test
    void equalCountsForEveryClosedWindowAreNoDifference() {
        TreeMap<CampaignWindow, Long> expected = new TreeMap<>(Map.of(
                new CampaignWindow("a", 0), 3L, new CampaignWindow("b", 0), 1L, new CampaignWindow("a", 10_000), 2L));
        // the window [10 s, 20 s) ends after 'closedBy' (15 s): it may still be open, so its absence is fine
        Map<CampaignWindow, Long> results = Map.of(new CampaignWindow("a", 0), 3L, new CampaignWindow("b", 0), 1L);

        assertEquals(List.of(), FlinkYsbPeer.differences("peer", expected, results, WINDOW, 15_000));
    }

    @Test
    void aWrongCountAnExtraWindowAndAMissingClosedWindowAreEachReported() {
        TreeMap<CampaignWindow, Long> expected = new TreeMap<>(Map.of(
                new CampaignWindow("a", 0), 3L, new CampaignWindow("b", 0), 1L, new CampaignWindow("c", 0), 5L));
        Map<CampaignWindow, Long> results = Map.of(
                new CampaignWindow("a", 0), 2L, new CampaignWindow("b", 0), 1L, new CampaignWindow("d", 0), 4L);

        List<String> differences = FlinkYsbPeer.differences("peer", expected, results, WINDOW, 10_000);

        assertEquals(3, differences.size(), differences.toString());
        assertTrue(differences.contains("peer: campaign a window 0 has 2 views, the generator made 3"), differences.toString());
        assertTrue(differences.contains("peer: campaign d window 0 has 4 views, the generator made none"), differences.toString());
        assertTrue(differences.contains("peer: campaign c window 0 (5 views) has no result"), differences.toString());
    }
}
