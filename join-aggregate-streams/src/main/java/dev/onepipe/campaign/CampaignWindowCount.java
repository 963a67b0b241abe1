package dev.onepipe.campaign;

/**
 * ysb's result for one campaign and one tumbling window.
 *
 * @param campaignId  the campaign
 * @param windowStart inclusive start, epoch ms
 * @param windowEnd   exclusive end, epoch ms
 * @param views       views counted in the window
 */
public record CampaignWindowCount(String campaignId, long windowStart, long windowEnd, long views) {
}
