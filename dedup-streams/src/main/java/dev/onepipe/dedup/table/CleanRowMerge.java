package dev.onepipe.dedup.table;

import org.apache.avro.generic.GenericRecord;

/**
 * Merges a row the clean table already holds with an incoming row for the same unique key, when the dedup topology had
 * no state for the key ({@link CleanRow#stateKnown()} false: a new key, or one forgotten after the horizon). The
 * dedup topology plugs in the dataset's merge strategy; the default lets the incoming row win.
 */
@FunctionalInterface
public interface CleanRowMerge {

    /** The incoming row wins (what {@code LAST_SEEN} does). */
    CleanRowMerge INCOMING_WINS = (existing, incoming) -> incoming;

    /**
     * The row the table keeps for the key.
     *
     * @param existing the table's row, converted to the Avro schema of {@code incoming} (fields it lacks take their
     *     Avro default); Avro's plain generic representation (timestamps as longs, strings as {@code Utf8})
     * @param incoming the row the topology committed
     * @return the row to keep: either argument or a new record of {@code incoming}'s schema
     */
    GenericRecord merge(GenericRecord existing, GenericRecord incoming);
}
