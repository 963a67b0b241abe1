package dev.onepipe.testdata;

/** Why an ad event that is neither corrupt nor a duplicate does not count in the campaign metrics. */
public enum DropReason {

    /** Its {@code ip} is on the bot blocklist; checked first, on every stream. */
    BOT_IP,

    /** A view or click whose {@code ad_id} matches no counted serve (unknown ad, or the serve came from a bot). */
    NO_MATCHING_SERVE,

    /** A view or click whose serve exists but lies outside the join window. */
    OUTSIDE_JOIN_WINDOW
}
