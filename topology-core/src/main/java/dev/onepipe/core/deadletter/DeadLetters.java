package dev.onepipe.core.deadletter;

import org.apache.kafka.streams.kstream.ValueMapper;

/**
 * Routes records that fail in a topology's own logic to the dead-letter topic of the topic they were read from,
 * instead of stopping the application. Throwing a {@link DeadLetterException} does it for one record; this wraps a
 * whole mapper:
 *
 * <pre>{@code
 * KStream<String, GenericRecord> parsed = raw.mapValues(DeadLetters.onFailure("UNPARSEABLE_NOTE", value -> parse(value)));
 * }</pre>
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * A mapper that dead-letters the record under {@code reason} when {@code mapper} throws (a {@link DeadLetterException}
     * it throws keeps its own reason).
     */
    public static <V, R> ValueMapper<V, R> onFailure(String reason, ValueMapper<V, R> mapper) {
        return value -> {
            try {
                return mapper.apply(value);
            } catch (DeadLetterException rejection) {
                throw rejection;
            } catch (RuntimeException failure) {
                throw new DeadLetterException(reason, failure.toString(), failure);
            }
        };
    }
}
