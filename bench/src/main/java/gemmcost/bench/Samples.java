package gemmcost.bench;

import gemmcost.table.Quantiles;
import java.util.Arrays;
import java.util.Optional;

/** GPU-event times of one shape as they arrive, with the running noise the stopping rule needs. Not thread-safe. */
final class Samples {
    private final StoppingRule rule;
    private double[] timesUs = new double[64];
    private int count;
    private double mean;
    private double sumSquares; // Welford's M2
    private double gpuTimeUs;
    private final double[] noiseHistory = new double[StoppingRule.HISTORY];
    private int noiseSeen;

    Samples(StoppingRule rule) {
        this.rule = rule;
    }

    /** Adds one sample (µs, > 0). */
    void add(double timeUs) {
        if (!(timeUs > 0) || Double.isInfinite(timeUs)) {
            throw new IllegalArgumentException("must be finite and > 0: timeUs=" + timeUs);
        }
        if (count == timesUs.length) {
            timesUs = Arrays.copyOf(timesUs, count * 2);
        }
        timesUs[count++] = timeUs;
        double delta = timeUs - mean;
        mean += delta / count;
        sumSquares += delta * (timeUs - mean);
        gpuTimeUs += timeUs;
        if (count >= 2) {
            noiseHistory[noiseSeen++ % noiseHistory.length] = noiseRel();
        }
    }

    int count() {
        return count;
    }

    /** Relative standard deviation (sample stdev / mean); 0 with fewer than two samples. */
    double noiseRel() {
        return count < 2 ? 0 : Math.sqrt(sumSquares / (count - 1)) / mean;
    }

    /** Whether to stop, given the wall time spent on this shape so far. */
    Optional<StoppingRule.Stop> stop(double wallUs) {
        if (wallUs >= rule.timeoutUs()) {
            return Optional.of(StoppingRule.Stop.TIMEOUT);
        }
        if (count < rule.minSamples() || gpuTimeUs < rule.minGpuTimeUs()) {
            return Optional.empty();
        }
        if (noiseRel() <= rule.maxNoiseRel()) {
            return Optional.of(StoppingRule.Stop.NOISE);
        }
        return noiseConverged() ? Optional.of(StoppingRule.Stop.NOISE_CONVERGED) : Optional.empty();
    }

    private boolean noiseConverged() {
        if (noiseSeen < noiseHistory.length) {
            return false;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (double n : noiseHistory) {
            min = Math.min(min, n);
            max = Math.max(max, n);
            sum += n;
        }
        return (max - min) < StoppingRule.CONVERGED_SPREAD_REL * (sum / noiseHistory.length);
    }

    /** Median, p10, p90 of the samples so far (at least one). */
    Summary summary(StoppingRule.Stop stop) {
        if (count == 0) {
            throw new IllegalStateException("no samples");
        }
        double[] sorted = Arrays.copyOf(timesUs, count);
        Arrays.sort(sorted);
        return new Summary(Quantiles.of(sorted, 0.5), Quantiles.of(sorted, 0.1), Quantiles.of(sorted, 0.9), count,
                noiseRel(), stop);
    }

    /** What one shape's sampling produced. */
    record Summary(double medianUs, double p10Us, double p90Us, int samples, double noiseRel, StoppingRule.Stop stop) {
    }
}
