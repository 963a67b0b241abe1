package dev.onepipe.campaign;

import java.util.Objects;

/**
 * What a checking step decided about one record: it goes on, or it is routed out for a reason. Routed records keep
 * their value, so the topic they go to can say what they were.
 *
 * @param value  the record's value
 * @param reason why it is routed out; null when it goes on
 * @param detail what the check saw, for the routed record's description; null when it goes on
 */
public record Verdict<V>(V value, DropReason reason, String detail) {

    public static <V> Verdict<V> accepted(V value) {
        return new Verdict<>(Objects.requireNonNull(value, "value"), null, null);
    }

    public static <V> Verdict<V> rejected(V value, DropReason reason, String detail) {
        return new Verdict<>(value, Objects.requireNonNull(reason, "reason"), detail);
    }

    public boolean isAccepted() {
        return reason == null;
    }

    public boolean isRejected() {
        return reason != null;
    }
}
