package dev.onepipe.dedup.topology;

import org.apache.avro.generic.GenericRecord;

/**
 * What the merge step emits: a key's new merged state (for the clean topic) or a vector-clock conflict report (for the
 * conflicts topic). Exactly one of the two is set.
 *
 * @param cleanState the new merged state
 * @param encoded    {@code cleanState} in the wire format of the input dataset's value subject, as the merge store got
 *                   it: the clean topic's serializer only puts the clean dataset's schema id in its header
 * @param conflict   the conflict report
 */
record DedupOutput(GenericRecord cleanState, byte[] encoded, String conflict) {

    static DedupOutput clean(GenericRecord state, byte[] encoded) {
        return new DedupOutput(state, encoded, null);
    }

    static DedupOutput conflict(String report) {
        return new DedupOutput(null, null, report);
    }

    boolean isConflict() {
        return conflict != null;
    }
}
