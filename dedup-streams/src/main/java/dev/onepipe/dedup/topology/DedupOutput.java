package dev.onepipe.dedup.topology;

import org.apache.avro.generic.GenericRecord;

/**
 * What the merge step emits: a key's new merged state (for the clean topic) or a vector-clock conflict report (for the
 * conflicts topic). Exactly one of the two is set.
 */
record DedupOutput(GenericRecord cleanState, String conflict) {

    static DedupOutput clean(GenericRecord state) {
        return new DedupOutput(state, null);
    }

    static DedupOutput conflict(String report) {
        return new DedupOutput(null, report);
    }

    boolean isConflict() {
        return conflict != null;
    }
}
