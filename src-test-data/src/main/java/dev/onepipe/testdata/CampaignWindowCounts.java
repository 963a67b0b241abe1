package dev.onepipe.testdata;

/**
 * Ad campaign metrics of one campaign in one window, see {@link AdTrafficTally} for what is counted.
 *
 * @param served        serves counted in the window of {@code served_at}
 * @param views         joined views counted in the window of {@code viewed_at}
 * @param clicks        joined clicks counted in the window of {@code clicked_at}
 * @param distinctUsers distinct {@code user_id} of the serves counted in this window
 */
public record CampaignWindowCounts(long served, long views, long clicks, long distinctUsers) {

    public static final CampaignWindowCounts EMPTY = new CampaignWindowCounts(0, 0, 0, 0);

    /** Clicks per view in this window, 0 when there were no views. May exceed 1: a click needs no view, and it may fall in another window than the view. */
    public double clickThroughRate() {
        return views == 0 ? 0.0 : (double) clicks / views;
    }
}
