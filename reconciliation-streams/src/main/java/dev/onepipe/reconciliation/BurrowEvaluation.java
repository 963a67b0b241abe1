package dev.onepipe.reconciliation;

import java.util.List;

/**
 * Burrow's lag evaluation rules for one partition of one consumer group, over a window of its commits (LinkedIn
 * Burrow, wiki "Consumer Lag Evaluation Rules", and {@code calculatePartitionStatus} in
 * {@code core/internal/evaluator/caching.go}), checked in the code's order, the first that holds deciding:
 * <ol>
 *   <li>the current lag is zero: OK;</li>
 *   <li>the time from the last commit to now exceeds the time from the first commit to the last: STOP (checked
 *       before the next rule, as the code does, so a consumer that caught up and then stopped while records keep
 *       arriving is STOP even though its window still holds commits with lag zero);</li>
 *   <li>the lag was zero at any commit in the window: OK;</li>
 *   <li>the committed offset decreased between two commits: REWIND;</li>
 *   <li>every commit in the window has the same offset: STALL;</li>
 *   <li>the lag never decreased from one commit to the next: WARNING;</li>
 *   <li>otherwise OK.</li>
 * </ol>
 * Pure.
 */
public final class BurrowEvaluation {

    private BurrowEvaluation() {
    }

    /**
     * One commit in the window.
     *
     * @param timeMs when it was committed (or, where commit times are not known, first observed), ms since the epoch
     * @param offset the committed offset
     * @param lag    the partition's end offset minus {@code offset} at that time, in records
     */
    public record Commit(long timeMs, long offset, long lag) {
    }

    /**
     * The status of one partition.
     *
     * @param commits    the window, oldest first; empty gives OK (nothing to judge)
     * @param currentLag the lag now
     * @param nowMs      the time now
     */
    public static LagStatus evaluate(List<Commit> commits, long currentLag, long nowMs) {
        if (commits.isEmpty() || currentLag <= 0) {
            return LagStatus.OK;
        }
        long first = commits.get(0).timeMs();
        long last = commits.get(commits.size() - 1).timeMs();
        if (nowMs - last > last - first) {
            return LagStatus.STOP;
        }
        if (commits.stream().anyMatch(commit -> commit.lag() == 0)) {
            return LagStatus.OK;
        }
        for (int index = 1; index < commits.size(); index++) {
            if (commits.get(index).offset() < commits.get(index - 1).offset()) {
                return LagStatus.REWIND;
            }
        }
        boolean offsetMoved = false;
        boolean lagDecreased = false;
        for (int index = 1; index < commits.size(); index++) {
            offsetMoved |= commits.get(index).offset() != commits.get(index - 1).offset();
            lagDecreased |= commits.get(index).lag() < commits.get(index - 1).lag();
        }
        if (!offsetMoved) {
            return LagStatus.STALL;
        }
        return lagDecreased ? LagStatus.OK : LagStatus.WARNING;
    }
}
