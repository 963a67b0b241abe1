package dev.onepipe.reconciliation;

/**
 * A consumer's status over a window of commits, as Burrow names them (LinkedIn Burrow, wiki "Consumer Lag
 * Evaluation Rules"; {@code core/internal/evaluator/caching.go}), in increasing severity.
 */
public enum LagStatus {
    /** Lag was zero at some point in the window, or it is decreasing. */
    OK,
    /** Offsets advance but the lag never decreases: the consumer is falling behind. */
    WARNING,
    /** Commits arrive but the offset does not move while there is lag. */
    STALL,
    /** No commit for longer than the window's commits span, while there is lag. */
    STOP,
    /** The committed offset went backwards. */
    REWIND
}
