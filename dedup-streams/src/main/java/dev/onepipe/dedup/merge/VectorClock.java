package dev.onepipe.dedup.merge;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A vector clock read from a record: writer to counter (Lamport 1978, Fidge and Mattern 1988). A writer missing from
 * the map has counter 0, and a null clock is the empty clock.
 */
final class VectorClock {

    /** How two clocks relate. */
    enum Relation {
        /** Every counter equal. */
        EQUAL,
        /** The first clock is at least the second everywhere and above it somewhere. */
        DOMINATES,
        /** The second clock dominates the first. */
        DOMINATED,
        /** Each is above the other somewhere: the versions were written without seeing each other. */
        CONCURRENT
    }

    private final Map<String, Long> counters;

    private VectorClock(Map<String, Long> counters) {
        this.counters = counters;
    }

    /** The clock in an Avro map value of int or long counters (keys may be {@code Utf8}); null is the empty clock. */
    static VectorClock of(Object map) {
        Map<String, Long> counters = new HashMap<>();
        if (map instanceof Map<?, ?> entries) {
            entries.forEach((writer, counter) -> {
                if (counter instanceof Number number && number.longValue() != 0) {
                    counters.put(writer.toString(), number.longValue());
                }
            });
        } else if (map != null) {
            throw new IllegalArgumentException("a vector clock must be a map of counters, got " + map.getClass().getName());
        }
        return new VectorClock(counters);
    }

    /** How this clock relates to {@code other}. */
    Relation compareTo(VectorClock other) {
        boolean above = false;
        boolean below = false;
        Set<String> writers = new HashSet<>(counters.keySet());
        writers.addAll(other.counters.keySet());
        for (String writer : writers) {
            long mine = counters.getOrDefault(writer, 0L);
            long theirs = other.counters.getOrDefault(writer, 0L);
            above |= mine > theirs;
            below |= mine < theirs;
        }
        if (above && below) {
            return Relation.CONCURRENT;
        }
        return above ? Relation.DOMINATES : below ? Relation.DOMINATED : Relation.EQUAL;
    }
}
