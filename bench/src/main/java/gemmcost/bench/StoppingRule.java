package gemmcost.bench;

import java.util.Locale;

/**
 * When to stop sampling one shape, after nvbench's "stdrel" criterion: at least {@code minSamples} samples and
 * {@code minGpuTimeUs} of accumulated GPU time, then stop once the relative standard deviation is at most
 * {@code maxNoiseRel}, or once the noise has converged above it (the last {@value #HISTORY} noise values vary by
 * less than 5 % of their mean), or at {@code timeoutUs} of wall time, whichever comes first.
 */
public record StoppingRule(int minSamples, double minGpuTimeUs, double maxNoiseRel, double timeoutUs) {
    /** nvbench's defaults: 10 samples, 0.5 s of GPU time, 0.5 % noise, 15 s timeout. */
    public static final StoppingRule NVBENCH = new StoppingRule(10, 0.5e6, 0.005, 15e6);

    static final int HISTORY = 64;
    static final double CONVERGED_SPREAD_REL = 0.05;

    public StoppingRule {
        if (minSamples < 2 || !(minGpuTimeUs >= 0) || !(maxNoiseRel > 0) || !(timeoutUs > 0)) {
            throw new IllegalArgumentException("need minSamples >= 2, minGpuTimeUs >= 0, maxNoiseRel > 0, timeoutUs > 0:"
                    + " minSamples=" + minSamples + ", minGpuTimeUs=" + minGpuTimeUs + ", maxNoiseRel=" + maxNoiseRel
                    + ", timeoutUs=" + timeoutUs);
        }
    }

    /** Why sampling stopped. */
    public enum Stop {
        /** Relative stdev reached the target. */
        NOISE,
        /** The noise stopped improving above the target. */
        NOISE_CONVERGED,
        /** Wall-time limit. */
        TIMEOUT
    }

    /** One line for the table's timing section. */
    public String describe() {
        return String.format(Locale.ROOT,
                "nvbench stdrel: >= %d samples and >= %.3g s GPU time, then rel. stdev <= %.3g %% or noise converged"
                        + " (last %d within %.0f %%), timeout %.3g s",
                minSamples, minGpuTimeUs / 1e6, maxNoiseRel * 100, HISTORY, CONVERGED_SPREAD_REL * 100, timeoutUs / 1e6);
    }
}
