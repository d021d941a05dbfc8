package gemmcost.gettime;

import gemmcost.table.Quantiles;
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
        return new ErrorStats(sorted.length, Quantiles.of(sorted, 0.5), Quantiles.of(sorted, 0.9), sorted[sorted.length - 1]);
    }
}
