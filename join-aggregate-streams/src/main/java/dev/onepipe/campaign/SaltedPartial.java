package dev.onepipe.campaign;

/**
 * The first stage's result for one salt of a campaign in one window, on its way to the second stage (keyed by the
 * campaign alone).
 *
 * @param salt        which share of the campaign's events it covers
 * @param windowStart the window it belongs to
 * @param aggregate   the metrics of that share so far
 */
public record SaltedPartial(int salt, long windowStart, CampaignWindowAggregate aggregate) {

    /** {@code campaign#salt}: the key of the first stage. */
    public static String saltedKey(String campaignId, int salt) {
        return campaignId + SEPARATOR + salt;
    }

    /** The salt of an event: a hash of its id, so the same event always takes the same salt. */
    public static int saltOf(AdEvent event, int salts) {
        return Math.floorMod(event.eventId().hashCode(), salts);
    }

    /** The campaign of a first-stage key. */
    public static String campaignOf(String saltedKey) {
        return saltedKey.substring(0, saltedKey.lastIndexOf(SEPARATOR));
    }

    /** The salt of a first-stage key. */
    public static int saltOf(String saltedKey) {
        return Integer.parseInt(saltedKey.substring(saltedKey.lastIndexOf(SEPARATOR) + 1));
    }

    private static final char SEPARATOR = '#';
}
