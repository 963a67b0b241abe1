package dev.onepipe.dedup.merge;

import java.util.Objects;

import org.apache.avro.generic.GenericRecord;

/**
 * What merging one incoming version into a key's merged state gave.
 *
 * @param winner   the key's merged state after the merge (the current state itself when nothing changed)
 * @param changed  whether {@code winner} differs from the state before, byte for byte in Avro binary: false for an
 *                 exact re-send, a stale version, or a version that loses the merge
 * @param conflict whether the merge met two versions whose vector clocks are concurrent (neither dominates), so
 *                 the winner was picked by the deterministic tie-break; always false for other strategies
 */
public record MergeResult(GenericRecord winner, boolean changed, boolean conflict) {

    public MergeResult {
        Objects.requireNonNull(winner, "winner");
    }

    static MergeResult unchanged(GenericRecord current) {
        return new MergeResult(current, false, false);
    }

    static MergeResult changedTo(GenericRecord winner) {
        return new MergeResult(winner, true, false);
    }
}
