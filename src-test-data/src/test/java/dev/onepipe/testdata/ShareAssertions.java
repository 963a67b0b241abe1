package dev.onepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks that an observed count matches a claimed share, within five binomial standard deviations. */
final class ShareAssertions {

    private ShareAssertions() {
    }

    static void assertShare(final String what, final double expectedShare, final long count, final long population) {
        assertTrue(population > 0, what + ": empty population");
        final double expected = expectedShare * population;
        final double tolerance = 5.0 * Math.sqrt(population * expectedShare * (1.0 - expectedShare)) + 1.0;
        assertTrue(Math.abs(count - expected) <= tolerance,
            what + ": expected about " + expected + " of " + population + " (+/- " + tolerance + "), got " + count);
    }
}
