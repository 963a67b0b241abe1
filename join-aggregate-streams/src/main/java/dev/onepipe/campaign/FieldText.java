package dev.onepipe.campaign;

import java.util.Optional;

import org.apache.avro.generic.GenericRecord;

/** The text of a field of a decoded record, when the record, its schema's field and its value are all there. */
final class FieldText {

    private FieldText() {
    }

    /** The text of {@code record}'s field {@code name}; empty when the record is null, its schema has no such field, or the value is null. */
    static Optional<String> of(GenericRecord record, String name) {
        if (record == null || record.getSchema().getField(name) == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(record.get(name)).map(Object::toString);
    }
}
