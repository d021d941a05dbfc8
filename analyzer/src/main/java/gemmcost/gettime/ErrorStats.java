package gemmcost.gettime;

import java.util.Arrays;

/**
 * Absolute percentage errors of predictions against measurements: count, median, p90 and max.
 * Percentiles interpolate linearly between order statistics (numpy's default), so the peer script and
 * this class agree on the same numbers.
 */
public record ErrorStats(int count, double medianApePct, double p90ApePct, double maxApePct) {
    public ErrorStats {
        if (count <= 0) {
            throw new IllegalArgumentException("must be > 0: count=" + count);
        }
    }

    /** Absolute percentage error of one prediction. */
    public static double apePct(double predictedUs, double measuredUs) {
        return Math.abs(predictedUs - measuredUs) / measuredUs * 100;
    }

    /** Statistics of these absolute percentage errors (at least one). */
    public static ErrorStats of(double[] apePct) {
        if (apePct.length == 0) {
            throw new IllegalArgumentException("no errors to summarise");
        }
        double[] sorted = apePct.clone();
        Arrays.sort(sorted);
        return new ErrorStats(sorted.length, percentile(sorted, 50), percentile(sorted, 90), sorted[sorted.length - 1]);
    }

    static double percentile(double[] sorted, double pct) {
        double rank = pct / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
