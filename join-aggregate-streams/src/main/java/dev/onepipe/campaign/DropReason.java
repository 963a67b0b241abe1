package dev.onepipe.campaign;

import java.util.Locale;

/** Why an ad event does not count in the campaign metrics. Every dropped event is counted under one reason. */
public enum DropReason {

    /** The value is not a readable record of the dataset; it goes to the input topic's {@code .dlq}. */
    CORRUPT,
    /** An earlier event of the same stream had the same {@code event_id}. */
    DUPLICATE,
    /** The event's address is on the bot blocklist. */
    BOT_IP,
    /** A view or click whose ad has no counted serve. */
    NO_MATCHING_SERVE,
    /** A view or click whose serve exists but lies outside the join window. */
    OUTSIDE_JOIN_WINDOW,
    /** The window the event belongs to had already closed (end + grace reached by stream time). */
    LATE,
    /** A YSB view whose ad is not in the ad-to-campaign mapping. */
    UNMAPPED_AD;

    /** The name used in metrics: {@code bot-ip}, {@code no-matching-serve}, ... */
    public String metricName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
