package dev.onepipe.testdata;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent: exponent 0 is uniform, and
 * the larger the exponent the more traffic lands on the first ranks (hot keys).
 */
public final class ZipfDistribution {

    private final double[] cumulativeWeights;

    public ZipfDistribution(final int size, final double exponent) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
        if (exponent < 0 || Double.isNaN(exponent) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("exponent must be a finite number >= 0, was " + exponent);
        }
        cumulativeWeights = new double[size];
        double total = 0;
        for (int rank = 0; rank < size; rank++) {
            total += 1.0 / Math.pow(rank + 1, exponent);
            cumulativeWeights[rank] = total;
        }
    }

    public int size() {
        return cumulativeWeights.length;
    }

    /** Probability of drawing {@code rank}. */
    public double probability(final int rank) {
        final double total = cumulativeWeights[cumulativeWeights.length - 1];
        final double below = rank == 0 ? 0 : cumulativeWeights[rank - 1];
        return (cumulativeWeights[rank] - below) / total;
    }

    public int sample(final SplittableRandom random) {
        final double target = random.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
        final int found = Arrays.binarySearch(cumulativeWeights, target);
        final int rank = found >= 0 ? found + 1 : -found - 1;
        return Math.min(rank, cumulativeWeights.length - 1);
    }
}
