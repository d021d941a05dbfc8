package gemmcost.table;

/** Quantiles of sorted samples, interpolating linearly between closest ranks (numpy's default). */
public final class Quantiles {
    private Quantiles() {
    }

    /** The q-quantile (0 ≤ q ≤ 1) of non-empty, ascending {@code sorted}. */
    public static double of(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        if (below == sorted.length - 1)
            return sorted[below];
        double fraction = position - below;
        return fraction == 0 ? sorted[below] : sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
    }
}
