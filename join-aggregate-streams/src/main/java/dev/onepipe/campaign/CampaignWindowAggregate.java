package dev.onepipe.campaign;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The running metrics of one campaign in one window (or of one salt of it, in the two-stage aggregation).
 *
 * <p>Distinct users are exact: the aggregate keeps every user's number of serves. That makes partial aggregates
 * mergeable (counts add up) and retractable (a replaced partial is subtracted exactly), which a plain set of users
 * could not be when the same user appears in two salts. Mutable, as Kafka Streams aggregators are.
 */
public final class CampaignWindowAggregate {

    private long served;
    private long views;
    private long clicks;
    private final Map<String, Long> servesByUser;

    public CampaignWindowAggregate() {
        this(0, 0, 0, new HashMap<>());
    }

    CampaignWindowAggregate(long served, long views, long clicks, Map<String, Long> servesByUser) {
        this.served = served;
        this.views = views;
        this.clicks = clicks;
        this.servesByUser = servesByUser;
    }

    /** Counts one event that is attributed to this campaign. */
    public CampaignWindowAggregate add(AdEvent event) {
        switch (event.stream()) {
            case SERVED -> {
                served++;
                servesByUser.merge(event.userId(), 1L, Long::sum);
            }
            case VIEWS -> views++;
            case CLICKS -> clicks++;
        }
        return this;
    }

    /** Adds another partial of the same campaign and window. */
    public CampaignWindowAggregate merge(CampaignWindowAggregate other) {
        served += other.served;
        views += other.views;
        clicks += other.clicks;
        other.servesByUser.forEach((user, count) -> servesByUser.merge(user, count, Long::sum));
        return this;
    }

    /** Takes away a partial that was merged in before. */
    public CampaignWindowAggregate subtract(CampaignWindowAggregate other) {
        served -= other.served;
        views -= other.views;
        clicks -= other.clicks;
        other.servesByUser.forEach((user, count) -> servesByUser.computeIfPresent(user, (ignored, current) -> current - count == 0 ? null : current - count));
        return this;
    }

    public long served() {
        return served;
    }

    public long views() {
        return views;
    }

    public long clicks() {
        return clicks;
    }

    public long distinctUsers() {
        return servesByUser.size();
    }

    Map<String, Long> servesByUser() {
        return Collections.unmodifiableMap(servesByUser);
    }

    public CampaignWindowAggregate copy() {
        return new CampaignWindowAggregate(served, views, clicks, new HashMap<>(servesByUser));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CampaignWindowAggregate that && served == that.served && views == that.views
                && clicks == that.clicks && servesByUser.equals(that.servesByUser);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(served) * 31 + servesByUser.hashCode();
    }

    @Override
    public String toString() {
        return "served=" + served + " views=" + views + " clicks=" + clicks + " distinctUsers=" + servesByUser.size();
    }
}
