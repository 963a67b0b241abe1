package dev.onepipe.core.deadletter;

/** What the key and value bytes of a dead-letter record are, and so where a fixed copy can be replayed to. */
public enum DeadLetterPayload {
    /** The bytes of the input record exactly as read from {@link DeadLetterHeaders#SOURCE_TOPIC}. */
    SOURCE_RECORD,
    /** The serialized record that Kafka refused, bound for {@link DeadLetterHeaders#TARGET_TOPIC}. */
    FAILED_RECORD,
    /**
     * Neither was available (a record emitted by a punctuator, or the second of several outputs of one input): the
     * value is the failed record rendered as text, for diagnosis rather than replay.
     */
    RENDERED_RECORD
}
