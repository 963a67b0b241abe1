package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import dev.onepipe.reconciliation.BurrowEvaluation.Commit;
import org.junit.jupiter.api.Test;

/** The rules of Burrow's wiki page "Consumer Lag Evaluation Rules", one window each, written out by hand. */
class BurrowEvaluationTest {

    /** Commits every 60 s from t = 0 with the given offsets and lags; "now" is 60 s after the last. */
    private static LagStatus evaluate(long[] offsets, long[] lags) {
        List<Commit> window = new ArrayList<>();
        for (int index = 0; index < offsets.length; index++) {
            window.add(new Commit(index * 60_000L, offsets[index], lags[index]));
        }
        return BurrowEvaluation.evaluate(window, lags[lags.length - 1], offsets.length * 60_000L - 60_000L + 30_000L);
    }

    @Test
    void lagZeroAnywhereInTheWindowIsOk() {
        assertEquals(LagStatus.OK, evaluate(new long[] {10, 20, 30, 40, 50}, new long[] {5, 0, 5, 7, 9}));
    }

    @Test
    void offsetsMovingAndLagDecreasingSomewhereIsOk() {
        assertEquals(LagStatus.OK, evaluate(new long[] {10, 20, 30, 40, 50}, new long[] {5, 6, 4, 7, 9}));
    }

    @Test
    void offsetsMovingButLagNeverDecreasingIsWarning() {
        assertEquals(LagStatus.WARNING, evaluate(new long[] {10, 20, 30, 40, 50}, new long[] {5, 6, 6, 7, 9}));
    }

    @Test
    void theSameOffsetCommittedWithLagIsStall() {
        assertEquals(LagStatus.STALL, evaluate(new long[] {10, 10, 10, 10, 10}, new long[] {5, 6, 7, 8, 9}));
    }

    @Test
    void anOffsetGoingBackIsRewind() {
        assertEquals(LagStatus.REWIND, evaluate(new long[] {10, 20, 5, 30, 40}, new long[] {5, 6, 21, 7, 9}));
    }

    @Test
    void noCommitForLongerThanTheWindowSpansIsStop() {
        List<Commit> window = List.of(new Commit(0, 10, 5), new Commit(60_000, 20, 4), new Commit(120_000, 30, 7));
        assertEquals(LagStatus.OK, BurrowEvaluation.evaluate(window, 7, 120_000 + 120_000), "exactly the span is not yet stopped");
        assertEquals(LagStatus.STOP, BurrowEvaluation.evaluate(window, 7, 120_000 + 120_001));
        assertEquals(LagStatus.STOP, BurrowEvaluation.evaluate(List.of(new Commit(0, 10, 5)), 5, 1), "a single old commit with lag");
        assertEquals(LagStatus.OK, BurrowEvaluation.evaluate(List.of(new Commit(0, 10, 5)), 0, 1_000_000), "no lag now: not stopped");
    }

    @Test
    void aConsumerThatCaughtUpThenStoppedWhileRecordsArriveIsStopNotOk() {
        // Caught up (lag 0) at its last commits, then no commit for longer than the window spans while lag grew to 40:
        // Burrow's code checks STOP before "lag zero somewhere in the window".
        List<Commit> window = List.of(new Commit(0, 10, 0), new Commit(60_000, 20, 0), new Commit(120_000, 30, 0));
        assertEquals(LagStatus.STOP, BurrowEvaluation.evaluate(window, 40, 120_000 + 120_001));
        assertEquals(LagStatus.OK, BurrowEvaluation.evaluate(window, 40, 120_000 + 60_000), "not silent for long enough yet");
    }
}
