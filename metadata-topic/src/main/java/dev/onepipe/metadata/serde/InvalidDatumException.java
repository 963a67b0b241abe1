package dev.onepipe.metadata.serde;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Raised while writing a record that does not conform to its schema; collects the path to the offending field as it
 * unwinds through the nested writes. Not an Avro exception on purpose, so Avro's own handlers let it pass.
 */
final class InvalidDatumException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Deque<String> path = new ArrayDeque<>();

    InvalidDatumException(String message) {
        super(message, null, false, false);
    }

    /** Prepends a field name (the field containing the failure). */
    InvalidDatumException inField(String fieldName) {
        path.addFirst(fieldName);
        return this;
    }

    /** Prepends a container marker, {@code []} for array items or {@code {}} for map values. */
    InvalidDatumException inContainer(String marker) {
        path.addFirst(marker);
        return this;
    }

    /** The path, e.g. {@code lines[].price}; null when the record itself is the problem. */
    String fieldPath() {
        if (path.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (String segment : path) {
            if (text.length() > 0 && !segment.startsWith("[") && !segment.startsWith("{")) {
                text.append('.');
            }
            text.append(segment);
        }
        return text.toString();
    }
}
