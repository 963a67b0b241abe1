package dev.onepipe.campaign;

import java.util.Objects;

/**
 * An ad event projected to what the metrics need: no scoring, no address. This is what crosses the repartition
 * topics, so it stays small.
 *
 * @param stream     which stream it came from
 * @param eventId    the event's unique id
 * @param adId       the served ad it belongs to; the join key
 * @param campaignId the campaign: a serve's own, a view's or click's once joined to its serve, else null
 * @param userId     the user a serve went to (distinct users count serves only); null for views and clicks
 * @param eventTime  event time, epoch milliseconds
 */
public record AdEvent(AdStream stream, String eventId, String adId, String campaignId, String userId, long eventTime) {

    public AdEvent {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(adId, "adId");
    }

    /** This view or click attributed to the campaign of the serve it joined. */
    public AdEvent attributedTo(String servedCampaignId) {
        return new AdEvent(stream, eventId, adId, servedCampaignId, userId, eventTime);
    }

    public boolean isAttributed() {
        return campaignId != null;
    }
}
