package dev.onepipe.core.deadletter;

import java.util.Objects;
import java.util.Optional;

/**
 * Thrown by a topology's own logic to send the record being processed to the dead-letter topic of the topic it was
 * read from, with {@link #reason()} as its reason code, instead of failing the application. Any other exception
 * fails the stream thread as in plain Kafka Streams.
 *
 * <pre>{@code
 * widgets.mapValues(widget -> {
 *     if ((double) widget.get("price") < 0) {
 *         throw new DeadLetterException("NEGATIVE_PRICE", "price " + widget.get("price") + " is below zero");
 *     }
 *     return widget;
 * });
 * }</pre>
 */
public final class DeadLetterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    /** @param reason a short code naming the rule the record breaks, e.g. {@code NEGATIVE_PRICE} */
    public DeadLetterException(String reason, String message) {
        this(reason, message, null);
    }

    public DeadLetterException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public String reason() {
        return reason;
    }

    /** The dead-letter exception in {@code exception}'s cause chain, if any: Kafka Streams may wrap what was thrown. */
    public static Optional<DeadLetterException> in(Throwable exception) {
        for (Throwable current = exception; current != null; current = current.getCause()) {
            if (current instanceof DeadLetterException) {
                return Optional.of((DeadLetterException) current);
            }
        }
        return Optional.empty();
    }
}
