package dev.onepipe.core.deadletter;

/** Where in the application a dead-lettered record failed. */
public enum DeadLetterStage {
    /** Its bytes could not be read: wrong magic byte, unknown schema id, truncated or undecodable. */
    DESERIALIZATION,
    /** The topology's own logic rejected it with a {@link DeadLetterException}. */
    PROCESSING,
    /** The record the topology produced is not valid for the schema of the dataset it writes. */
    SERIALIZATION,
    /** Kafka refused the serialized record, e.g. because it is too large. */
    PRODUCTION
}
